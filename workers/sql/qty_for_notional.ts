// watchlist.qty_for_notional(notional, price, step, contract_size): base quantity floored to the venue's step.
import { z } from 'zod';
import { callValue, Decimal, type SqlClient } from './client.ts';

export const text = 'select watchlist.qty_for_notional($1::numeric, $2::numeric, $3::numeric, $4::numeric)::text as result';
export const Params = z.object({ notional: z.number().positive(), refPrice: Decimal, amountStep: Decimal, contractSize: z.number().positive() });
export const Result = Decimal;

export const qtyForNotional = (c: SqlClient, p: z.input<typeof Params>): Promise<string> =>
  callValue(c, { name: 'qty_for_notional', text, params: Params, result: Result, values: (x) => [x.notional, x.refPrice, x.amountStep, x.contractSize] }, p);
