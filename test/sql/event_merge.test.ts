// sql/event_merge.sql: the event merging rule (plan "事件归并规则"). Raw rows are
// written, and stale events closed, by the worker (wl_writer); N and M are set by
// the trader (wl_trader).
import { describe, expect } from 'vitest';
import { ownDb, sqlFile } from '../helpers/sql-test.ts';
import { partitions, rawRows, rawRowsOneByOne, type Q, type RawRow } from '../helpers/fixtures.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const at = (min: number, sec = 0) => new Date(T0 + min * 60_000 + sec * 1000).toISOString();

const { test } = sqlFile({ role: 'wl_writer', setup: (db) => partitions(db, 'watch_signal_raw', '2026-01-05', '2026-01-06') });

type Row = { min: number; symbol?: string; spread?: number; triggered?: boolean; legA?: string; legB?: string; sec?: number };

const raw = (rows: Row[]): RawRow[] =>
  rows.map((r) => {
    const s = r.spread ?? 0.01 + r.min * 0.001;
    return { ts: at(r.min, r.sec ?? 0), symbol: r.symbol, spread: s, bbhsl: null, priceA: null, priceB: null,
      triggered: r.triggered ?? true, legA: r.legA ?? 'okx', legB: r.legB ?? 'bybit', meta: { pnl_regression: { '240': { pnl_hat: s } } } };
  });
const insertBatch = (q: Q, rows: Row[]) => rawRows(q, raw(rows));
const insertOneByOne = (q: Q, rows: Row[]) => rawRowsOneByOne(q, raw(rows));

const events = async (q: Q) =>
  (await q.query(`select symbol, leg_a_exchange, leg_b_exchange, start_ts, end_ts, duration_sec, status, n_triggers, first_trigger_ts,
                          watchlist.event_features(e) as features_agg, features_agg as stored
                   from watchlist.watch_signal_event e order by symbol, leg_a_exchange, start_ts`)).rows;
// a batch sums a chain's values in the plan's order, row-by-row in time order: the
// float means agree to rounding (the last bit), everything else exactly
const meansRounded = (evs: unknown[]) =>
  JSON.parse(JSON.stringify(evs), (k, v) => (k === 'mean' && typeof v === 'number' ? Number(v.toPrecision(12)) : v));
const mergeState = async (q: Q) =>
  (await q.query('select * from watchlist.event_merge_state order by exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange')).rows
    .map(({ open_event_id, key_id, ...r }) => ({ ...r, open: open_event_id != null }));

