// watchlist.manual_order_finish(id, status, error): a terminal state (an error row when a reason is given).
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.manual_order_finish($1, $2, $3)';
export const Params = z.object({ id: Id, status: z.enum(['filled', 'failed']), error: z.string().nullable().default(null) });

export async function manualOrderFinish(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'manual_order_finish', text, params: Params, row: z.unknown(), values: (x) => [x.id, x.status, x.error] }, p);
}
