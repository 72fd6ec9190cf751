// watchlist.venue_report(venue, ok, error): the venue's API health and back-off.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select (watchlist.venue_report($1, $2, $3)).status as result';
export const Params = z.object({ venue: z.string(), ok: z.boolean(), error: z.string().nullable().default(null) });
export const Result = z.enum(['ok', 'backoff', 'down']);

export const venueReport = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'venue_report', text, params: Params, result: Result, values: (x) => [x.venue, x.ok, x.error] }, p);
