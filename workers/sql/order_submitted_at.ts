// The time an order left for the venue, kept once set (an unknown outcome is looked up from it).
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'update watchlist.live_trade_order set submitted_at = coalesce(submitted_at, $2) where id = $1 returning id';
export const Params = z.object({ orderId: Id, at: z.string() });
export const Row = z.object({ id: Id });

export async function orderSubmittedAt(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'order submitted_at', text, params: Params, row: Row, values: (x) => [x.orderId, x.at] }, p);
}
