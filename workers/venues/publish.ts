// Tell the database which venues this worker runs and which markets each loaded,
// so the gate and manual_trade refuse what no process can execute
// (watchlist.record_worker_venues, sql/worker_venues.sql).
import os from 'node:os';
import type { Venue } from './types.ts';
import type { SqlClient } from '../sql/client.ts';
import { recordWorkerVenues } from '../sql/record_worker_venues.ts';

function symbolsOf(v: Venue): string[] {
  try {
    return v.symbols();
  } catch {
    return []; // markets not loaded (exchange unreachable at start)
  }
}

export async function publishRunningVenues(db: SqlClient, venues: Venue[]): Promise<void> {
  const rows = venues.map((v) => {
    const symbols = symbolsOf(v);
    return { venue: v.name, mode: (v as { mode?: string }).mode ?? 'live', markets_loaded: symbols.length > 0, symbols };
  });
  await recordWorkerVenues(db, { worker: `${os.hostname()}:${process.pid}`, venues: rows });
}
