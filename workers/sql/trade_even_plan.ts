// watchlist.trade_even_plan(signal): legs of different size are trimmed to the common quantity.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';
import { ReduceLeg } from './reduce-legs.ts';

export const text = 'select watchlist.trade_even_plan($1) as result';
export const Params = z.object({ signalId: Id });
export const Result = z.discriminatedUnion('action', [
  z.object({ action: z.literal('none'), why: z.string() }),
  z.object({ action: z.literal('trim'), symbol: z.string(), attempt: z.number().int().positive(), common: z.number(), legs: z.array(ReduceLeg) }),
]);

export const tradeEvenPlan = (c: SqlClient, signalId: number): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_even_plan', text, params: Params, result: Result, values: (x) => [x.signalId] }, { signalId });
