// Tell the database which venues this worker runs and which markets each loaded,
// so the gate and manual_trade refuse what no process can execute
// (watchlist.record_worker_venues, sql/worker_venues.sql).
import os from 'node:os';
import type { Venue } from './types.ts';
import type { Queryable } from './paper-venue.ts';

function symbolsOf(v: Venue): string[] {
  try {
    return v.symbols();
  } catch {
    return []; // markets not loaded (exchange unreachable at start)
  }
}

export async function publishRunningVenues(db: Queryable, venues: Venue[]): Promise<void> {
  const rows = venues.map((v) => {
    const symbols = symbolsOf(v);
    return { venue: v.name, mode: (v as { mode?: string }).mode ?? 'live', markets_loaded: symbols.length > 0, symbols };
  });
  await db.query('select watchlist.record_worker_venues($1, $2::jsonb)', [`${os.hostname()}:${process.pid}`, JSON.stringify(rows)]);
}
