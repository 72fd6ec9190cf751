// A live_trade_order row as the order paths need it to look an order up or resend nothing.
import { z } from 'zod';
import { Decimal, Id } from './client.ts';

export const ORDER_COLUMNS = `o.id, o.exchange, o.symbol, o.side, o.normalized_qty, o.client_order_id, o.reduce_only, o.exchange_order_id, o.status, o.error,
  watchlist.order_is_unresolved(o.status) as unresolved`;

export const OrderRow = z.object({
  id: Id,
  exchange: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  normalized_qty: Decimal,
  client_order_id: z.string(),
  reduce_only: z.boolean(),
  exchange_order_id: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  /** the order's status is in the status set 'unresolved' (sql/rules.sql) */
  unresolved: z.boolean(),
});
export type OrderRow = z.output<typeof OrderRow>;
