// sql/scan.sql, the Type B scanner: window factors against an independent reference
// on a series with missing minutes, raw rows for triggered pairs, missing history,
// stale quotes. The collector and the scanner are worker jobs (wl_writer); the
// coverage view is read by dashboards (wl_reader).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { partitions, type Q } from '../helpers/fixtures.ts';
import { referenceFactors, rng, type Point } from '../helpers/factor-reference.ts';

const MIN = 60_000;
// 14h before now, 17 minutes past an hour, so windows straddle hour buckets
const T0 = Math.floor((Date.now() - 14 * 3600_000) / 3600_000) * 3600_000 + 17 * MIN;
const N = 800; // minutes of history
const at = (m: number) => T0 + m * MIN;
const iso = (ms: number) => new Date(ms).toISOString();
const DISLOCATION_FROM = N - 30; // okx jumps 2% above binance for the last 30 minutes

type Snap = { m: number; venue: string; symbol: string; mid: number; bookAgeSec?: number; depthOk?: boolean };
const HALF_SPREAD = 0.0001;

async function insertSnaps(q: Q, snaps: Snap[]) {
  for (let i = 0; i < snaps.length; i += 2000) {
    const chunk = snaps.slice(i, i + 2000);
    const params: unknown[] = [];
    const values = chunk.map((s, j) => {
      const ts = at(s.m);
      params.push(iso(ts), s.venue, s.symbol, s.mid, iso(ts - (s.bookAgeSec ?? -3) * 1000), s.depthOk ?? true);
      const k = j * 6;
      return `($${k + 1}::timestamptz, $${k + 2}, $${k + 3}, $${k + 4}::numeric * (1 - ${HALF_SPREAD}), $${k + 4}::numeric * (1 + ${HALF_SPREAD}),
        $${k + 4}::numeric, $${k + 4}::numeric, $${k + 4}::numeric, $${k + 6}, 50, 0.0001, 8, $${k + 1}::timestamptz + interval '8 hours', $${k + 5}::timestamptz)`;
    });
    await q.query(
      `insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt,
         funding_rate, funding_interval_hours, next_funding_time, book_ts) values ${values.join(',')}`,
      params,
    );
  }
}

// series of SYN: s = ln(mid_binance / mid_okx) (binance < okx alphabetically)
const series: Point[] = [];
const rand = rng(42);

// 800 minutes collected and scanned once for the file, committed, as the worker
async function collectAndScan(q: Q) {
  for (const t of ['market_snapshot', 'watch_signal_raw']) await partitions(q, t, T0 - 86400_000, Date.now() + 86400_000);

  const snaps: Snap[] = [];
  let x = 0;
  for (let m = 0; m < N; m++) {
    // mean-reverting noise around 0, some exact zeros-free floats
    x = 0.9 * x + 0.0004 * (rand() - 0.5) + 0.0001 * Math.sin(m / 7);
    const s = m >= DISLOCATION_FROM ? x - 0.02 - 0.0002 * (m - DISLOCATION_FROM) : x;
    const keep = rand() >= 0.2 || m >= N - 3; // drop 20% of minutes; keep the last three
    if (!keep) continue;
    const mid = 100 * Math.exp(s);
    series.push({ t: at(m), s: Math.log(mid / 100) });
    snaps.push({ m, venue: 'binance', symbol: 'SYN/USDT:USDT', mid }, { m, venue: 'okx', symbol: 'SYN/USDT:USDT', mid: 100 });
  }
  // a pair with 10 minutes of history and a 3% dislocation
  for (let m = N - 10; m < N; m++)
    snaps.push({ m, venue: 'bybit', symbol: 'NEW/USDT:USDT', mid: 50 * 1.03 }, { m, venue: 'okx', symbol: 'NEW/USDT:USDT', mid: 50 });
  // last minute: a 5% dislocation on a stale book; one on a book without depth;
  // the fresh pair beside them stays
  snaps.push(
    { m: N - 1, venue: 'binance', symbol: 'STL/USDT:USDT', mid: 10 * 1.05, bookAgeSec: 300 },
    { m: N - 1, venue: 'okx', symbol: 'STL/USDT:USDT', mid: 10 },
    { m: N - 1, venue: 'bybit', symbol: 'STL/USDT:USDT', mid: 10 * 1.01 },
    { m: N - 1, venue: 'bitget', symbol: 'DEP/USDT:USDT', mid: 20 * 1.05, depthOk: false },
    { m: N - 1, venue: 'okx', symbol: 'DEP/USDT:USDT', mid: 20 },
  );
  await insertSnaps(q, snaps);
  const { rows } = await q.query(
    `select watchlist.scan(t) as r from generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') t`,
    [iso(at(0)), iso(at(N - 1))],
  );
  expect(rows).toHaveLength(N);
}

