// paper.balance(venue, initial): the account as an exchange reports it.
import { z } from 'zod';
import { callRow, Decimal, type SqlClient } from '../client.ts';

export const text = 'select total::text as total, free::text as free from paper.balance($1, $2)';
export const Params = z.object({ venue: z.string(), initial: z.number() });
export const Row = z.object({ total: Decimal, free: Decimal });

export const paperBalance = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Row>> =>
  callRow(c, { name: 'paper.balance', text, params: Params, row: Row, values: (x) => [x.venue, x.initial] }, p);
