// watchlist.record_fee_conversion(fill, rate, source, error): a fee priced in USDT, or
// the failure (null rate) recorded; the fee in USDT, null when not converted.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.record_fee_conversion($1, $2::numeric, $3, $4)::text as result';
export const Params = z.object({ fillId: Id, rate: Decimal.nullable(), source: z.string(), error: z.string().nullable() });
export const Result = Decimal.nullable();

export const recordFeeConversion = (c: SqlClient, p: z.input<typeof Params>): Promise<string | null> =>
  callValue(c, { name: 'record_fee_conversion', text, params: Params, result: Result, values: (x) => [x.fillId, x.rate, x.source, x.error] }, p);
