// watchlist.trade_open_outcome(signal): after the open legs, open / flatten / failed /
// partial_failed from the order rows.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';
import { ReduceLeg } from './reduce-legs.ts';

export const text = 'select watchlist.trade_open_outcome($1) as result';
export const Params = z.object({ signalId: Id });
export const Result = z.discriminatedUnion('action', [
  z.object({ action: z.literal('noop'), status: z.string() }),
  z.object({ action: z.literal('unresolved'), count: z.number().int() }),
  z.object({ action: z.literal('open'), entry_spread: z.number().nullable() }),
  z.object({ action: z.literal('failed') }),
  z.object({ action: z.literal('partial_failed') }),
  z.object({ action: z.literal('flatten'), legs: z.array(ReduceLeg), symbol: z.string(), attempt: z.number().int().positive() }),
]);

export const tradeOpenOutcome = (c: SqlClient, signalId: number): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_open_outcome', text, params: Params, result: Result, values: (x) => [x.signalId] }, { signalId });
