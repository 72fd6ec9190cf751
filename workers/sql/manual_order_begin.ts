// watchlist.manual_order_begin(id): claim a manual order: send it, resume its look-up,
// wait for an earlier one, or nothing and why.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.manual_order_begin($1) as result';
export const Params = z.object({ id: Id });
const go = {
  id: Id,
  venue: z.string(),
  symbol: z.string(),
  action_kind: z.enum(['open_long', 'open_short', 'close_long', 'close_short']),
  notional_usdt: z.number().nullable(),
  qty_base: z.string().nullable(),
  order_id: Id.nullable(),
  fallback_usdt: z.number(),
};
export const Result = z.discriminatedUnion('action', [
  z.object({ action: z.literal('noop'), why: z.string() }),
  z.object({ action: z.literal('wait'), why: z.string() }),
  z.object({ action: z.literal('send'), ...go }),
  z.object({ action: z.literal('resume'), ...go, order_id: Id }),
]);

export const manualOrderBegin = (c: SqlClient, id: number): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'manual_order_begin', text, params: Params, result: Result, values: (x) => [x.id] }, { id });
