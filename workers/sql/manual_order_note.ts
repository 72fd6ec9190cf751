// A manual order's reason, when its order's own error row already says it (no second row).
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'update watchlist.manual_order set error = $2 where id = $1 returning id';
export const Params = z.object({ id: Id, error: z.string() });

export async function manualOrderNote(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'manual_order error', text, params: Params, row: z.object({ id: Id }), values: (x) => [x.id, x.error] }, p);
}
