// watchlist.trade_record_order(order, result, submitted_at, context, step): a venue's
// answer for a prepared order; returns the order's status as the database now holds it.
// The result is built from OrderResultJson (venue-shapes.ts); SQL checks the same shape.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';
import { jsonParam, OrderResultJson } from './venue-shapes.ts';

export const text = 'select watchlist.trade_record_order($1, $2::jsonb, $3, $4, $5::numeric) as result';
export const Params = z.object({
  orderId: Id,
  result: OrderResultJson,
  submittedAt: z.string().nullable(),
  context: z.enum(['create', 'lookup', 'duplicate']),
  /** one contract step in base units: a looked-up amount may differ by less */
  step: Decimal.nullable(),
});
/** the order's status as recorded (live_trade_order.status's check constraint holds the list) */
export const Result = z.string().regex(/^[a-z_]+$/);

export const tradeRecordOrder = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_record_order', text, params: Params, result: Result,
    values: (x) => [x.orderId, jsonParam(x.result), x.submittedAt, x.context, x.step] }, p);
