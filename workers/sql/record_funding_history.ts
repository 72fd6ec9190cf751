// watchlist.record_funding_history(venue, symbol, from, to, points, source, error): a fetch's
// settlements and span cached in funding_settlement / funding_history_span (or its error).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.record_funding_history($1, $2, $3, $4, $5::jsonb, $6, $7) as result';
export const Params = z.object({
  venue: z.string(),
  symbol: z.string(),
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({ ts: z.number().int().positive(), rate: z.number().finite() }).strict()),
  source: z.string(),
  error: z.string().nullable(),
});
export const Result = z.unknown();

export const recordFundingHistory = async (c: SqlClient, p: z.input<typeof Params>): Promise<void> => {
  await callValue(c, { name: 'record_funding_history', text, params: Params, result: Result,
    values: (x) => [x.venue, x.symbol, x.from, x.to, JSON.stringify(x.points), x.source, x.error] }, p);
};
