// bench:raw-guard — what the raw-row guard (sql/raw_guard.sql) costs an ingest batch:
// writer-shaped 1000-row INSERTs (125 pairs × 8 minutes, ~1.3 KB meta, event merge
// active), the guard's triggers enabled and disabled in alternation on the same
// database so machine load hits both alike; medians of BENCH_ROUNDS (40) each.
import { benchDatabase, percentile, registerVenues } from './helpers/db.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 40);
const VENUES = ['binance', 'okx', 'bybit', 'bitget', 'gate', 'mexc', 'htx'];
const META = JSON.stringify({
  factors: { raw_slope_3m: 0.00012, raw_drift_ratio: 0.31, spread_log_short_over_long: 0.0049 },
  pnl_regression: { 240: { pnl_hat: 0.01, win_prob: 0.9 } },
  pad: 'x'.repeat(1000),
});

const db = await benchDatabase('raw_guard');
try {
  await db.pool.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-06-01', '2026-07-30')`);
  await registerVenues(db.pool, VENUES);
  const c = await db.pool.connect();
  const ms: { on: number[]; off: number[] } = { on: [], off: [] };
  let minute = 0;
  try {
    for (let i = 0; i < 2 * ROUNDS; i++) {
      const on = i % 2 === 0;
      for (const t of ['_110_guard', '_100_guard_params']) {
        await c.query(`alter table watchlist.watch_signal_raw ${on ? 'enable' : 'disable'} trigger ${t}`);
      }
      const t0 = process.hrtime.bigint();
      await c.query(
        `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange,
           spread_rel, best_buy_high_sell_low, leg_a_price, leg_b_price, meta)
         select '2026-06-01'::timestamptz + make_interval(mins => $1 + m), 'multi', 'S' || (k / 21) || '/USDT:USDT', 'B', (m + k) % 40 < 30,
           ($2::text[])[k % 7 + 1], ($2::text[])[(k + 1 + k / 7) % 7 + 1], 0.01, 0.01, 100, 99, $3::jsonb
         from generate_series(0, 7) m, generate_series(0, 124) k`,
        [minute, VENUES, META],
      );
      (on ? ms.on : ms.off).push(Number(process.hrtime.bigint() - t0) / 1e6);
      minute += 8;
    }
  } finally {
    await c.query(`alter table watchlist.watch_signal_raw enable trigger user`);
    c.release();
  }
  const { rows } = await db.pool.query('select count(*)::int as n from watchlist.watch_signal_raw_rejected');
  if (rows[0].n !== 0) throw new Error(`the bench's rows should all pass the guard; ${rows[0].n} were rejected`);
  const on = percentile(ms.on, 50);
  const off = percentile(ms.off, 50);
  console.log(`raw_guard_batch_ms_with_guard: ${on.toFixed(1)} ms`);
  console.log(`raw_guard_batch_ms_without_guard: ${off.toFixed(1)} ms`);
  console.log(`raw_guard_cost_ratio: ${(on / off).toFixed(3)} x`);
} finally {
  await db.close();
}
