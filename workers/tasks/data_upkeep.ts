// Every 5 minutes: the research tables' writers. The venues' loaded markets become
// watchlist_symbol_ref rows (no exchange call: markets are loaded at start), the last
// half hour of market_snapshot becomes 5-minute watchlist_series_agg bars (idempotent per
// bucket, so late snapshots are picked up), and closed live trades become watchlist_outcome rows.
import type { Task } from 'graphile-worker';
import { perCallClient, type SqlClient } from '../sql/client.ts';
import { recordSymbolRefs } from '../sql/record_symbol_refs.ts';
import { researchUpkeep } from '../sql/research_upkeep.ts';
import type { Venue } from '../venues/types.ts';
import { sharedVenues } from '../venues/registry.ts';

const SERIES_LOOKBACK_MS = 30 * 60_000;

export async function runUpkeep(db: SqlClient, venues: Venue[], now: number): Promise<{ symbols: number; series: number; trades: number }> {
  let symbols = 0;
  for (const v of venues) {
    let listed: string[];
    try {
      listed = v.symbols();
    } catch {
      continue; // markets not loaded (venue down at start): its rows stay as they were
    }
    const markets = listed.map((s) => {
      const m = v.market(s);
      return { symbol: s, contractSize: m.contractSize, minCostUsdt: m.minCostUsdt };
    });
    symbols += await recordSymbolRefs(db, v.name, markets);
  }
  const r = await researchUpkeep(db, new Date(now - SERIES_LOOKBACK_MS).toISOString(), new Date(now).toISOString());
  return { symbols, series: r.series, trades: r.trades };
}

export const data_upkeep: Task = async (_payload, { withPgClient }) => {
  const db = perCallClient(withPgClient);
  const set = await sharedVenues(db);
  await runUpkeep(db, set.venues, set.clock.now());
};
