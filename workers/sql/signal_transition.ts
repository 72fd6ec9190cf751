// watchlist.signal_transition(signal, to, reason): the one way a signal changes status
// (illegal transitions are refused in SQL).
import { z } from 'zod';
import { callValue, type SqlClient, Id } from './client.ts';

export const text = 'select (watchlist.signal_transition($1, $2, $3)).status as result';
export const Params = z.object({
  signalId: Id,
  /** a trade status; watchlist.signal_transition refuses an unknown one or an illegal move */
  to: z.string().regex(/^[a-z_]+$/),
  reason: z.string().nullable().default(null),
});
export const Result = z.string();

export const signalTransition = (c: SqlClient, p: z.input<typeof Params>): Promise<string> =>
  callValue(c, { name: 'signal_transition', text, params: Params, result: Result, values: (x) => [x.signalId, x.to, x.reason] }, p);
