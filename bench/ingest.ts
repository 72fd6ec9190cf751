// bench:ingest — 200k watch_signal_raw rows in 1000-row INSERTs (one statement
// each), with the event-merge trigger (and the gate it drives) active and, in the
// same run, disabled. Two shapes of batch:
//   wide   — one minute of 1000 pairs per statement (a scanner over a large universe:
//            most rows extend an open event, the trigger's worst case);
//   writer — 125 pairs × 8 minutes per statement (the plan's watch universe of ~20
//            symbols, written in buffered batches as its existing writer does).
// Rows carry a ~1.3 KB meta like the scanner's (BENCH_META=lean: only the
// regression and factors, ~0.3 KB, the event merge's own input). Only the INSERTs are timed.
import type pg from 'pg';
import { benchDatabase, registerVenues } from './helpers/db.ts';

const ROWS = Number(process.env.BENCH_ROWS || 200_000);
const BATCH = 1000;
const SHAPES = { wide: { keys: 1000, minutes: 1 }, writer: { keys: 125, minutes: 8 } } as const;
const VENUES = ['binance', 'okx', 'bybit', 'bitget', 'gate', 'mexc', 'htx'];

// deterministic mix: ~2/3 of keys trigger in runs (events open/extend/close), the rest sparsely
const triggered = (key: number, minute: number) => {
  const h = Math.imul(key * 2654435761 + minute * 40503, 2246822519) >>> 0;
  return key % 3 === 0 ? h % 5 === 0 : (minute + key) % 40 < 30;
};

// a raw row's meta as the scanner writes it (~1.5 KB): pairs, per-venue quotes,
// book sweep, factors, trigger prices and the three-horizon regression
const LEAN = process.env.BENCH_META === 'lean';
const metaFor = (k: number, m: number, a: string, b: string) => {
  if (LEAN) {
    return JSON.stringify({
      factors: { raw_slope_3m: 0.00012, raw_drift_ratio: 0.31, spread_log_short_over_long: 0.0049, raw_crossings_1h: 4, raw_best_buy_high_sell_low: 0.0049 },
      pnl_regression: { 240: { pnl_hat: ((k + m) % 50) / 1000, win_prob: 0.9 } },
    });
  }
  const p = 100 + (k % 50) + m / 1000;
  const ex = (name: string, off: number) => ({
    name, kind: 'perp', funding_rate: 0.0001 * ((k % 7) - 3), funding_interval_hours: 8,
    next_funding_time: '2026-06-01T08:00:00Z', price_bid: p + off, price_ask: p + off + 0.01,
    bid_top: p + off + 0.005, ask_top: p + off + 0.006, depth_ok: true, book_ts: '2026-06-01T00:00:01Z',
  });
  return JSON.stringify({
    pairs_top: [
      { high_exch: a, low_exch: b, spread_pct: 0.004 + (k % 9) / 1000, dir: 'buy_high_sell_low' },
      { high_exch: b, low_exch: a, spread_pct: 0.001, dir: 'sell_high_buy_low' },
      { high_exch: a, low_exch: 'htx', spread_pct: 0.002, dir: 'buy_high_sell_low' },
    ],
    exchanges: [ex(a, 0.5), ex(b, 0)],
    orderbook: { notional_usdt: 50, legs: [{ exchange: a, buy: p + 0.51, sell: p + 0.5 }, { exchange: b, buy: p + 0.01, sell: p }], stale_reason: null },
    factors: { raw_slope_3m: 0.00012, raw_drift_ratio: 0.31, spread_log_short_over_long: 0.0049, raw_crossings_1h: 4, raw_best_buy_high_sell_low: 0.0049 },
    factors_missing: {},
    trigger_details: { prices: { high: { exchange: a, bid: p + 0.5, ask: p + 0.51 }, low: { exchange: b, bid: p, ask: p + 0.01 } } },
    pnl_regression: Object.fromEntries([60, 240, 480].map((h) => [h, { pnl_hat: ((k + m) % 50) / 1000, win_prob: 0.9, model_version: 'prior-2025-12', reason: null }])),
  });
};

async function run(pool: pg.Pool, shape: keyof typeof SHAPES, withTrigger: boolean, startMinute: number) {
  const { keys, minutes } = SHAPES[shape];
  const client = await pool.connect();
  let secs = 0;
  try {
    await client.query(`alter table watchlist.watch_signal_raw ${withTrigger ? 'enable' : 'disable'} trigger _500_merge_events`);
    const base = Date.parse('2026-06-01T00:00:00Z') + startMinute * 60_000;
    for (let b = 0; b < ROWS / BATCH; b++) {
      const ts: string[] = [], sym: string[] = [], la: string[] = [], lb: string[] = [], trig: boolean[] = [], spread: number[] = [], meta: string[] = [];
      for (let i = 0; i < minutes; i++) {
        const m = b * minutes + i;
        for (let k = 0; k < keys; k++) {
          ts.push(new Date(base + m * 60_000).toISOString());
          sym.push(`S${Math.floor(k / 21)}/USDT:USDT`);
          la.push(VENUES[k % 7]);
          lb.push(VENUES[(k + 1 + Math.floor(k / 7)) % 7]);
          trig.push(triggered(k, m));
          spread.push(((k * 7 + m) % 100) / 5000);
          meta.push(metaFor(k, m, la.at(-1)!, lb.at(-1)!));
        }
      }
      const t0 = process.hrtime.bigint();
      await client.query(
        `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange, spread_rel, best_buy_high_sell_low, meta)
         select t, 'multi', s, 'B', tr, a, b, sp, sp, m::jsonb
         from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::float8[], $7::text[]) as u(t, s, a, b, tr, sp, m)`,
        [ts, sym, la, lb, trig, spread, meta],
      );
      secs += Number(process.hrtime.bigint() - t0) / 1e9;
    }
    return { secs, rowsPerSec: ROWS / secs };
  } finally {
    await client.query(`alter table watchlist.watch_signal_raw enable trigger _500_merge_events`);
    client.release();
  }
}

const db = await benchDatabase('ingest');
try {
  await db.pool.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-06-01', '2026-07-30')`);
  await registerVenues(db.pool, VENUES);
  let start = 0;
  for (const shape of ['writer', 'wide'] as const) {
    const results: { with: number[]; without: number[] } = { with: [], without: [] };
    // alternate to even out warm-up and checkpoints; each round on fresh minutes
    for (const withTrigger of [false, true, false, true]) {
      const r = await run(db.pool, shape, withTrigger, start);
      start += (ROWS / SHAPES[shape].keys) + 10;
      (withTrigger ? results.with : results.without).push(r.rowsPerSec);
      console.error(`${shape} ${withTrigger ? 'with trigger   ' : 'without trigger'}: ${r.rowsPerSec.toFixed(0)} rows/s (${r.secs.toFixed(2)} s)`);
    }
    const best = (xs: number[]) => Math.max(...xs);
    const withT = best(results.with);
    const withoutT = best(results.without);
    const tag = LEAN ? `${shape}_lean` : shape;
    console.log(`ingest_${tag}_rows_per_sec_with_trigger: ${withT.toFixed(0)} rows/s`);
    console.log(`ingest_${tag}_rows_per_sec_without_trigger: ${withoutT.toFixed(0)} rows/s`);
    console.log(`ingest_${tag}_trigger_cost_ratio: ${(withoutT / withT).toFixed(2)} x`);
  }
  const { rows } = await db.pool.query(`select count(*)::int as events from watchlist.watch_signal_event`);
  console.log(`events_opened: ${rows[0].events} events`);
} finally {
  await db.close();
}
