// Every 5 minutes: forward outcomes of due events. Asks SQL which legs' horizons no funding
// history covers yet, fetches those from the venues this worker runs (a failed fetch is
// recorded and the leg falls back to the recorded schedule), then one SQL pass computes
// and upserts every due (event, horizon) (watchlist.compute_outcomes).
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { Queryable } from '../venues/paper-venue.ts';
import type { Venue } from '../venues/types.ts';
import { sharedVenues } from '../venues/registry.ts';

const Point = z.object({ ts: z.number().int().positive(), rate: z.number().finite().gt(-1).lt(1) });

export interface OutcomePass {
  fetched: number;
  fetchErrors: number;
  written: number;
}

export async function runOutcomes(db: Queryable, venues: Venue[], now: number): Promise<OutcomePass> {
  const at = new Date(now).toISOString();
  const { rows: needs } = await db.query(
    `select venue, symbol, (extract(epoch from from_ts) * 1000)::bigint as f, (extract(epoch from to_ts) * 1000)::bigint as t
     from watchlist.outcome_funding_needs($1)`,
    [at],
  );
  let fetched = 0;
  let fetchErrors = 0;
  for (const n of needs as Array<{ venue: string; symbol: string; f: string; t: string }>) {
    const venue = venues.find((v) => v.name === n.venue);
    if (!venue) continue; // not run here: the recorded schedule or a rule applies
    const from = Number(n.f);
    const to = Number(n.t);
    let points: unknown = null;
    let error: string | null = null;
    try {
      const got = await venue.fetchFundingHistory(n.symbol, from, to);
      points = z.array(Point).parse(got);
      fetched++;
    } catch (e) {
      error = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`.slice(0, 500);
      fetchErrors++;
    }
    await db.query('select watchlist.record_funding_history($1, $2, $3, $4, $5::jsonb, $6, $7)', [
      n.venue,
      n.symbol,
      new Date(from).toISOString(),
      new Date(to).toISOString(),
      JSON.stringify(points ?? []),
      `history:${(venue as { mode?: string }).mode ?? 'live'}`,
      error,
    ]);
  }
  // legs on these venues wait for their history (the fetch budget is per pass) rather than fall back
  const { rows } = await db.query('select watchlist.compute_outcomes($1, $2::text[]) as n', [at, venues.map((v) => v.name)]);
  return { fetched, fetchErrors, written: Number(rows[0].n) };
}

export const compute_outcomes: Task = async (_payload, { withPgClient, logger }) => {
  const db: Queryable = { query: (text, params) => withPgClient((c) => c.query(text, params)) };
  const set = await sharedVenues(db);
  const r = await runOutcomes(db, set.venues, set.clock.now());
  if (r.fetchErrors) logger.warn(`compute_outcomes: ${r.fetchErrors} funding-history fetches failed (schedule fallback)`);
  if (r.written) logger.info(`compute_outcomes: ${r.written} outcomes, ${r.fetched} histories fetched`);
};
