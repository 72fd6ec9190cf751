// One live_trade_order row by id.
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';
import { ORDER_COLUMNS, OrderRow } from './order-row.ts';

export const text = `select ${ORDER_COLUMNS} from watchlist.live_trade_order o where o.id = $1`;
export const Params = z.object({ orderId: Id });

export async function tradeOrder(c: SqlClient, orderId: number): Promise<OrderRow | null> {
  const rows = await callRows(c, { name: 'live_trade_order', text, params: Params, row: OrderRow, values: (x) => [x.orderId] }, { orderId });
  return rows[0] ?? null;
}
