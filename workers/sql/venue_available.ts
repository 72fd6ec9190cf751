// watchlist.venue_available(venue): false while the venue is in back-off.
import { z } from 'zod';
import { callRows, type SqlClient } from './client.ts';

export const text = 'select v as venue, watchlist.venue_available(v) as ok from unnest($1::text[]) v';
export const Params = z.object({ venues: z.array(z.string()) });
export const Row = z.object({ venue: z.string(), ok: z.boolean() });

/** the venues of `venues` that may be called now */
export async function venuesAvailable(c: SqlClient, venues: string[]): Promise<Set<string>> {
  const rows = await callRows(c, { name: 'venue_available', text, params: Params, row: Row, values: (x) => [x.venues] }, { venues });
  return new Set(rows.filter((r) => r.ok).map((r) => r.venue));
}
