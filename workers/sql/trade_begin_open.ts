// watchlist.trade_begin_open(signal): what the open job does with a signal (re-check a
// new one, resume an opening one, or nothing and why).
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_begin_open($1) as result';
export const Params = z.object({ signalId: Id });
const go = {
  signal_id: Id,
  symbol: z.string(),
  attempt: z.number().int(),
  short: z.string(),
  long: z.string(),
  notional_usdt: z.number().positive(),
  leverage: z.number().int().positive(),
};
export const Result = z.discriminatedUnion('action', [
  z.object({ action: z.literal('noop'), why: z.string() }),
  z.object({ action: z.literal('recheck'), ...go }),
  z.object({ action: z.literal('resume'), ...go }),
]);
export type OpenContext = Extract<z.output<typeof Result>, { action: 'recheck' | 'resume' }>;

export const tradeBeginOpen = (c: SqlClient, signalId: number): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_begin_open', text, params: Params, result: Result, values: (x) => [x.signalId] }, { signalId });