describe('event merging', () => {
  test('two consecutive triggered minutes open exactly one event, starting at the second', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0 }, { min: 1 }]);
    const ev = await events(tx);
    expect(ev).toHaveLength(1);
    expect(ev[0].status).toBe('open');
    expect(ev[0].start_ts.toISOString()).toBe(at(1));
    expect(ev[0].first_trigger_ts.toISOString()).toBe(at(0));
  });

  test('a single triggered minute opens none; non-consecutive minutes open none', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0 }]);
    expect(await events(tx)).toHaveLength(0);
    await insertOneByOne(tx, [{ min: 2 }]); // gap of 2 minutes: not consecutive
    expect(await events(tx)).toHaveLength(0);
    await insertOneByOne(tx, [{ min: 2, sec: 30 }]); // same minute again counts once
    expect(await events(tx)).toHaveLength(0);
  });

  test('once open, triggers 2 minutes apart stay one event; features aggregate', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0, spread: 0.02 }, { min: 1, spread: 0.03 }, { min: 3, spread: 0.01 }, { min: 5, spread: 0.05 }]);
    const ev = await events(tx);
    expect(ev).toHaveLength(1);
    expect(ev[0].end_ts.toISOString()).toBe(at(5));
    expect(ev[0].duration_sec).toBe(240);
    expect(ev[0].n_triggers).toBe(3);
    const s = ev[0].features_agg.spread_rel;
    expect(s.first).toBe(0.03);
    expect(s.last).toBe(0.05);
    expect(s.min).toBe(0.01);
    expect(s.max).toBe(0.05);
    expect(s.mean).toBeCloseTo(0.03, 12);
    expect(ev[0].features_agg.meta_first.pnl_regression['240'].pnl_hat).toBe(0.03);
    expect(ev[0].features_agg.meta_last.pnl_regression['240'].pnl_hat).toBe(0.05);
  });

  test('a gap longer than M closes the event (close_stale_events) and a later run opens a second', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0 }, { min: 1 }, { min: 2 }]);
    const { rows: notClosed } = await tx.query(`select watchlist.close_stale_events($1) as n`, [at(5)]);
    expect(notClosed[0].n).toBe(0); // exactly M minutes quiet: still open
    const { rows: closed } = await tx.query(`select watchlist.close_stale_events($1) as n`, [at(5, 1)]);
    expect(closed[0].n).toBe(1);
    // closing writes the final summaries into features_agg itself
    const { rows: fin } = await tx.query(`select features_agg from watchlist.watch_signal_event`);
    expect(fin[0].features_agg.spread_rel).toMatchObject({ n: 2, first: expect.any(Number), max: expect.any(Number) });
    await insertOneByOne(tx, [{ min: 10 }, { min: 11 }]);
    const ev = await events(tx);
    expect(ev.map((e) => e.status)).toEqual(['closed', 'open']);
    expect(ev[0].end_ts.toISOString()).toBe(at(2));
    expect(ev[1].start_ts.toISOString()).toBe(at(11));
  });

  test('a gap longer than M closes the event even before close_stale_events runs', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0 }, { min: 1 }, { min: 9 }, { min: 10 }]);
    const ev = await events(tx);
    expect(ev.map((e) => [e.status, e.start_ts.toISOString(), e.end_ts.toISOString()])).toEqual([
      ['closed', at(1), at(1)],
      ['open', at(10), at(10)],
    ]);
  });

  test('untriggered rows are stored but never open or extend events', async ({ tx }) => {
    await insertOneByOne(tx, [{ min: 0, triggered: false }, { min: 1, triggered: false }, { min: 2 }]);
    expect(await events(tx)).toHaveLength(0);
  });

  test('a multi-row insert gives the same events as row-by-row', async ({ tx }) => {
    const rows: Row[] = [];
    // three keys with assorted patterns: runs, gaps, repeats, late rows, closes
    const pattern = [0, 1, 2, 4, 5, 9, 10, 11, 11, 12, 20, 22, 23, 24, 28, 40, 41];
    for (const [k, sym] of ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'].entries()) {
      for (const m of pattern) if ((m + k) % 7 !== 3) rows.push({ min: m + k, symbol: sym, spread: 0.01 * ((m * 7 + k) % 5) });
      rows.push({ min: 30 + k, symbol: sym, legA: 'binance', spread: 0.02 });
      rows.push({ min: 31 + k, symbol: sym, legA: 'binance', spread: 0.03 });
    }
    rows.sort((a, b) => a.min - b.min);
    const empty = await tx.mark();
    await insertOneByOne(tx, rows);
    const oneByOne = await events(tx);
    const stateA = await mergeState(tx);
    await empty.rollback();
    await insertBatch(tx, rows);
    const batched = await events(tx);
    const stateB = await mergeState(tx);
    expect(batched.length).toBeGreaterThan(6);
    expect(meansRounded(batched)).toEqual(meansRounded(oneByOne));
    expect(stateB).toEqual(stateA);
    // and split into two batches at an arbitrary point
    await empty.rollback();
    await insertBatch(tx, rows.slice(0, 17));
    await insertBatch(tx, rows.slice(17));
    expect(meansRounded(await events(tx))).toEqual(meansRounded(oneByOne));
  });

  test('N and M come from strategy_config', async ({ tx }) => {
    await tx.asRole('wl_trader', () => tx.query(`select watchlist.set_config('event.n_consecutive', '3')`));
    await insertOneByOne(tx, [{ min: 0 }, { min: 1 }]);
    expect(await events(tx)).toHaveLength(0);
    await insertOneByOne(tx, [{ min: 2 }]);
    const ev = await events(tx);
    expect(ev).toHaveLength(1);
    expect(ev[0].start_ts.toISOString()).toBe(at(2));
  });

  // NOTIFY is delivered on commit: this one needs committed sessions of its own
  test('notifies watchlist_signal on open and on close', async () => {
    await ownDb(async (db) => {
      await partitions(db, 'watch_signal_raw', '2026-01-05', '2026-01-06');
      const listener = await db.connectAs('wl_reader');
      const writer = await db.connectAs('wl_writer');
      const got: any[] = [];
      listener.on('notification', (n) => got.push(JSON.parse(n.payload!)));
      await listener.query('listen watchlist_signal');
      await insertOneByOne(writer, [{ min: 0 }, { min: 1 }]);
      await writer.query(`select watchlist.close_stale_events($1)`, [at(10)]);
      await new Promise((r) => setTimeout(r, 200));
      await listener.end();
      await writer.end();
      expect(got.map((g) => g.type)).toEqual(['event_open', 'event_close']);
      expect(got[0].event_id).toBe(got[1].event_id);
      expect(got[0].symbol).toBe('BTC/USDT:USDT');
    });
  });
});
