// watchlist.manual_order_error(id, error, last_attempt): a job attempt threw; SQL says
// whether to retry.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.manual_order_error($1, $2, $3) as result';
export const Params = z.object({ id: Id, error: z.string(), lastAttempt: z.boolean() });
export const Result = z.enum(['retry', 'failed', 'unresolved', 'done']);

export const manualOrderError = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'manual_order_error', text, params: Params, result: Result, values: (x) => [x.id, x.error, x.lastAttempt] }, p);
