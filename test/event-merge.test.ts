// Event merging rule (plan "事件归并规则") against a real PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';

let db: TestDb;
const T0 = Date.parse('2026-01-05T10:00:00Z');
const at = (min: number, sec = 0) => new Date(T0 + min * 60_000 + sec * 1000).toISOString();

beforeAll(async () => {
  db = await freshDb();
  await db.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-01-05', '2026-01-06')`);
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.query('truncate watchlist.watch_signal_raw, watchlist.watch_signal_event, watchlist.event_merge_state');
});

type Row = { min: number; symbol?: string; spread?: number; triggered?: boolean; legA?: string; legB?: string; sec?: number };

const values = (rows: Row[]) =>
  rows.map((r) => {
    const s = r.spread ?? 0.01 + r.min * 0.001;
    return `('${at(r.min, r.sec ?? 0)}', 'multi', '${r.symbol ?? 'BTC/USDT:USDT'}', 'B', ${s}, ${r.triggered ?? true}, '${r.legA ?? 'okx'}', '${r.legB ?? 'bybit'}', '{"pnl_regression": {"240": {"pnl_hat": ${s}}}}'::jsonb)`;
  });

const insertBatch = (rows: Row[]) =>
  db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, spread_rel, triggered, leg_a_exchange, leg_b_exchange, meta) values ${values(rows).join(',')}`);

const insertOneByOne = async (rows: Row[]) => {
  for (const v of values(rows)) {
    await db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, spread_rel, triggered, leg_a_exchange, leg_b_exchange, meta) values ${v}`);
  }
};

const events = async () =>
  (await db.query(`select symbol, leg_a_exchange, leg_b_exchange, start_ts, end_ts, duration_sec, status, n_triggers, first_trigger_ts,
                          watchlist.event_features(e) as features_agg, features_agg as stored
                   from watchlist.watch_signal_event e order by symbol, leg_a_exchange, start_ts`)).rows;

