// Issue 11 items 1–2: forward outcomes over a simulated history, funding at the settlements
// the simulator actually made (history first, the recorded schedule as fallback), an
// interval that changes (okx XRP: 8 h on even UTC days, 4 h on odd days), the paper
// account settling the same funding, and the labels of missing data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { backfill } from '../cli/backfill.ts';
import { buildVenues, type VenueSet } from '../workers/venues/registry.ts';
import { ManualClock } from '../workers/sim/faults.ts';
import { MarketSim } from '../workers/sim/market.ts';
import { DEMO_MARKET } from '../workers/sim/demo.ts';
import { computeOutcomesParallel, runOutcomes, runOutcomesUntilDone } from '../workers/tasks/compute_outcomes.ts';
import { crontab } from '../workers/crontab.ts';
import { VenueError } from '../workers/venues/errors.ts';
import { taskList } from '../workers/tasks/index.ts';
import { runUpkeep } from '../workers/tasks/data_upkeep.ts';
import { checkData } from '../cli/check.ts';
import { spawnWl } from './helpers/proc.ts';

const MIN = 60_000;
const H = 60 * MIN;
// 12 h of history from 2026-01-05 18:00 (an even day: okx XRP 8 h) into 2026-01-06 (odd: 4 h)
const T_END = Date.parse('2026-01-06T06:00:00Z');
const NOW = T_END + 10 * MIN; // outcome.settle_lag_min after the last minute
const SYMBOLS = ['XRP/USDT:USDT', 'DOGE/USDT:USDT', 'SOL/USDT:USDT', 'WIF/USDT:USDT'];
const VENUES = ['binance', 'okx', 'bybit', 'bitget'];
const ENV = { WL_SIM_DEMO: '1', WL_VENUE_MODE: 'paper' };
const HORIZONS = [15, 30, 60, 240, 480, 1440, 2880, 5760];
const iso = (t: number) => new Date(t).toISOString();

let db: TestDb;
let set: VenueSet;
const sim = new MarketSim({ seed: 42, ...DEMO_MARKET }); // the market the registry builds under WL_SIM_DEMO=1

async function insertEvent(symbol: string, high: string, low: string, start: number, type = 'B'): Promise<number> {
  const { rows } = await db.query(
    `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, status, leg_a_exchange, leg_a_symbol, leg_a_kind, leg_b_exchange, leg_b_symbol, leg_b_kind)
     values ('multi', $1, $2, $3, 'closed', $4, $1, 'perp', $5, $1, 'perp') returning id`,
    [symbol, type, iso(start), high, low],
  );
  return Number(rows[0].id);
}

beforeAll(async () => {
  db = await freshDb();
  const s = await backfill(db.pool, { hours: 12, until: T_END, symbols: SYMBOLS, seed: 42, env: ENV, venues: VENUES });
  expect(s.events).toBeGreaterThan(10);
  set = await buildVenues({ db: db.pool, venues: VENUES, mode: 'paper', seed: 42, clock: new ManualClock(NOW), env: ENV });
}, 240_000);

afterAll(async () => {
  await set?.close();
  await db?.close();
});

