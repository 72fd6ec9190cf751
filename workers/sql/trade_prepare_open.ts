// watchlist.trade_prepare_open(signal, legs): both open legs' rows at one common
// quantity, committed before anything is sent.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';
import { jsonParam, LegChecksJson } from './venue-shapes.ts';

export const text = 'select watchlist.trade_prepare_open($1, $2::jsonb) as result';
export const Params = z.object({ signalId: Id, legs: LegChecksJson.length(2) });
export const PreparedOpen = z.object({
  order_id: Id,
  leg: z.enum(['short', 'long']),
  exchange: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  amount: Decimal,
  client_order_id: z.string(),
  reduce_only: z.boolean(),
  ref_price: z.number().nullable(),
});
export const Result = z.array(PreparedOpen);

export const tradePrepareOpen = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_prepare_open', text, params: Params, result: Result, values: (x) => [x.signalId, jsonParam(x.legs)] }, p);
