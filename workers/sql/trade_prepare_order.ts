// watchlist.trade_prepare_order(...): the order's row, written (pending) before the venue
// is called, so a crash between the two leaves evidence reconcile looks up by client id.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_prepare_order($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9, $10, $11::numeric, $12) as result';
export const Params = z.object({
  signalId: Id.nullable(),
  purpose: z.enum(['open', 'close', 'flatten', 'trim', 'manual']),
  leg: z.enum(['short', 'long']),
  exchange: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  amount: Decimal,
  reduceOnly: z.boolean(),
  clientOrderId: z.string().min(1),
  attempt: z.number().int().positive(),
  refPrice: Decimal.nullable().default(null),
  manualOrderId: Id.nullable().default(null),
});
export const Result = Id;

export const tradePrepareOrder = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'trade_prepare_order', text, params: Params, result: Result,
    values: (x) => [x.signalId, x.purpose, x.leg, x.exchange, x.symbol, x.side, x.amount, x.reduceOnly, x.clientOrderId, x.attempt, x.refPrice, x.manualOrderId] }, p);