/** equal, except that two numbers may differ in their last bits (relative 1e-12) */
function sameUpToRounding(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameUpToRounding(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return JSON.stringify(ka) === JSON.stringify(kb) && ka.every((k) => sameUpToRounding((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

describe('outcome worker over a simulated history (wl backfill + the worker)', () => {
  it('is a cron job every 5 minutes', () => {
    expect(crontab).toContain('*/5 * * * * compute_outcomes');
    expect(taskList['compute_outcomes']).toBeTypeOf('function');
  });

  it('every due event has an outcome for every horizon that fits in the history', async () => {
    const r = await runOutcomes(db.pool, set.venues, NOW);
    expect(r.fetched).toBeGreaterThan(0);
    expect(r.fetchErrors).toBe(0);
    const { rows } = await db.query(
      `select e.id, h, o.pnl_total, o.missing, o.label
       from watchlist.watch_signal_event e cross join unnest($2::int[]) h
       left join watchlist.future_outcome o on o.event_id = e.id and o.horizon_min = h
       where e.start_ts + make_interval(mins => h) <= $1`,
      [iso(T_END), HORIZONS],
    );
    expect(rows.length).toBeGreaterThan(50);
    const bad = rows.filter((x) => x.pnl_total === null || x.missing !== false);
    expect(bad).toEqual([]);
    expect(new Set(rows.map((x) => x.h))).toEqual(new Set([15, 30, 60, 240, 480]));
    // nothing beyond the history
    const { rows: beyond } = await db.query(`select count(*)::int as n from watchlist.future_outcome where horizon_end > $1`, [iso(T_END)]);
    expect(beyond[0].n).toBe(0);
    // idempotent: a second pass finds nothing to do and changes nothing
    const before = await db.query('select event_id, horizon_min, pnl_total, funding_applied from watchlist.future_outcome order by 1, 2');
    expect((await runOutcomes(db.pool, set.venues, NOW)).written).toBe(0);
    const after = await db.query('select event_id, horizon_min, pnl_total, funding_applied from watchlist.future_outcome order by 1, 2');
    expect(after.rows).toEqual(before.rows);
  });

  it('wl check data: the gates pass on this history; outcome coverage fails when outcomes are missing', async () => {
    const r = await checkData(db.pool, new Date(NOW));
    const g = Object.fromEntries(r.rows.map((x) => [x.gate, x]));
    expect(Object.keys(g)).toEqual(['outcome_coverage', 'raw_event_join', 'funding_schedule_missing', 'prediction_coverage']);
    expect(g.outcome_coverage).toMatchObject({ value: 1, ok: true });
    expect(g.outcome_coverage.n).toBeGreaterThan(50);
    expect(g.raw_event_join).toMatchObject({ value: 1, ok: true });
    expect(g.funding_schedule_missing).toMatchObject({ value: 0, ok: true });
    expect(g.prediction_coverage.n).toBeGreaterThan(0);
    expect(g.prediction_coverage.ok).toBe(g.prediction_coverage.value! >= 0.9);
    expect(r.table).toMatch(/outcome_coverage\s+100\.00 %\s+95\.00 %/);

    // a tenth of the outcomes gone: coverage under 95 %, the check fails and says why
    await db.query(`create temp table if not exists keep_fo as select * from watchlist.future_outcome with no data`);
    const { rowCount } = await db.query(
      `delete from watchlist.future_outcome where id in (select id from watchlist.future_outcome order by id limit (select count(*) / 10 + 1 from watchlist.future_outcome))`,
    );
    expect(rowCount).toBeGreaterThan(5);
    const bad = await checkData(db.pool, new Date(NOW));
    expect(bad.ok).toBe(false);
    const cov = bad.rows.find((x) => x.gate === 'outcome_coverage')!;
    expect(cov.ok).toBe(false);
    expect(cov.detail).toContain('not computed');
    expect(bad.table).toContain('FAILED');
    await runOutcomes(db.pool, set.venues, NOW); // the worker fills them back
    expect((await checkData(db.pool, new Date(NOW))).rows[0].ok).toBe(true);
  });

  it('spread PnL is entry (high bid / low ask) minus exit (high ask / low bid) from market_snapshot; pnl_total = spread + funding', async () => {
    const { rows } = await db.query(
      `select o.*, e.leg_a_exchange hi, e.leg_b_exchange lo, e.symbol, e.start_ts
       from watchlist.future_outcome o join watchlist.watch_signal_event e on e.id = o.event_id
       where o.horizon_min = 60 limit 5`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const o of rows) {
      const q = async (v: string, t: Date) =>
        (await db.query('select bid::float8, ask::float8 from watchlist.market_snapshot where venue = $1 and symbol = $2 and ts = $3', [v, o.symbol, t])).rows[0];
      const end = new Date(o.start_ts.getTime() + 60 * MIN);
      const [hs, ls, he, le] = [await q(o.hi, o.start_ts), await q(o.lo, o.start_ts), await q(o.hi, end), await q(o.lo, end)];
      const entry = Math.log(hs.bid / ls.ask);
      const exit = Math.log(he.ask / le.bid);
      expect(o.pnl_spread).toBeCloseTo(entry - exit, 9);
      expect(o.pnl_total).toBeCloseTo(o.pnl_spread + o.pnl_funding, 12);
      expect(o.pnl).toBe(o.pnl_total);
      expect(o.spread_change).toBe(o.pnl_spread);
      expect(o.funding_change).toBe(o.pnl_funding);
      expect(o.max_drawdown).toBeGreaterThanOrEqual(Math.max(0, exit - entry) - 1e-12);
      expect(o.volatility).toBeGreaterThan(0);
      expect(o.label).toMatchObject({ short_venue: o.hi, long_venue: o.lo, missing: false });
    }
  });

  it('funding: every settlement the simulator made inside each horizon, short +rate, long −rate', async () => {
    const { rows } = await db.query(
      `select o.event_id, o.horizon_min, o.pnl_funding, o.funding_applied, e.symbol, e.leg_a_exchange hi, e.leg_b_exchange lo, e.start_ts
       from watchlist.future_outcome o join watchlist.watch_signal_event e on e.id = o.event_id where not o.missing`,
    );
    let settlements = 0;
    for (const o of rows) {
      const s = o.start_ts.getTime();
      const e = s + o.horizon_min * MIN;
      const want = [
        ...sim.fundingHistory(o.hi, o.symbol, s + 1, e).map((p) => ({ ts: p.ts, venue: o.hi, side: 'short', rate: p.rate, pnl: p.rate })),
        ...sim.fundingHistory(o.lo, o.symbol, s + 1, e).map((p) => ({ ts: p.ts, venue: o.lo, side: 'long', rate: p.rate, pnl: -p.rate })),
      ].sort((a, b) => a.ts - b.ts || a.side.localeCompare(b.side));
      const got = o.funding_applied.map((f: { ts: string; venue: string; side: string; rate: number; pnl: number; source: string }) => {
        expect(f.source).toBe('history:paper');
        return { ts: Date.parse(f.ts), venue: f.venue, side: f.side, rate: f.rate, pnl: f.pnl };
      });
      expect(got).toEqual(want);
      expect(o.pnl_funding).toBeCloseTo(want.reduce((a, w) => a + w.pnl, 0), 12);
      settlements += want.length;
    }
    expect(settlements).toBeGreaterThan(20);
  });

  it('an interval that changes inside the horizon (okx XRP 8 h → 4 h at midnight): settlements per segment, history and schedule agree', async () => {
    const start = Date.parse('2026-01-05T20:00:00Z');
    const id = await insertEvent('XRP/USDT:USDT', 'okx', 'binance', start);
    await runOutcomes(db.pool, set.venues, NOW);
    const { rows } = await db.query('select * from watchlist.future_outcome where event_id = $1 and horizon_min = 480', [id]);
    const okx = rows[0].funding_applied.filter((f: { venue: string }) => f.venue === 'okx').map((f: { ts: string }) => f.ts);
    const bin = rows[0].funding_applied.filter((f: { venue: string }) => f.venue === 'binance').map((f: { ts: string }) => f.ts);
    // 2026-01-05 is an 8 h day (next would be 2026-01-06 00:00), 2026-01-06 a 4 h day (00:00, 04:00)
    expect(okx.map((t: string) => iso(Date.parse(t)))).toEqual(['2026-01-06T00:00:00.000Z', '2026-01-06T04:00:00.000Z']);
    expect(bin.map((t: string) => iso(Date.parse(t)))).toEqual(['2026-01-06T00:00:00.000Z']);
    const fromHistory = rows[0];

    // the same horizon from the schedule the collector recorded (no history fetched, none run)
    await db.query('delete from watchlist.future_outcome where event_id = $1', [id]);
    await db.query('delete from watchlist.funding_history_span; delete from watchlist.funding_settlement');
    await runOutcomes(db.pool, [], NOW);
    const { rows: sch } = await db.query('select * from watchlist.future_outcome where event_id = $1 and horizon_min = 480', [id]);
    expect(sch[0].label.funding_source).toEqual({ short: 'schedule', long: 'schedule' });
    const strip = (a: Array<Record<string, unknown>>) => a.map(({ source: _s, ...rest }) => rest);
    expect(strip(sch[0].funding_applied)).toEqual(strip(fromHistory.funding_applied));
    expect(sch[0].pnl_funding).toBeCloseTo(fromHistory.pnl_funding, 12);
    expect(sch[0].pnl_total).toBeCloseTo(fromHistory.pnl_total, 12);
  });

  it('a venue whose history call fails (429) is recorded with the error; that leg falls back to the recorded schedule', async () => {
    const start = Date.parse('2026-01-05T19:00:00Z');
    const id = await insertEvent('DOGE/USDT:USDT', 'okx', 'binance', start);
    const okx = set.get('okx');
    const failing = Object.create(okx, {
      fetchFundingHistory: { value: async () => { throw new VenueError('rate_limit', 'okx', 'okx 429: Too Many Requests', { sourceClass: 'RateLimitExceeded' }); } },
    });
    const r = await runOutcomes(db.pool, [failing, set.get('binance')], NOW);
    expect(r.fetchErrors).toBeGreaterThan(0);
    const { rows: spans } = await db.query(`select error from watchlist.funding_history_span where venue = 'okx' and symbol = 'DOGE/USDT:USDT' and error is not null`);
    expect(spans[0].error).toContain('429');
    const { rows } = await db.query('select label, funding_applied, missing from watchlist.future_outcome where event_id = $1 and horizon_min = 480', [id]);
    expect(rows[0].missing).toBe(false);
    expect(rows[0].label.funding_source).toEqual({ short: 'schedule', long: 'history' });
    const okxPts = rows[0].funding_applied.filter((f: { venue: string }) => f.venue === 'okx');
    const want = sim.fundingHistory('okx', 'DOGE/USDT:USDT', start + 1, start + 480 * MIN);
    expect(okxPts.map((f: { ts: string; rate: number }) => ({ ts: Date.parse(f.ts), rate: f.rate }))).toEqual(want);
  });

  it('legs beyond the per-pass fetch budget wait for a later pass instead of falling back', async () => {
    await db.query(`select watchlist.set_config('outcome.history_fetch_max', '1', 'test')`);
    try {
      const id = await insertEvent('SOL/USDT:USDT', 'bybit', 'bitget', Date.parse('2026-01-05T22:00:00Z'));
      const count = async () => (await db.query('select count(*)::int as n from watchlist.future_outcome where event_id = $1', [id])).rows[0].n;
      const p1 = await runOutcomes(db.pool, set.venues, NOW);
      expect(p1.fetched).toBe(1);
      expect(await count()).toBe(0);
      const p2 = await runOutcomes(db.pool, set.venues, NOW);
      expect(p2.fetched).toBe(1);
      expect(await count()).toBe(5); // 15 … 480 fit in the history
      const { rows } = await db.query('select label from watchlist.future_outcome where event_id = $1 and horizon_min = 480', [id]);
      expect(rows[0].label.funding_source).toEqual({ short: 'history', long: 'history' });
    } finally {
      await db.query(`select watchlist.set_config('outcome.history_fetch_max', '40', 'test')`);
    }
  });

  it('`wl outcomes` (runOutcomesUntilDone) leaves nothing due behind when legs exceed the fetch budget', async () => {
    await db.query(`select watchlist.set_config('outcome.history_fetch_max', '1', 'test')`);
    try {
      const at = new Date(NOW).toISOString();
      const id = await insertEvent('WIF/USDT:USDT', 'okx', 'bitget', Date.parse('2026-01-05T22:00:00Z'));
      await insertEvent('DOGE/USDT:USDT', 'bybit', 'binance', Date.parse('2026-01-05T22:40:00Z'));
      const needs = await db.query(`select count(*)::int as n from watchlist.outcome_funding_needs($1)`, [at]);
      await db.query(`select watchlist.set_config('outcome.history_fetch_max', '40', 'test')`);
      const allNeeds = (await db.query(`select count(*)::int as n from watchlist.outcome_funding_needs($1)`, [at])).rows[0].n;
      await db.query(`select watchlist.set_config('outcome.history_fetch_max', '1', 'test')`);
      expect(needs.rows[0].n).toBe(1);
      expect(allNeeds).toBeGreaterThanOrEqual(2); // more histories needed than one pass may fetch
      const r = await runOutcomesUntilDone(db.pool, set.venues, NOW);
      expect(r.fetched).toBe(allNeeds);
      expect(r.passes).toBe(allNeeds + 1); // one history per pass, then a pass with nothing left to fetch
      const { rows } = await db.query('select count(*)::int as n from watchlist.future_outcome where event_id = $1', [id]);
      expect(rows[0].n).toBe(5); // 15 … 480 fit in the history
      const due = await db.query(`select count(*)::int as n from watchlist.outcome_due_items($1, null)`, [at]);
      expect(due.rows[0].n).toBe(0);
    } finally {
      await db.query(`select watchlist.set_config('outcome.history_fetch_max', '40', 'test')`);
    }
  });

  it('the paper account settles the same funding into its balance as the outcome sums', async () => {
    const start = Date.parse('2026-01-05T21:00:00Z');
    const end = start + 480 * MIN;
    const id = await insertEvent('XRP/USDT:USDT', 'okx', 'bybit', start);
    await runOutcomes(db.pool, set.venues, NOW);
    const { rows } = await db.query('select funding_applied, pnl_funding from watchlist.future_outcome where event_id = $1 and horizon_min = 480', [id]);
    const applied = rows[0].funding_applied as Array<{ ts: string; venue: string; side: string; rate: number }>;
    expect(applied.length).toBeGreaterThanOrEqual(3);

    const clock = new ManualClock(start);
    const ps = await buildVenues({ db: db.pool, venues: ['okx', 'bybit'], mode: 'paper', seed: 42, clock, env: ENV });
    try {
      const okx = ps.get('okx');
      const bybit = ps.get('bybit');
      const balBefore = { okx: Number((await okx.fetchBalance()).total), bybit: Number((await bybit.fetchBalance()).total) };
      await okx.createMarketOrder({ symbol: 'XRP/USDT:USDT', side: 'sell', notionalUsdt: 50, refPrice: 2.2, reduceOnly: false, clientOrderId: 'oc1short' });
      await bybit.createMarketOrder({ symbol: 'XRP/USDT:USDT', side: 'buy', notionalUsdt: 50, refPrice: 2.2, reduceOnly: false, clientOrderId: 'oc1long' });
      clock.set(end);
      const balAfter = { okx: Number((await okx.fetchBalance()).total), bybit: Number((await bybit.fetchBalance()).total) };
      const { rows: led } = await db.query(
        `select venue, ts, rate::float8, size::float8, price::float8, amount::float8 from paper.funding_ledger
         where symbol = 'XRP/USDT:USDT' and venue in ('okx', 'bybit') and ts > $1 and ts <= $2 order by ts, venue`,
        [iso(start), iso(end)],
      );
      // the same settlements, and per unit of position value the same signed rate
      expect(led.map((l) => `${iso(l.ts.getTime())} ${l.venue}`).sort()).toEqual(applied.map((a) => `${iso(Date.parse(a.ts))} ${a.venue}`).sort());
      let perNotional = 0;
      for (const l of led) {
        const a = applied.find((x) => Date.parse(x.ts) === l.ts.getTime() && x.venue === l.venue)!;
        expect(l.rate).toBeCloseTo(a.rate, 12);
        perNotional += l.amount / (Math.abs(l.size) * l.price);
      }
      expect(perNotional).toBeCloseTo(rows[0].pnl_funding, 12);
      // the balances moved by the funding (no fee or pnl is realised while the legs are open)
      const fees = await db.query(`select venue, sum(fee)::float8 as fee from paper.fill where venue in ('okx', 'bybit') and symbol = 'XRP/USDT:USDT' group by venue`);
      const fee = Object.fromEntries(fees.rows.map((r) => [r.venue, r.fee]));
      const fund = (v: string) => led.filter((l) => l.venue === v).reduce((s, l) => s + l.amount, 0);
      expect(balAfter.okx - balBefore.okx).toBeCloseTo(fund('okx') - fee.okx, 8);
      expect(balAfter.bybit - balBefore.bybit).toBeCloseTo(fund('bybit') - fee.bybit, 8);
    } finally {
      await ps.close();
    }
  });

  it('missing data is labelled, not guessed: no quotes, partial horizon, unsupported type', async () => {
    const noQuotes = await insertEvent('BTC/USDT:USDT', 'okx', 'binance', T_END - 3 * H); // BTC was never collected
    const partial = await insertEvent('SOL/USDT:USDT', 'okx', 'binance', T_END - 30 * MIN);
    const typeC = await insertEvent('SOL/USDT:USDT', 'okx', 'binance', T_END - 3 * H, 'C');
    const later = T_END + 70 * MIN; // partial's 60-minute horizon ends 30 min after the history
    await runOutcomes(db.pool, set.venues, later);
    const get = async (id: number, h: number) =>
      (await db.query('select * from watchlist.future_outcome where event_id = $1 and horizon_min = $2', [id, h])).rows[0];
    const a = await get(noQuotes, 60);
    expect(a).toMatchObject({ missing: true, pnl_total: null, pnl_spread: null });
    expect(a.label.reasons).toContain('no_quotes_start');
    const b = await get(partial, 60);
    expect(b).toMatchObject({ missing: true, pnl_total: null });
    expect(b.label.reasons).toContain('partial_horizon');
    expect((await get(partial, 15)).missing).toBe(false);
    const c = await get(typeC, 60);
    expect(c.label.reasons).toContain('signal_type_not_supported:C');
  });

  it('the pass as parallel shares on separate connections (outcome.parallel) writes exactly the rows of one pass', async () => {
    const snap = async () =>
      (await db.query(`select to_jsonb(o) - 'id' - 'computed_at' as r from watchlist.future_outcome o order by event_id, horizon_min`)).rows.map((r) => r.r);
    const keep = await db.query('select * from watchlist.future_outcome');
    const at = new Date(NOW).toISOString();
    const names: string[] = []; // every leg from what is cached or recorded now: both passes see the same
    try {
      await db.query('delete from watchlist.future_outcome');
      const one = await computeOutcomesParallel(db.pool, at, names, 1);
      const rows = await snap();
      expect(one).toBeGreaterThan(20);
      await db.query('delete from watchlist.future_outcome');
      const busy = new Set<number>(); // the backends that did the work
      const spy = { query: async (text: string, values?: unknown[]) => {
        const c = await db.pool.connect();
        try {
          busy.add((await c.query('select pg_backend_pid() as p')).rows[0].p);
          return await c.query(text, values);
        } finally {
          c.release();
        }
      } };
      expect(await computeOutcomesParallel(spy, at, names, 3)).toBe(one);
      // the same rows; floats to the last bits only: SQL leaves the order of a sum's terms to the
      // plan, and a share's smaller tables can be joined in another order (volatility differed in its 16th digit)
      const after = await snap();
      expect(after).toHaveLength(rows.length);
      const bad = after.map((r, i) => sameUpToRounding(r, rows[i]) ? null : [rows[i], r]).filter(Boolean);
      expect(bad.slice(0, 1), JSON.stringify(bad[0])).toEqual([]);
      expect(busy.size).toBe(3); // three connections at once, not one after the other
      await expect(computeOutcomesParallel(db.pool, at, names, 0)).resolves.toBe(0);
      await expect(db.query(`select watchlist.compute_outcomes($1, null, 3, 3)`, [at])).rejects.toThrow(/shard 3 of 3 does not exist/);
    } finally {
      await db.query('delete from watchlist.future_outcome');
      await db.query(`insert into watchlist.future_outcome select * from json_populate_recordset(null::watchlist.future_outcome, $1)`, [JSON.stringify(keep.rows)]);
    }
  });

  it('rule-based schedules for venues without a history API', async () => {
    const { rows } = await db.query(
      `select venue, array_agg(to_char(ts at time zone 'UTC', 'HH24:MI') order by ts) as t, min(source) as src
       from (select 'hyperliquid' venue, * from watchlist.funding_rule_times('hyperliquid', '2026-01-05 22:30+00', '2026-01-06 01:00+00')
             union all select 'lighter', * from watchlist.funding_rule_times('lighter', '2026-01-05 23:00+00', '2026-01-06 01:00+00')
             union all select 'grvt', * from watchlist.funding_rule_times('grvt', '2026-01-05 07:59+00', '2026-01-06 08:00+00')) x
       group by venue order by venue`,
    );
    expect(rows).toEqual([
      { venue: 'grvt', t: ['08:00', '16:00', '00:00', '08:00'], src: 'rule:8h-boundary' },
      { venue: 'hyperliquid', t: ['23:00', '00:00', '01:00'], src: 'rule:hourly' },
      { venue: 'lighter', t: ['00:00', '01:00'], src: 'rule:hourly' },
    ]);
  });
});

describe('writers: series bars, symbol refs, trade outcomes; retention', () => {
  it('5-minute series bars from market_snapshot, symbol refs from the loaded markets; both idempotent', async () => {
    const r1 = await runUpkeep(db.pool, set.venues, T_END);
    expect(r1.series).toBe(6 * SYMBOLS.length * VENUES.length);
    expect(r1.symbols).toBeGreaterThanOrEqual(SYMBOLS.length * VENUES.length);
    const { rows } = await db.query(
      `select a.futures_price::float8 as fp, a.series_meta, a.next_funding_time,
              (select mid::float8 from watchlist.market_snapshot m where m.venue = 'okx' and m.symbol = 'XRP/USDT:USDT'
                 and m.ts >= a.ts and m.ts < a.ts + interval '5 minutes' order by m.ts desc limit 1) as last_mid
       from watchlist.watchlist_series_agg a where a.exchange = 'okx' and a.symbol = 'XRP/USDT:USDT' order by a.ts`,
    );
    expect(rows).toHaveLength(6);
    for (const x of rows) {
      expect(x.fp).toBe(x.last_mid);
      expect(x.series_meta).toMatchObject({ n: 5, minutes: 5, source: 'market_snapshot' });
      expect(x.next_funding_time).not.toBeNull();
    }
    const r2 = await runUpkeep(db.pool, set.venues, T_END);
    expect(r2.series).toBe(r1.series);
    const { rows: n } = await db.query(`select count(*)::int as n from watchlist.watchlist_series_agg`);
    expect(n[0].n).toBe(r1.series);

    const { rows: ref } = await db.query(
      `select contract_size::float8 as cs, listed, base, quote from watchlist.watchlist_symbol_ref where exchange = 'okx' and symbol = 'XRP/USDT:USDT'`,
    );
    expect(ref).toEqual([{ cs: set.get('okx').market('XRP/USDT:USDT').contractSize, listed: true, base: 'XRP', quote: 'USDT' }]);
    const { rows: cnt } = await db.query(`select count(*)::int as n, count(distinct (exchange, symbol))::int as d from watchlist.watchlist_symbol_ref`);
    expect(cnt[0].n).toBe(cnt[0].d);
    // a symbol the venue no longer lists is marked, not deleted
    await db.query(`select watchlist.record_symbol_refs('okx', '[{"symbol": "XRP/USDT:USDT", "contractSize": 1}]')`);
    const { rows: gone } = await db.query(`select count(*)::int as n from watchlist.watchlist_symbol_ref where exchange = 'okx' and not listed`);
    expect(gone[0].n).toBeGreaterThan(0);
  });

  it('a closed live trade becomes one watchlist_outcome row with its event outcome as benchmark', async () => {
    const { rows: ev } = await db.query(`select event_id from watchlist.future_outcome where horizon_min = 240 and not missing limit 1`);
    const eventId = ev[0].event_id;
    const { rows: s } = await db.query(
      `insert into watchlist.live_trade_signal (event_id, symbol, horizon_min, pnl_hat, status, leg_short_exchange, leg_long_exchange, notional_usdt, opened_at, closed_at)
       values ($1, 'XRP/USDT:USDT', 240, 0.02, 'closed', 'okx', 'binance', 50, $2, $3) returning id`,
      [eventId, iso(T_END - 5 * H), iso(T_END - 2 * H)],
    );
    const sid = s[0].id;
    await db.query(`insert into watchlist.live_trade_spread_sample (signal_id, ts, pnl_est) values ($1, $2, 0.004), ($1, $3, -0.003)`, [sid, iso(T_END - 4 * H), iso(T_END - 3 * H)]);
    await db.query(
      `insert into watchlist.live_trade_exit (signal_id, reason, closed_at, realized_pnl_usdt, realized_pnl_frac, fees_usdt, funding_usdt, spread_pnl)
       values ($1, 'take_profit', $2, 0.5, 0.01, 0.1, 0.01, 0.012)`,
      [sid, iso(T_END - 2 * H)],
    );
    await runUpkeep(db.pool, set.venues, T_END);
    await runUpkeep(db.pool, set.venues, T_END);
    const { rows } = await db.query(`select * from watchlist.watchlist_outcome where signal_id = $1`, [sid]);
    expect(rows).toHaveLength(1);
    const { rows: fo } = await db.query(`select pnl_total from watchlist.future_outcome where event_id = $1 and horizon_min = 240`, [eventId]);
    expect(rows[0]).toMatchObject({ trigger_id: sid, event_id: eventId, pnl: 0.01, holding_hours: 3, max_drawdown: 0.003, benchmark_return: fo[0].pnl_total, pnl_hat: 0.02 });
    expect(rows[0].labels).toMatchObject({ exit_reason: 'take_profit', short: 'okx', long: 'binance' });
  });

  it('retention: events and their outcomes older than retention.event_days go (a traded event stays); the knob moves the cut', async () => {
    const { rows: before } = await db.query(
      `select count(*)::int as e, (select count(*)::int from watchlist.future_outcome) as o,
              (select count(distinct event_id)::int from watchlist.live_trade_signal where status <> 'ignored') as traded
       from watchlist.watch_signal_event`,
    );
    expect(before[0].traded).toBeGreaterThanOrEqual(1);
    expect(before[0].e).toBeGreaterThan(10);
    // 100 days later nothing is old enough
    let r = (await db.query(`select watchlist.apply_retention($1) as r`, [iso(T_END + 100 * 24 * H)])).rows[0].r;
    expect(r).toMatchObject({ events: 0, outcomes: 0 });
    await db.query(`select watchlist.set_config('retention.event_days', '90', 'test')`);
    r = (await db.query(`select watchlist.apply_retention($1) as r`, [iso(T_END + 100 * 24 * H)])).rows[0].r;
    expect(r.events).toBe(before[0].e - before[0].traded); // traded ones stay
    expect(r.outcomes).toBeGreaterThan(0);
    const { rows: after } = await db.query(
      `select count(*)::int as e, (select count(*)::int from watchlist.future_outcome f
         where not exists (select 1 from watchlist.watch_signal_event e where e.id = f.event_id)) as orphans
       from watchlist.watch_signal_event`,
    );
    expect(after[0]).toEqual({ e: before[0].traded, orphans: 0 });
    const { rows: fs } = await db.query(`select count(*)::int as n from watchlist.funding_settlement`);
    expect(fs[0].n).toBe(0);
  });

  // last: the CLI migrates and rolls partitions, which drops these old days' snapshots
  it('wl check data exits 1 when a gate fails (nothing due in the last 7 days of the real clock)', async () => {
    const p = spawnWl(['check', 'data'], { DATABASE_URL: db.url });
    expect(await p.exited()).toBe(1);
    expect(p.output()).toMatch(/outcome_coverage .*FAILED/);
  }, 120_000);
});
