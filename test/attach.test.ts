// Attach mode: the fixture writer (its own schema from legacy-watchlist.sql, its own
// raw rows and event merge) is traded by our gate end to end on paper venues; its
// raw rows make no second event; a dual-write trades one opportunity once.
import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../db/migrate.ts';
import { withDatabase } from '../db/config.ts';
import { setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';
import { FixtureWriter, type WriterMinute } from './helpers/writer.ts';
import type { TestDb } from './helpers/db.ts';
import { applyAttachMode, attachWanted } from '../cli/attach.ts';
import { freePort, spawnWl } from './helpers/proc.ts';

const serverUrl = inject('pgServerUrl');
const name = `wl_t_attach_${process.pid}`;
let db: TestDb;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  db = { name, url, serverUrl, pool, query: pool.query.bind(pool) as pg.Pool['query'], close: async () => { await pool.end(); } };
  // the writer's schema exists first; then the product migrates it
  await pool.query(await readFile(path.join(import.meta.dirname, 'fixtures', 'legacy-watchlist.sql'), 'utf8'));
  await migrateDatabase(url);
  await paperVenues(db);
  await setConfig(db, 'trade.pnl_hat_min', -1);
  await setConfig(db, 'trade.win_prob_min', 0);
  await setConfig(db, 'trade.cooldown_min', 0);
  await new FixtureWriter(pool).ensureDay(new Date());
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});
beforeEach(async () => {
  await setConfig(db, 'ingest.attach', true);
});

const minuteAgo = (k: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - k * 60_000);
const okx = (bid = 101) => ({ name: 'okx', bid, ask: bid + 0.1 });
const binance = (ask = 99) => ({ name: 'binance', bid: ask - 0.1, ask });
const m = (symbol: string, k: number, o: Partial<WriterMinute> = {}): WriterMinute => ({ symbol, ts: minuteAgo(k), high: okx(), low: binance(), ...o });
const eventsOf = async (symbol: string) => (await db.query('select id, status, reason from watchlist.watch_signal_event where symbol = $1 order by id', [symbol])).rows;
const signalsOf = async (symbol: string) => (await db.query('select * from watchlist.live_trade_signal where symbol = $1 order by id', [symbol])).rows;
const paperPos = async (venue: string, symbol: string) =>
  Number((await db.query('select coalesce(sum(size), 0) s from paper.position where venue = $1 and symbol = $2', [venue, symbol])).rows[0].s);

