// paper.set_leverage(venue, symbol, leverage).
import { z } from 'zod';
import { callRows, type SqlClient } from '../client.ts';

export const text = 'select paper.set_leverage($1, $2, $3)';
export const Params = z.object({ venue: z.string(), symbol: z.string(), leverage: z.number().int().min(1).max(125) });

export async function paperSetLeverage(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'paper.set_leverage', text, params: Params, row: z.unknown(), values: (x) => [x.venue, x.symbol, x.leverage] }, p);
}
