// watchlist.trade_close_context(signal): what each leg still holds and how many close
// orders are unresolved; null for no such signal.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_close_context($1) as result';
export const Params = z.object({ signalId: Id });
export const Result = z
  .object({
    status: z.string(),
    signal_id: Id,
    symbol: z.string(),
    unresolved: z.number().int(),
    attempt: z.number().int().positive(),
    legs: z.array(z.object({ leg: z.enum(['short', 'long']), exchange: z.string(), side: z.enum(['buy', 'sell']), remaining: Decimal })),
  })
  .nullable();

export const tradeCloseContext = (c: SqlClient, signalId: number): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_close_context', text, params: Params, result: Result, values: (x) => [x.signalId] }, { signalId });