const { test } = sqlFile({
  role: 'wl_writer',
  setup: async (db) => {
    const c = await db.pool.connect();
    try {
      await c.query('set role wl_writer');
      await collectAndScan(c);
    } finally {
      await c.query('reset role');
      c.release();
    }
  },
});
const it = test;


const pairId = async (q: Q, symbol: string, a: string, b: string) =>
  (await q.query('select id from watchlist.scan_pair where (symbol, venue_a, venue_b) = ($1, $2, $3)', [symbol, a, b])).rows[0]?.id as number;

const close = (got: number | null, want: number | null, tol = 1e-9) => {
  if (want === null) return expect(got).toBeNull();
  expect(got).not.toBeNull();
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(tol);
};

describe('window factors', () => {
  it('equal the TypeScript reference on a series with 20% of minutes missing', async ({ tx }) => {
    const id = await pairId(tx, 'SYN/USDT:USDT', 'binance', 'okx');
    const present = new Set(series.map((p) => p.t));
    // every minute of the last hour (present or not) plus a few earlier ones, so
    // windows start on, before and after hour boundaries
    const evalAt = [...Array.from({ length: 61 }, (_, i) => at(N - 61 + i)), at(730), at(763), at(N - 77)];
    const { rows } = await tx.query(
      `select t, f.* from unnest($2::timestamptz[]) t, lateral watchlist.pair_series_factors($1, t) f order by t`,
      [id, evalAt.map(iso)],
    );
    expect(rows).toHaveLength(evalAt.length);
    expect(present.size).toBeLessThan(N * 0.85); // minutes really are missing
    let crossingsSeen = 0;
    for (const r of rows) {
      const t = r.t.getTime();
      const ref = referenceFactors(series, t, 1);
      expect(r.n_1h).toBe(ref.n1h);
      expect(r.n_1h).toBeLessThan(61);
      close(r.slope_3m, ref.slope3m);
      expect(r.crossings_1h).toBe(ref.crossings1h);
      close(r.drift_ratio, ref.driftRatio);
      close(r.range_1h, ref.range1h);
      close(r.range_12h, ref.range12h);
      close(r.volatility, ref.volatility);
      expect(r.missing).toEqual({});
      crossingsSeen += ref.crossings1h;
    }
    expect(crossingsSeen).toBeGreaterThan(20);
  });

  it('flip sign with the orientation only for the slope (raw rows are oriented high over low)', async ({ tx }) => {
    const { rows } = await tx.query(
      `select ts, slope_3m, crossings_1h, drift_ratio, range_1h, range_12h, volatility, meta
       from watchlist.watch_signal_raw where symbol = 'SYN/USDT:USDT' order by ts`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const r of rows) {
      const ref = referenceFactors(series, r.ts.getTime(), -1); // okx (venue_b) is high
      close(r.slope_3m, ref.slope3m);
      expect(r.crossings_1h).toBe(ref.crossings1h);
      close(r.drift_ratio, ref.driftRatio);
      close(r.range_1h, ref.range1h);
      close(r.range_12h, ref.range12h);
      close(r.volatility, ref.volatility);
      close(r.meta.factors.raw_slope_3m, ref.slope3m);
    }
  });
});

