// open_trade against paper venues with injected faults, run by real graphile-worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { insertEvent, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';
import type { VenueSet } from '../workers/venues/registry.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  vs = await paperVenues(db);
  // the sim's books carry no dislocation, so the re-check is opened up here; the
  // threshold logic itself is exercised in 'a failing re-check' below
  await setConfig(db, 'trade.pnl_hat_min', -1);
  await setConfig(db, 'trade.win_prob_min', 0);
  // the simulator stamps its books at the start of the minute (ts = minute), so a
  // paper book is up to 60 s "old" by its own timestamp
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const prefixOf = async () => (await db.query('select watchlist.installation_prefix() p')).rows[0].p as string;
const signalOf = async (ev: number) => (await db.query('select * from watchlist.live_trade_signal where event_id = $1 order by id desc limit 1', [ev])).rows[0];
const ordersOf = async (sid: string) => (await db.query('select * from watchlist.live_trade_order where signal_id = $1 order by id', [sid])).rows;
const paperPos = async (venue: string, symbol: string) =>
  Number((await db.query('select coalesce(sum(size), 0) s from paper.position where venue = $1 and symbol = $2', [venue, symbol])).rows[0].s);
const paperOrders = async (venue: string, symbol: string) =>
  (await db.query('select * from paper.venue_order where venue = $1 and symbol = $2 order by id', [venue, symbol])).rows;

