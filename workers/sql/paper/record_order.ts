// paper.record_order(order): the paper venue's matching engine books an order, its
// fills, position and account in one transaction (SQLSTATEs WLP01/WLP02/23505 pass
// through for the venue to map).
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from '../client.ts';
import { jsonParam } from '../venue-shapes.ts';

export const PaperOrder = z.strictObject({
  venue: z.string(),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  reduce_only: z.boolean(),
  amount: Decimal,
  status: z.enum(['open', 'closed', 'canceled', 'rejected', 'expired']),
  ts: z.number().finite(),
  initial_balance: z.number(),
  meta: z.record(z.string(), z.unknown()),
  fills: z.array(z.strictObject({ trade_id: z.string(), price: Decimal, qty: Decimal, fee: Decimal })),
});
export const text = 'select paper.record_order($1::jsonb) as result';
export const Params = z.object({ order: PaperOrder });
export const Result = Id;

export const paperRecordOrder = (c: SqlClient, order: z.input<typeof PaperOrder>): Promise<number> =>
  callValue(c, { name: 'paper.record_order', text, params: Params, result: Result, values: (x) => [jsonParam(x.order)] }, { order });
