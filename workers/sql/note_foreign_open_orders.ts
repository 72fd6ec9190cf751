// watchlist.note_foreign_open_orders(venue, orders): open orders in our id convention with
// another installation's prefix; how many were new.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';
import { jsonParam, OpenOrdersJson } from './venue-shapes.ts';

export const text = 'select watchlist.note_foreign_open_orders($1, $2::jsonb) as result';
export const Params = z.object({ venue: z.string(), orders: OpenOrdersJson });
export const Result = z.number().int();

export const noteForeignOpenOrders = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'note_foreign_open_orders', text, params: Params, result: Result, values: (x) => [x.venue, jsonParam(x.orders)] }, p);
