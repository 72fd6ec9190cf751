// bench:ingest:history — does the merge's cost follow the batch or the history?
// Times the same 1000-row writer-shaped INSERT (125 pairs × 8 minutes, lean rows,
// merge + gate active) on fresh tables, then after 300k past events and 100k past
// merge keys are loaded, and prints both medians and their ratio.
import type pg from 'pg';
import { benchDatabase, percentile, registerVenues } from './helpers/db.ts';

const BATCHES = 30;
const META = JSON.stringify({ factors: { raw_slope_3m: 0.00012 }, pnl_regression: { 240: { pnl_hat: 0.01, win_prob: 0.9 } } });

const insertBatch = (c: pg.PoolClient, b: number) =>
  c.query(
    `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange, spread_rel, meta)
     select '2026-06-01'::timestamptz + make_interval(mins => $1 * 8 + m), 'multi', 'S' || (k / 7), 'B', (($1 * 8 + m + k) % 40) < 30,
            'v' || (k % 7), 'w', 0.01, $2::jsonb
     from generate_series(0, 7) m, generate_series(1, 125) k`,
    [b, META],
  );

async function medianMs(c: pg.PoolClient, first: number): Promise<number> {
  for (let b = first; b < first + 5; b++) await insertBatch(c, b); // warm the keys' state
  const ms: number[] = [];
  for (let b = first + 5; b < first + 5 + BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    await insertBatch(c, b);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return percentile(ms, 50);
}

const db = await benchDatabase('ingest_history');
const c = await db.pool.connect();
try {
  await c.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-06-01', '2026-06-03')`);
  await registerVenues(c, ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'w']);
  const fresh = await medianMs(c, 0);
  await c.query(`alter table watchlist.watch_signal_event disable trigger user`);
  await c.query(`insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, end_ts, status, features_agg)
                 select 'multi', 'H' || g, 'B', '2026-05-01', '2026-05-01', 'closed', '{}' from generate_series(1, 300000) g`);
  await c.query(`alter table watchlist.watch_signal_event enable trigger user`);
  await c.query(`insert into watchlist.event_merge_state (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange, last_trigger_ts)
                 select 'multi', 'H' || g, 'B', 'x', 'y', '2026-05-01' from generate_series(1, 100000) g`);
  await c.query('analyze watchlist.watch_signal_event; analyze watchlist.event_merge_state');
  const loaded = await medianMs(c, 100);
  console.log(`batch_ms_fresh_tables: ${fresh.toFixed(1)} ms`);
  console.log(`batch_ms_after_300k_events: ${loaded.toFixed(1)} ms`);
  console.log(`history_cost_ratio: ${(loaded / fresh).toFixed(2)} x`);
} finally {
  c.release();
  await db.close();
}
