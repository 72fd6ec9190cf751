// watchlist.record_spread_sample(...): one executable exit-spread sample; its trigger
// decides take-profit / max-hold.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';
import { BookQuoteJson } from './book-shapes.ts';

export const text = 'select watchlist.record_spread_sample($1, $2, $3::jsonb, $4, $5, $6) as result';
export const Params = z.object({
  signalId: Id,
  ts: z.string(),
  bidask: z.object({ short: BookQuoteJson, long: BookQuoteJson }),
  shortAsk: z.number().finite().nullable(),
  longBid: z.number().finite().nullable(),
  exitFeeFrac: z.number().finite(),
});
/** the sample's id; null when the trade is no longer open or a price is missing */
export const Result = Id.nullable();

export const recordSpreadSample = (c: SqlClient, p: z.input<typeof Params>): Promise<number | null> =>
  callValue(c, { name: 'record_spread_sample', text, params: Params, result: Result,
    values: (x) => [x.signalId, x.ts, JSON.stringify(x.bidask), x.shortAsk, x.longBid, x.exitFeeFrac] }, p);