describe('scan', () => {
  it('turns a triggered pair into a raw row: short the high bid venue, long the low ask venue', async ({ tx }) => {
    const { rows } = await tx.query(
      `select r.*, s.bid as okx_bid, s.ask as okx_ask, b.bid as bin_bid, b.ask as bin_ask, b.mid as bin_mid
       from watchlist.watch_signal_raw r
       join watchlist.market_snapshot s on s.ts = r.ts and s.venue = 'okx' and s.symbol = r.symbol
       join watchlist.market_snapshot b on b.ts = r.ts and b.venue = 'binance' and b.symbol = r.symbol
       where r.symbol = 'SYN/USDT:USDT' and r.ts = $1`,
      [iso(at(N - 1))],
    );
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect(r).toMatchObject({
      exchange: 'multi', signal_type: 'B', triggered: true,
      leg_a_exchange: 'okx', leg_a_kind: 'perp', leg_a_symbol: 'SYN/USDT:USDT',
      leg_b_exchange: 'binance', leg_b_kind: 'perp',
    });
    expect(Number(r.leg_a_price)).toBeCloseTo(Number(r.okx_bid), 9);
    expect(Number(r.leg_b_price)).toBeCloseTo(Number(r.bin_ask), 9);
    const okxBid = Number(r.okx_bid), binAsk = Number(r.bin_ask), okxAsk = Number(r.okx_ask), binBid = Number(r.bin_bid);
    close(r.best_buy_high_sell_low, (okxBid - binAsk) / binAsk, 1e-12);
    close(r.best_sell_high_buy_low, (okxAsk - binBid) / binBid, 1e-12);
    close(r.spread_rel, (100 - Number(r.bin_mid)) / Number(r.bin_mid), 1e-12);
    expect(r.leg_a_funding_rate).toBe(0.0001);
    expect(r.leg_a_funding_interval_hours).toBe(8);

    const m = r.meta;
    expect(Object.keys(m.factors).sort()).toEqual(
      ['raw_best_buy_high_sell_low', 'raw_crossings_1h', 'raw_drift_ratio', 'raw_slope_3m', 'spread_log_short_over_long'],
    );
    for (const v of Object.values(m.factors)) expect(typeof v).toBe('number');
    close(m.factors.spread_log_short_over_long, Math.log(okxBid / binAsk), 1e-12);
    expect(m.factors_missing).toEqual({});
    expect(m.trigger_details.prices.high).toMatchObject({ exchange: 'okx' });
    expect(m.trigger_details.prices.low).toMatchObject({ exchange: 'binance' });
    expect(m.pairs_top[0]).toMatchObject({ high_exch: 'okx', low_exch: 'binance' });
    expect(m.exchanges.map((e: { name: string }) => e.name)).toEqual(['binance', 'okx']);
    expect(m.orderbook.legs.map((l: { exchange: string; side: string }) => [l.exchange, l.side])).toEqual([['okx', 'short'], ['binance', 'long']]);
    for (const h of ['60', '240', '480']) {
      expect(m.pnl_regression[h].model_version).toBe('prior-2025-12');
      expect(m.pnl_regression[h].pnl_hat).toBeGreaterThan(0.01);
      expect(m.pnl_regression[h].win_prob).toBeGreaterThan(0.5);
    }
    // the pre-dislocation minutes never triggered
    const { rows: early } = await tx.query(`select count(*)::int as n from watchlist.watch_signal_raw where symbol = 'SYN/USDT:USDT' and ts < $1`, [iso(at(DISLOCATION_FROM))]);
    expect(early[0].n).toBe(0);
    // consecutive triggered minutes became an event
    const { rows: ev } = await tx.query(`select leg_a_exchange, leg_b_exchange from watchlist.watch_signal_event where symbol = 'SYN/USDT:USDT'`);
    expect(ev.length).toBeGreaterThanOrEqual(1);
  });

  it('a pair with under 1h of history gets NULL factors with reasons; the scan still writes it', async ({ tx }) => {
    const { rows } = await tx.query(
      `select * from watchlist.watch_signal_raw where symbol = 'NEW/USDT:USDT' order by ts`,
    );
    expect(rows).toHaveLength(10);
    const r = rows[rows.length - 1];
    expect(r.leg_a_exchange).toBe('bybit');
    expect(r.crossings_1h).toBeNull();
    expect(r.drift_ratio).toBeNull();
    expect(r.meta.factors.raw_crossings_1h).toBeNull();
    expect(r.meta.factors.raw_drift_ratio).toBeNull();
    expect(typeof r.meta.factors.raw_slope_3m).toBe('number');
    expect(r.meta.factors_missing).toMatchObject({
      raw_crossings_1h: 'insufficient_history_1h',
      raw_drift_ratio: 'insufficient_history_1h',
      range_12h: 'insufficient_history_12h',
    });
    expect(r.meta.pnl_regression['240']).toMatchObject({ pnl_hat: null, win_prob: null });
    expect(r.meta.pnl_regression['240'].reason).toMatch(/^missing_factor:raw_(crossings_1h|drift_ratio)$/);
    // the first minute has no 3-minute slope either
    expect(rows[0].meta.factors_missing.raw_slope_3m).toBe('insufficient_points_3m');
  });

  it('ignores stale quotes and books without depth', async ({ tx }) => {
    const { rows } = await tx.query(
      `select symbol, leg_a_exchange, leg_b_exchange from watchlist.watch_signal_raw
       where symbol in ('STL/USDT:USDT', 'DEP/USDT:USDT') order by 1, 2`,
    );
    // STL: binance is stale, so only bybit (1% above okx) vs okx remains
    expect(rows).toEqual([{ symbol: 'STL/USDT:USDT', leg_a_exchange: 'bybit', leg_b_exchange: 'okx' }]);
    const { rows: pairs } = await tx.query(
      `select venue_a, venue_b from watchlist.scan_pair where symbol = 'STL/USDT:USDT' order by 1, 2`,
    );
    expect(pairs).toEqual([{ venue_a: 'bybit', venue_b: 'okx' }]);
    // DEP: no depth → no trigger, but its series point is kept
    const { rows: dep } = await tx.query(
      `select count(*)::int as n from watchlist.pair_minute m join watchlist.scan_pair p on p.id = m.pair_id where p.symbol = 'DEP/USDT:USDT'`,
    );
    expect(dep[0].n).toBe(1);
  });

  it('skips a minute already scanned and reports what it did', async ({ tx }) => {
    const again = (await tx.query('select watchlist.scan($1) as r', [iso(at(N - 1))])).rows[0].r;
    expect(again.skipped).toBe('already_scanned');
    const { rows } = await tx.query('select summary from watchlist.scan_run where ts = $1', [iso(at(N - 1))]);
    expect(rows[0].summary).toMatchObject({ pairs: 4, raw_rows: 3 });
  });

  it('reports prediction coverage and missing reasons by venue, symbol and hour', async ({ tx }) => {
    await tx.as('wl_reader');
    const { rows } = await tx.query(
      `select venue, sum(n_rows)::int as n, sum(n_predicted)::int as p, jsonb_agg(reasons) as reasons
       from watchlist.v_prediction_coverage where source = 'raw' and symbol = 'NEW/USDT:USDT' group by venue order by venue`,
    );
    expect(rows.map((r) => [r.venue, r.n, r.p])).toEqual([['bybit', 10, 0], ['okx', 10, 0]]);
    expect(JSON.stringify(rows[0].reasons)).toContain('raw_crossings_1h: insufficient_history_1h');
    const { rows: syn } = await tx.query(
      `select sum(n_rows)::int as n, sum(n_predicted)::int as p from watchlist.v_prediction_coverage
       where source = 'raw' and symbol = 'SYN/USDT:USDT' and venue = 'okx'`,
    );
    expect(syn[0].n).toBeGreaterThan(0);
    expect(syn[0].p).toBe(syn[0].n);
  });
});
