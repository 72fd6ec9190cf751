// watchlist.order_below_minimum(qty, price, contract size, min amount, min cost): the venue
// minimum an order misses (qty_zero, below_min_amount, below_min_cost), or null (sql/rules.sql).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.order_below_minimum($1::numeric, $2::numeric, $3::numeric, $4::numeric, $5::numeric) as result';
const Num = z.union([z.string(), z.number()]).transform(String);
export const Params = z.object({
  qty: Num,
  price: Num,
  contractSize: Num,
  minAmount: Num.nullable(),
  minCost: Num.nullable(),
});
export const Result = z.enum(['qty_zero', 'below_min_amount', 'below_min_cost']).nullable();

export const orderBelowMinimum = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'order_below_minimum', text, params: Params, result: Result,
    values: (x) => [x.qty, x.price, x.contractSize, x.minAmount, x.minCost] }, p);
