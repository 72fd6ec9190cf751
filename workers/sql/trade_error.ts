// watchlist.trade_error(...): one live_trade_error row (NOTIFY live_trade_error).
// Given an order and no signal, the order's signal is recorded.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = `select watchlist.trade_error(coalesce($1, (select o.signal_id from watchlist.live_trade_order o where o.id = $7)),
  $2, $3, $4, $5, $6::jsonb, $7) as result`;
export const Params = z.object({
  signalId: Id.nullable().default(null),
  stage: z.string().min(1),
  venue: z.string().nullable().default(null),
  errorClass: z.string().min(1),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable().default(null),
  orderId: Id.nullable().default(null),
});
export const Result = Id;

export const tradeError = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'trade_error', text, params: Params, result: Result,
    values: (x) => [x.signalId, x.stage, x.venue, x.errorClass, x.message, x.payload === null ? null : JSON.stringify(x.payload), x.orderId] }, p);
