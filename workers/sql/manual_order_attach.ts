// watchlist.manual_order_attach(id, order, notional): the manual order is submitted as this order.
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.manual_order_attach($1, $2, $3::numeric)';
export const Params = z.object({ id: Id, orderId: Id, notional: z.number().positive() });

export async function manualOrderAttach(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'manual_order_attach', text, params: Params, row: z.unknown(), values: (x) => [x.id, x.orderId, x.notional] }, p);
}