describe('event merging', () => {
  it('two consecutive triggered minutes open exactly one event, starting at the second', async () => {
    await insertOneByOne([{ min: 0 }, { min: 1 }]);
    const ev = await events();
    expect(ev).toHaveLength(1);
    expect(ev[0].status).toBe('open');
    expect(ev[0].start_ts.toISOString()).toBe(at(1));
    expect(ev[0].first_trigger_ts.toISOString()).toBe(at(0));
  });

  it('a single triggered minute opens none; non-consecutive minutes open none', async () => {
    await insertOneByOne([{ min: 0 }]);
    expect(await events()).toHaveLength(0);
    await insertOneByOne([{ min: 2 }]); // gap of 2 minutes: not consecutive
    expect(await events()).toHaveLength(0);
    await insertOneByOne([{ min: 2, sec: 30 }]); // same minute again counts once
    expect(await events()).toHaveLength(0);
  });

  it('once open, triggers 2 minutes apart stay one event; features aggregate', async () => {
    await insertOneByOne([{ min: 0, spread: 0.02 }, { min: 1, spread: 0.03 }, { min: 3, spread: 0.01 }, { min: 5, spread: 0.05 }]);
    const ev = await events();
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

  it('a gap longer than M closes the event (close_stale_events) and a later run opens a second', async () => {
    await insertOneByOne([{ min: 0 }, { min: 1 }, { min: 2 }]);
    const { rows: notClosed } = await db.query(`select watchlist.close_stale_events($1) as n`, [at(5)]);
    expect(notClosed[0].n).toBe(0); // exactly M minutes quiet: still open
    const { rows: closed } = await db.query(`select watchlist.close_stale_events($1) as n`, [at(5, 1)]);
    expect(closed[0].n).toBe(1);
    // closing writes the final summaries into features_agg itself
    const { rows: fin } = await db.query(`select features_agg from watchlist.watch_signal_event`);
    expect(fin[0].features_agg.spread_rel).toMatchObject({ n: 2, first: expect.any(Number), max: expect.any(Number) });
    await insertOneByOne([{ min: 10 }, { min: 11 }]);
    const ev = await events();
    expect(ev.map((e) => e.status)).toEqual(['closed', 'open']);
    expect(ev[0].end_ts.toISOString()).toBe(at(2));
    expect(ev[1].start_ts.toISOString()).toBe(at(11));
  });

  it('a gap longer than M closes the event even before close_stale_events runs', async () => {
    await insertOneByOne([{ min: 0 }, { min: 1 }, { min: 9 }, { min: 10 }]);
    const ev = await events();
    expect(ev.map((e) => [e.status, e.start_ts.toISOString(), e.end_ts.toISOString()])).toEqual([
      ['closed', at(1), at(1)],
      ['open', at(10), at(10)],
    ]);
  });

  it('untriggered rows are stored but never open or extend events', async () => {
    await insertOneByOne([{ min: 0, triggered: false }, { min: 1, triggered: false }, { min: 2 }]);
    expect(await events()).toHaveLength(0);
  });

  it('a multi-row insert gives the same events as row-by-row', async () => {
    const rows: Row[] = [];
    // three keys with assorted patterns: runs, gaps, repeats, late rows, closes
    const pattern = [0, 1, 2, 4, 5, 9, 10, 11, 11, 12, 20, 22, 23, 24, 28, 40, 41];
    for (const [k, sym] of ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'].entries()) {
      for (const m of pattern) if ((m + k) % 7 !== 3) rows.push({ min: m + k, symbol: sym, spread: 0.01 * ((m * 7 + k) % 5) });
      rows.push({ min: 30 + k, symbol: sym, legA: 'binance', spread: 0.02 });
      rows.push({ min: 31 + k, symbol: sym, legA: 'binance', spread: 0.03 });
    }
    rows.sort((a, b) => a.min - b.min);
    await insertOneByOne(rows);
    const oneByOne = await events();
    const stateA = (await db.query('select * from watchlist.event_merge_state order by exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange')).rows.map(({ open_event_id, key_id, ...r }) => ({ ...r, open: open_event_id != null }));
    await db.query('truncate watchlist.watch_signal_raw, watchlist.watch_signal_event, watchlist.event_merge_state');
    await insertBatch(rows);
    const batched = await events();
    const stateB = (await db.query('select * from watchlist.event_merge_state order by exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange')).rows.map(({ open_event_id, key_id, ...r }) => ({ ...r, open: open_event_id != null }));
    expect(batched.length).toBeGreaterThan(6);
    expect(batched).toEqual(oneByOne);
    expect(stateB).toEqual(stateA);
    // and split into two batches at an arbitrary point
    await db.query('truncate watchlist.watch_signal_raw, watchlist.watch_signal_event, watchlist.event_merge_state');
    await insertBatch(rows.slice(0, 17));
    await insertBatch(rows.slice(17));
    expect(await events()).toEqual(oneByOne);
  });

  it('N and M come from strategy_config', async () => {
    await db.query(`select watchlist.set_config('event.n_consecutive', '3')`);
    try {
      await insertOneByOne([{ min: 0 }, { min: 1 }]);
      expect(await events()).toHaveLength(0);
      await insertOneByOne([{ min: 2 }]);
      const ev = await events();
      expect(ev).toHaveLength(1);
      expect(ev[0].start_ts.toISOString()).toBe(at(2));
    } finally {
      await db.query(`select watchlist.set_config('event.n_consecutive', '2')`);
    }
  });

  it('notifies watchlist_signal on open and on close', async () => {
    const c = await db.pool.connect();
    const got: any[] = [];
    c.on('notification', (n) => got.push(JSON.parse(n.payload!)));
    await c.query('listen watchlist_signal');
    await insertOneByOne([{ min: 0 }, { min: 1 }]);
    await db.query(`select watchlist.close_stale_events($1)`, [at(10)]);
    await new Promise((r) => setTimeout(r, 200));
    c.release();
    expect(got.map((g) => g.type)).toEqual(['event_open', 'event_close']);
    expect(got[0].event_id).toBe(got[1].event_id);
    expect(got[0].symbol).toBe('BTC/USDT:USDT');
  });
});
