// watchlist.trade_order_failed(...): an order that failed (rejected / not_placed /
// unknown) and its error row; returns the error row's id.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_order_failed($1, $2, $3, $4, $5, $6::jsonb, $7) as result';
export const Params = z.object({
  orderId: Id,
  status: z.enum(['rejected', 'not_placed', 'unknown']),
  stage: z.string(),
  errorClass: z.string(),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable().default(null),
  submittedAt: z.string().nullable().default(null),
});
export const Result = Id;

export const tradeOrderFailed = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'trade_order_failed', text, params: Params, result: Result,
    values: (x) => [x.orderId, x.status, x.stage, x.errorClass, x.message, x.payload === null ? null : JSON.stringify(x.payload), x.submittedAt] }, p);