describe('attach mode', () => {
  it("the writer's events are admitted and traded on paper; its raw rows make no event of ours", async () => {
    const sym = 'BTC/USDT:USDT';
    const w = new FixtureWriter(db.pool);
    expect(await w.minute(m(sym, 3))).toBeNull();
    const ev = await w.minute(m(sym, 2)); // the writer opens its event: status new
    expect(await eventsOf(sym)).toEqual([{ id: String(ev), status: 'new', reason: 'writer: 2 consecutive minutes' }]);
    let [s] = await signalsOf(sym);
    expect(s).toMatchObject({ event_id: String(ev), status: 'new', leg_short_exchange: 'okx', leg_long_exchange: 'binance' });
    expect(s.payload.fallback).toBeNull();
    await drain(db);
    [s] = await signalsOf(sym);
    expect(s.status).toBe('open');
    expect(await paperPos('okx', sym)).toBeLessThan(0);
    expect(await paperPos('binance', sym)).toBeGreaterThan(0);
    // extended (confirmed) and then dropped by the writer: still one event, one trade
    await w.minute(m(sym, 1));
    await w.minute(m(sym, 0));
    expect((await eventsOf(sym)).map((e) => e.status)).toEqual(['confirmed']);
    await w.drop(sym);
    expect((await eventsOf(sym)).map((e) => e.status)).toEqual(['dropped']);
    expect((await signalsOf(sym)).filter((x) => x.status !== 'ignored')).toHaveLength(1);
    // 4 raw rows, no event_merge_state: the SQL merge stayed out
    expect((await db.query(`select count(*)::int n from watchlist.watch_signal_raw where symbol = $1`, [sym])).rows[0].n).toBe(4);
    expect((await db.query(`select count(*)::int n from watchlist.event_merge_state where symbol = $1`, [sym])).rows[0].n).toBe(0);
    // the writer's partition naming is kept: rolling creates no watch_signal_raw_p* beside it
    await db.query('select watchlist.roll_partitions()');
    const parts = (await db.query(`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'watchlist.watch_signal_raw'::regclass`)).rows.map((r) => r.relname);
    expect(parts.filter((p) => /_p\d{8}$/.test(p))).toEqual([]);
  });

  it('a writer event without trigger_details.prices: legs and prices by the §0.1.3 fallback, recorded; no legs: ignored with a reason', async () => {
    const w = new FixtureWriter(db.pool);
    const sym = 'ETH/USDT:USDT';
    await w.minute(m(sym, 3, { noPrices: true, partialFactors: true }));
    await w.minute(m(sym, 2, { noPrices: true, partialFactors: true }));
    const [s] = await signalsOf(sym);
    expect([s.status, s.reason, s.payload.fallback ?? s.payload.error]).toEqual(['new', null, expect.anything()]);
    expect(s.payload.fallback).toEqual(['legs_from_pairs_top', 'prices_from_raw_meta', 'factors_from_best_buy_high_sell_low']);
    expect(s.payload.trigger_details.prices.high).toEqual({ exchange: 'okx', bid: 101, ask: 101.1 });
    expect(s.payload.factors.spread_log_short_over_long).toBeCloseTo(Math.log(1 + (101 - 99) / 99), 12);
    expect(s.payload.factors.raw_best_buy_high_sell_low).toBeCloseTo((101 - 99) / 99, 12);
    await drain(db);
    expect((await signalsOf(sym))[0].status).toBe('open');

    const sym2 = 'SOL/USDT:USDT';
    await w.minute(m(sym2, 3, { noPrices: true, noLegs: true }));
    await w.minute(m(sym2, 2, { noPrices: true, noLegs: true }));
    expect((await signalsOf(sym2)).map((x) => [x.status, x.reason])).toEqual([['ignored', 'legs_unknown']]);
  });

  it('dual-write, standalone: the SQL merge and a writer still merging (its events open, as the plan saw it) trade one opportunity once, even after the first trade ends', async () => {
    await setConfig(db, 'ingest.attach', false);
    const sym = 'XRP/USDT:USDT';
    const w = new FixtureWriter(db.pool, { legColumns: true, openStatus: 'open' });
    await w.minute(m(sym, 3));
    await w.minute(m(sym, 2));
    const evs = await eventsOf(sym);
    expect(evs.map((e) => e.status)).toEqual(['open', 'open']); // ours (from its raw rows), then the writer's
    let sigs = await signalsOf(sym);
    expect(sigs.filter((x) => x.status !== 'ignored').map((x) => x.event_id)).toEqual([evs[0].id]);
    await drain(db);
    const traded = (await signalsOf(sym)).find((x) => x.status === 'open')!;
    // the trade ends while both events go on (cooldown 0: the pair may trade again)
    await db.query(`select watchlist.request_close($1, 'manual')`, [traded.id]);
    await drain(db);
    expect((await db.query('select status from watchlist.live_trade_signal where id = $1', [traded.id])).rows[0].status).toBe('closed');
    await w.minute(m(sym, 1)); // both events extend: each is re-assessed
    sigs = await signalsOf(sym);
    expect(sigs.filter((x) => x.status !== 'ignored')).toHaveLength(1);
    expect(sigs.filter((x) => x.event_id === evs[1].id).map((x) => x.reason)).toContain('duplicate_opportunity');
  });

  it('dual-write, attach: only the writer events are traded; its raw rows add no event', async () => {
    const w = new FixtureWriter(db.pool, { legColumns: true });
    const sym2 = 'DOGE/USDT:USDT';
    await w.minute(m(sym2, 3));
    const ev = await w.minute(m(sym2, 2));
    await w.minute(m(sym2, 1));
    expect((await eventsOf(sym2)).map((e) => e.id)).toEqual([String(ev)]);
    const sigs = await signalsOf(sym2);
    expect(sigs.filter((x) => x.status !== 'ignored').map((x) => x.event_id)).toEqual([String(ev)]);
    await drain(db);
    expect((await signalsOf(sym2)).filter((x) => x.status === 'open')).toHaveLength(1);
  });

  it('the scanner keeps the market series but writes no raw rows in attach mode; standalone it does', async () => {
    const ts = minuteAgo(1).toISOString();
    await db.query(`select watchlist.ensure_partitions('market_snapshot', $1, $1)`, [ts]);
    for (const [venue, mid] of [['binance', 100], ['okx', 103]] as const) {
      await db.query(
        `insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt, funding_rate, funding_interval_hours, next_funding_time, book_ts)
         values ($1, $2, 'SCN/USDT:USDT', $3::numeric * 0.9999, $3::numeric * 1.0001, $3, $3, $3, true, 50, 0.0001, 8, $1::timestamptz + interval '8 hours', $1)`,
        [ts, venue, mid]);
    }
    const raws = async () => (await db.query(`select count(*)::int n from watchlist.watch_signal_raw where symbol = 'SCN/USDT:USDT'`)).rows[0].n;
    const attached = (await db.query('select watchlist.scan($1) as r', [ts])).rows[0].r;
    expect(attached.raw_rows).toBe(0);
    expect(await raws()).toBe(0);
    expect((await db.query(`select count(*)::int n from watchlist.pair_minute where ts = $1`, [ts])).rows[0].n).toBeGreaterThan(0);
    await setConfig(db, 'ingest.attach', false);
    const standalone = (await db.query('select watchlist.scan($1, true) as r', [ts])).rows[0].r;
    expect(standalone.raw_rows).toBeGreaterThan(0);
    expect(await raws()).toBeGreaterThan(0);
  });
  it('wl up --attach / WL_ATTACH store the mode in the database (what the triggers read); neither leaves it as it is', async () => {
    expect(attachWanted(true, {})).toBe(true);
    expect(attachWanted(undefined, { WL_ATTACH: '1' })).toBe(true);
    expect(attachWanted(undefined, { WL_ATTACH: '0' })).toBe(false);
    expect(attachWanted(undefined, {})).toBeNull();
    expect(() => attachWanted(undefined, { WL_ATTACH: 'maybe' })).toThrow(/WL_ATTACH=maybe/);
    await setConfig(db, 'ingest.attach', false);
    expect(await applyAttachMode(db.url, true)).toBe(true);
    expect((await db.query('select watchlist.attach_mode() as on')).rows[0].on).toBe(true);
    const prev = process.env.WL_ATTACH;
    delete process.env.WL_ATTACH;
    try {
      expect(await applyAttachMode(db.url, undefined)).toBe(true); // kept
      process.env.WL_ATTACH = '0';
      expect(await applyAttachMode(db.url, undefined)).toBe(false);
    } finally {
      if (prev === undefined) delete process.env.WL_ATTACH; else process.env.WL_ATTACH = prev;
    }
    const audit = (await db.query(`select changed_by, note from watchlist.strategy_config_audit where key = 'ingest.attach' order by id desc limit 2`)).rows;
    expect(audit.map((a) => a.note)).toEqual(['WL_ATTACH', 'wl up --attach']);
  });

  it('`wl up --attach` says so in its start-up banner and stores the mode', async () => {
    await setConfig(db, 'ingest.attach', false);
    const up = spawnWl(['up', '--attach'], { DATABASE_URL: db.url, PORT: String(await freePort()), WL_VENUE_MODE: 'paper', WL_BACKFILL_HOURS: '0', WL_ATTACH: '' });
    try {
      await up.waitFor(/ready\./, 90_000);
      expect(up.output()).toMatch(/mode: ATTACHED to an external watchlist writer/);
      expect((await db.query('select watchlist.attach_mode() as on')).rows[0].on).toBe(true);
    } finally {
      up.child.kill('SIGINT');
      await up.exited();
    }
  });
});