describe('open_trade', () => {
  it('opens both legs at one size, records orders, fills and the entry spread from fills', async () => {
    const sym = 'BTC/USDT:USDT';
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    expect(s.recheck.ok).toBe(true);
    expect(s.recheck.factors.spread_log_short_over_long).toBeTypeOf('number');
    const os = await ordersOf(s.id);
    expect(os.map((o) => [o.leg, o.side, o.status, o.purpose])).toEqual([['short', 'sell', 'filled', 'open'], ['long', 'buy', 'filled', 'open']]);
    expect(os[0].filled_qty).toBe(os[1].filled_qty);
    const prefix = (await db.query('select watchlist.installation_prefix() p')).rows[0].p;
    expect(prefix).toMatch(/^[A-Z]{6}$/);
    expect(os[0].client_order_id).toBe(`wl${prefix}${s.id}short1`);
    const fills = (await db.query('select * from watchlist.live_trade_fill where signal_id = $1', [s.id])).rows;
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(fills.every((f) => Number(f.price) > 0 && f.fee !== null && f.fee_currency)).toBe(true);
    const ps = Number(os[0].avg_price);
    const pl = Number(os[1].avg_price);
    expect(s.entry_spread).toBeCloseTo(Math.log(ps / pl), 9);
    expect(await paperPos('okx', sym)).toBeCloseTo(-Number(os[0].filled_qty), 12);
    expect(await paperPos('binance', sym)).toBeCloseTo(Number(os[1].filled_qty), 12);
  });

  it('leg B rejected: leg A flattened reduce-only, partial_failed, zero net position', async () => {
    const sym = 'ETH/USDT:USDT';
    vs.faults.failNext('binance', 'reject');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('partial_failed');
    const os = await ordersOf(s.id);
    expect(os.map((o) => [o.leg, o.purpose, o.status, o.reduce_only])).toEqual([
      ['short', 'open', 'filled', false], ['long', 'open', 'rejected', false], ['short', 'flatten', 'filled', true],
    ]);
    expect(await paperPos('okx', sym)).toBe(0);
    expect(await paperPos('binance', sym)).toBe(0);
    const errs = (await db.query('select stage, venue, error_class from watchlist.live_trade_error where signal_id = $1', [s.id])).rows;
    expect(errs).toContainEqual({ stage: 'open', venue: 'binance', error_class: 'OperationRejected' });
  });

  it('a timeout whose order went through is found by client id and not placed twice', async () => {
    const sym = 'SOL/USDT:USDT';
    vs.faults.failNext('okx', 'timeout_after');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    expect(await paperOrders('okx', sym)).toHaveLength(1);
    const os = await ordersOf(s.id);
    expect(os.map((o) => o.status)).toEqual(['filled', 'filled']);
    const errs = (await db.query(`select error_class, message from watchlist.live_trade_error where signal_id = $1`, [s.id])).rows;
    expect(errs.some((e) => /outcome unknown/.test(e.message))).toBe(true);
  });

  it('a timeout whose order only shows in look-ups a second later is still found, not placed twice', async () => {
    const sym = 'LINK/USDT:USDT';
    vs.faults.set('okx', { lateVisibilityMs: 800 });
    vs.faults.failNext('okx', 'timeout_after_late');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    expect(await paperOrders('okx', sym)).toHaveLength(1);
    expect((await ordersOf(s.id)).map((o) => [o.leg, o.purpose, o.status])).toEqual([['short', 'open', 'filled'], ['long', 'open', 'filled']]);
  });

  it('a timeout that never reached the venue: not placed, the other leg is flattened', async () => {
    const sym = 'XRP/USDT:USDT';
    await setConfig(db, 'trade.lookup_span_s', 1); // production default 30 s
    vs.faults.failNext('okx', 'timeout_before');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('partial_failed');
    expect((await ordersOf(s.id)).map((o) => [o.leg, o.purpose, o.status])).toEqual([
      ['short', 'open', 'not_placed'], ['long', 'open', 'filled'], ['long', 'flatten', 'filled'],
    ]);
    expect(await paperOrders('okx', sym)).toHaveLength(0);
    expect(await paperPos('binance', sym)).toBe(0);
    await setConfig(db, 'trade.lookup_span_s', 30);
  });

  it('paper fault fills_missing: a leg filled with no trade list is not counted as zero; the trades are read again, both legs open', async () => {
    const sym = 'AVAX/USDT:USDT';
    vs.faults.failNext('okx', 'fills_missing');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    const os = await ordersOf(s.id);
    expect(os.map((o) => [o.leg, o.purpose, o.status])).toEqual([['short', 'open', 'filled'], ['long', 'open', 'filled']]);
    const fills = (await db.query('select qty, synthetic from watchlist.live_trade_fill where order_id = $1', [os[0].id])).rows;
    expect(fills.reduce((a, f) => a + Number(f.qty), 0)).toBeCloseTo(Number(os[0].filled_qty), 12);
    expect(fills.every((f) => f.synthetic === false)).toBe(true);
    expect(await paperPos('okx', sym)).toBeCloseTo(-Number(os[0].filled_qty), 12);
  });

  it('paper fault fills_missing for longer than trade.fill_wait_s: one synthetic fill from the order, marked, and an error row', async () => {
    const sym = 'DOT/USDT:USDT';
    await setConfig(db, 'trade.fill_wait_s', 0);
    vs.faults.set('okx', { fillsLagMs: 60_000 });
    vs.faults.failNext('okx', 'fills_missing');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    vs.faults.set('okx', { fillsLagMs: 0 });
    await setConfig(db, 'trade.fill_wait_s', 120);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    const os = await ordersOf(s.id);
    const fills = (await db.query('select qty, price, synthetic from watchlist.live_trade_fill where order_id = $1', [os[0].id])).rows;
    expect(fills).toHaveLength(1);
    expect(fills[0].synthetic).toBe(true);
    expect(Number(fills[0].qty)).toBe(Number(os[0].filled_qty));
    expect(Number(fills[0].price)).toBeCloseTo(Number(os[0].avg_price), 9);
    const errs = (await db.query(`select error_class from watchlist.live_trade_error where signal_id = $1 and stage = 'fills'`, [s.id])).rows;
    expect(errs).toEqual([{ error_class: 'synthetic_fill' }]);
  });

  it('paper fault ack_invisible: an acknowledged order invisible to look-ups for a while is never not_placed; both legs open', async () => {
    const sym = 'LTC/USDT:USDT';
    // longer than the old 2.5 s of look-ups that concluded "not placed"; shorter than trade.lookup_span_s
    vs.faults.set('okx', { lateVisibilityMs: 4000 });
    vs.faults.failNext('okx', 'ack_invisible');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    expect((await ordersOf(s.id)).map((o) => [o.leg, o.purpose, o.status])).toEqual([['short', 'open', 'filled'], ['long', 'open', 'filled']]);
    expect(await paperOrders('okx', sym)).toHaveLength(1);
    expect(await paperPos('binance', sym)).toBeGreaterThan(0);
  });

  it('paper fault duplicate_old: an old order answering our client id is an error row, not a fill; the venue is refused until acknowledged', async () => {
    const sym = 'TRX/USDT:USDT';
    vs.faults.failNext('okx', 'duplicate_old');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    // our okx order was refused as a duplicate: the long leg is flattened, nothing adopted
    expect(s.status).toBe('partial_failed');
    const os = await ordersOf(s.id);
    expect(os.map((o) => [o.leg, o.purpose, o.status])).toEqual([['short', 'open', 'rejected'], ['long', 'open', 'filled'], ['long', 'flatten', 'filled']]);
    expect((await db.query('select count(*)::int n from watchlist.live_trade_fill where order_id = $1', [os[0].id])).rows[0].n).toBe(0);
    expect(await paperPos('okx', sym)).toBe(0);
    expect(await paperPos('binance', sym)).toBe(0);
    const errs = (await db.query(`select stage, error_class, payload from watchlist.live_trade_error where signal_id = $1 and stage = 'lookup_mismatch'`, [s.id])).rows;
    expect(errs).toHaveLength(1);
    expect(errs[0].payload.differ).toEqual(expect.arrayContaining(['amount', 'created_at']));
    // a new signal on okx is refused while the foreign activity is unacknowledged
    const ev2 = await insertEvent(db, { symbol: 'NEAR/USDT:USDT', high: 'okx', low: 'binance' });
    await drain(db);
    expect(await signalOf(ev2)).toMatchObject({ status: 'ignored', reason: 'venue_foreign_activity' });
    expect((await db.query(`select watchlist.acknowledge_foreign_activity('okx', 'test: old orders from a wiped database') n`)).rows[0].n).toBe(1);
    expect((await db.query(`select watchlist.venue_trading_block('okx') b`)).rows[0].b).toBeNull();
  });

  it('paper fault fills_missing on a close order: the close counts it by its filled amount; no second close order, nothing left, PnL known', async () => {
    const sym = 'SUI/USDT:USDT';
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    await setConfig(db, 'trade.fill_wait_s', 0);
    vs.faults.set('okx', { fillsLagMs: 60_000 });
    vs.faults.failNext('okx', 'fills_missing');
    await db.query(`select watchlist.request_close($1, 'manual')`, [s.id]);
    await drain(db);
    vs.faults.set('okx', { fillsLagMs: 0 });
    await setConfig(db, 'trade.fill_wait_s', 120);
    expect((await signalOf(ev)).status).toBe('closed');
    const closes = (await ordersOf(s.id)).filter((o) => o.purpose === 'close');
    expect(closes.map((o) => [o.leg, o.status]).sort()).toEqual([['long', 'filled'], ['short', 'filled']]);
    expect(await paperPos('okx', sym)).toBe(0);
    expect(await paperPos('binance', sym)).toBe(0);
    const ex = (await db.query('select realized_pnl_usdt from watchlist.live_trade_exit where signal_id = $1', [s.id])).rows[0];
    expect(ex.realized_pnl_usdt).not.toBeNull();
  });

  it('a leg filled only in part (paper fault: IOC rest canceled): the larger leg is trimmed reduce-only, legs even, trade open', async () => {
    const sym = 'APT/USDT:USDT';
    vs.faults.set('okx', { partialFillRatio: 0.5 });
    vs.faults.failNext('okx', 'partial');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    const os = await ordersOf(s.id);
    expect(os.map((o) => [o.leg, o.purpose, o.side, o.reduce_only])).toEqual([
      ['short', 'open', 'sell', false], ['long', 'open', 'buy', false], ['long', 'trim', 'sell', true],
    ]);
    const short = Number(os[0].filled_qty);
    expect(short).toBeGreaterThan(0);
    expect(short).toBeLessThan(Number(os[1].filled_qty));
    expect(Number(os[2].filled_qty)).toBeCloseTo(Number(os[1].filled_qty) - short, 12);
    expect(Number(s.entry_qty)).toBeCloseTo(short, 12);
    expect(await paperPos('okx', sym)).toBeCloseTo(-short, 12);
    expect(await paperPos('binance', sym)).toBeCloseTo(short, 12);
    vs.faults.reset('okx');

    // closed later: the realised PnL counts the trim's cash and fee, and nothing is left held
    await db.query(`select watchlist.request_close($1, 'manual')`, [s.id]);
    await drain(db);
    expect((await signalOf(ev)).status).toBe('closed');
    expect(await paperPos('okx', sym)).toBe(0);
    expect(await paperPos('binance', sym)).toBe(0);
    const cash = (await db.query(
      `select sum(case when o.side = 'sell' then f.price * f.qty else -f.price * f.qty end) - sum(f.fee) as pnl
       from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id where o.signal_id = $1`, [s.id])).rows[0].pnl;
    const ex = (await db.query('select * from watchlist.live_trade_exit where signal_id = $1', [s.id])).rows[0];
    expect(Number(ex.realized_pnl_usdt) - Number(ex.funding_usdt)).toBeCloseTo(Number(cash), 8);
  });

  it('a trim whose reply is lost is found by its client id, not sent twice', async () => {
    const sym = 'ARB/USDT:USDT';
    vs.faults.set('okx', { partialFillRatio: 0.5 });
    vs.faults.failNext('okx', 'partial');
    vs.faults.failNext('binance', 'none', 'timeout_after');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s.status).toBe('open');
    const trims = (await paperOrders('binance', sym)).filter((o) => o.reduce_only);
    expect(trims).toHaveLength(1);
    expect(trims[0].client_order_id).toBe(`wl${await prefixOf()}${s.id}trimlong1`);
    const errs = (await db.query(`select stage, message from watchlist.live_trade_error where signal_id = $1`, [s.id])).rows;
    expect(errs.some((e) => e.stage === 'trim' && /outcome unknown/.test(e.message))).toBe(true);
    expect((await ordersOf(s.id)).map((o) => [o.purpose, o.status])).toEqual([['open', 'filled'], ['open', 'filled'], ['trim', 'filled']]);
    expect(await paperPos('binance', sym)).toBeCloseTo(-(await paperPos('okx', sym)), 12);
    vs.faults.reset('okx');
  });

  it('both legs rejected: failed, nothing held', async () => {
    const sym = 'DOGE/USDT:USDT';
    vs.faults.failNext('okx', 'reject');
    vs.faults.failNext('binance', 'reject');
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    expect((await signalOf(ev)).status).toBe('failed');
    expect(await paperPos('okx', sym)).toBe(0);
  });

  it('a failing re-check (thresholds no longer met on live books) sends nothing and records why', async () => {
    await setConfig(db, 'trade.pnl_hat_min', 0.013);
    await setConfig(db, 'trade.win_prob_min', 0.94);
    const sym = 'ADA/USDT:USDT';
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s).toMatchObject({ status: 'ignored', reason: 'recheck_failed' });
    expect(s.recheck.fail).toBe('below_threshold');
    expect(s.recheck.pnl_hat).toBeLessThan(0.013);
    expect(await ordersOf(s.id)).toHaveLength(0);
    await setConfig(db, 'trade.pnl_hat_min', -1);
    await setConfig(db, 'trade.win_prob_min', 0);
  });

  it('a stale or crossed book is refused', async () => {
    await setConfig(db, 'trade.max_book_age_ms', 0); // any real book is older than 0 ms
    const ev = await insertEvent(db, { symbol: 'BNB/USDT:USDT', high: 'okx', low: 'binance' });
    await drain(db);
    const s = await signalOf(ev);
    expect(s).toMatchObject({ status: 'ignored', reason: 'recheck_failed' });
    expect(s.recheck.fail).toBe('stale_book');
    await setConfig(db, 'trade.max_book_age_ms', 5_000);
  });
});
