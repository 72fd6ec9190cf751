// watchlist.trade_fill_gap(order): a filled order whose trades do not add up; after
// trade.fill_wait_s the order's own filled/average stand in.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_fill_gap($1) as result';
export const Params = z.object({ orderId: Id });
export const Result = z.boolean().nullable();

export const tradeFillGap = (c: SqlClient, orderId: number): Promise<boolean | null> =>
  callValue(c, { name: 'trade_fill_gap', text, params: Params, result: Result, values: (x) => [x.orderId] }, { orderId });
