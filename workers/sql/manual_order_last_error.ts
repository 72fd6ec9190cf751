// The error its order recorded, for a manual order that ended without a fill.
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'select o.error from watchlist.live_trade_order o where o.id = (select m.order_id from watchlist.manual_order m where m.id = $1)';
export const Params = z.object({ id: Id });
export const Row = z.object({ error: z.string().nullable() });

export async function manualOrderLastError(c: SqlClient, id: number): Promise<string | null> {
  const rows = await callRows(c, { name: 'manual order error', text, params: Params, row: Row, values: (x) => [x.id] }, { id });
  return rows[0]?.error ?? null;
}
