// Every 5 minutes: forward outcomes of due events. Asks SQL which legs' horizons no funding
// history covers yet, fetches those from the venues this worker runs (a failed fetch is
// recorded and the leg falls back to the recorded schedule), then the SQL pass computes and
// upserts every due (event, horizon) (watchlist.compute_outcomes, in outcome.parallel shares).
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { perCallClient, type SqlClient } from '../sql/client.ts';
import { outcomeFundingNeeds } from '../sql/outcome_funding_needs.ts';
import { recordFundingHistory } from '../sql/record_funding_history.ts';
import { computeOutcomes } from '../sql/compute_outcomes.ts';
import { cfgNum } from '../sql/cfg_num.ts';
import type { Venue } from '../venues/types.ts';
import { sharedVenues } from '../venues/registry.ts';

const Point = z.object({ ts: z.number().int().positive(), rate: z.number().finite().gt(-1).lt(1) });

export interface OutcomePass {
  fetched: number;
  fetchErrors: number;
  written: number;
}

export async function runOutcomes(db: SqlClient, venues: Venue[], now: number): Promise<OutcomePass> {
  const at = new Date(now).toISOString();
  let fetched = 0;
  let fetchErrors = 0;
  for (const n of await outcomeFundingNeeds(db, at)) {
    const venue = venues.find((v) => v.name === n.venue);
    if (!venue) continue; // not run here: the recorded schedule or a rule applies
    let points: z.output<typeof Point>[] = [];
    let error: string | null = null;
    try {
      points = z.array(Point).parse(await venue.fetchFundingHistory(n.symbol, n.from_ms, n.to_ms));
      fetched++;
    } catch (e) {
      error = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`.slice(0, 500);
      fetchErrors++;
    }
    await recordFundingHistory(db, {
      venue: n.venue,
      symbol: n.symbol,
      from: new Date(n.from_ms).toISOString(),
      to: new Date(n.to_ms).toISOString(),
      points,
      source: `history:${(venue as { mode?: string }).mode ?? 'live'}`,
      error,
    });
  }
  // legs on these venues wait for their history (the fetch budget is per pass) rather than fall back
  const written = await computeOutcomesParallel(db, at, venues.map((v) => v.name), await cfgNum(db, 'outcome.parallel'));
  return { fetched, fetchErrors, written };
}

/**
 * The pass as `shards` shares side by side (by symbol pair, so no pair path is computed
 * twice). Each call is its own statement, so a pool or graphile-worker's withPgClient
 * runs them on separate connections; on one plain client they simply queue.
 */
export async function computeOutcomesParallel(db: SqlClient, at: string, venues: string[], shards: number): Promise<number> {
  const n = await Promise.all(Array.from({ length: shards }, (_, i) => computeOutcomes(db, at, venues, i, shards)));
  return n.reduce((a, b) => a + b, 0);
}

/**
 * Passes until no leg waits for a history fetch (`wl outcomes`: one command leaves nothing
 * due behind, where the cron job would take several 5-minute passes when more legs need a
 * history than `outcome.history_fetch_max` allows per pass). Bounded by maxPasses.
 */
export async function runOutcomesUntilDone(
  db: SqlClient,
  venues: Venue[],
  now: number,
  maxPasses = 100,
  onPass: (pass: number, r: OutcomePass) => void = () => {},
): Promise<OutcomePass & { passes: number }> {
  const total = { fetched: 0, fetchErrors: 0, written: 0, passes: 0 };
  for (let pass = 1; pass <= maxPasses; pass++) {
    const r = await runOutcomes(db, venues, now);
    total.fetched += r.fetched;
    total.fetchErrors += r.fetchErrors;
    total.written += r.written;
    total.passes = pass;
    onPass(pass, r);
    // a pass that fetched nothing left no leg waiting: a further pass would find nothing new
    if (r.fetched + r.fetchErrors === 0) break;
  }
  return total;
}

export const compute_outcomes: Task = async (_payload, { withPgClient, logger }) => {
  const db = perCallClient(withPgClient);
  const set = await sharedVenues(db);
  const r = await runOutcomes(db, set.venues, set.clock.now());
  if (r.fetchErrors) logger.warn(`compute_outcomes: ${r.fetchErrors} funding-history fetches failed (schedule fallback)`);
  if (r.written) logger.info(`compute_outcomes: ${r.written} outcomes, ${r.fetched} histories fetched`);
};
