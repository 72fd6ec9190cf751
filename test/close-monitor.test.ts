// Monitor samples, take-profit / max-hold / manual / kill-switch exits, realised PnL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { enqueue, fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';
import type { VenueSet } from '../workers/venues/registry.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  vs = await paperVenues(db);
  await fixedModel(db, 0.02); // every re-check predicts 2%
  await setConfig(db, 'trade.monitor_interval_s', 0);
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const signal = async (id: string) => (await db.query('select * from watchlist.live_trade_signal where id = $1', [id])).rows[0];
const exitOf = async (id: string) => (await db.query('select * from watchlist.live_trade_exit where signal_id = $1', [id])).rows[0];
const paperPos = async (venue: string, symbol: string) =>
  Number((await db.query('select coalesce(sum(size), 0) s from paper.position where venue = $1 and symbol = $2', [venue, symbol])).rows[0].s);

async function openTrade(symbol: string, high = 'okx', low = 'binance'): Promise<string> {
  const ev = await insertEvent(db, { symbol, high, low });
  await drain(db);
  const { rows } = await db.query(`select id, status from watchlist.live_trade_signal where event_id = $1 and status <> 'ignored'`, [ev]);
  expect(rows[0]?.status).toBe('open');
  return rows[0].id;
}

/** realised PnL recomputed from the paper venue's own ledger */
async function ledgerPnl(id: string) {
  const { rows } = await db.query(
    `select sum(case when vo.side = 'sell' then f.price * f.qty else -f.price * f.qty end) - sum(f.fee) as pnl
     from paper.fill f join paper.venue_order vo on vo.id = f.order_id
     join watchlist.live_trade_order o on o.client_order_id = vo.client_order_id and o.exchange = vo.venue
     where o.signal_id = $1`, [id]);
  return Number(rows[0].pnl);
}

describe('monitor and exits', () => {
  it('samples the executable exit; below target nothing happens; take-profit closes with realised PnL beside pnl_hat', async () => {
    const id = await openTrade('BTC/USDT:USDT');
    await enqueue(db, 'monitor_trades');
    await drain(db);
    const { rows: samples } = await db.query('select * from watchlist.live_trade_spread_sample where signal_id = $1', [id]);
    expect(samples).toHaveLength(1);
    const sm = samples[0];
    expect(sm.bidask.short.price).toBeGreaterThan(0);
    const s0 = await signal(id);
    expect(sm.spread).toBeCloseTo(Math.log(sm.bidask.short.price / sm.bidask.long.price), 9);
    expect(sm.pnl_est).toBeLessThan(s0.entry_spread - sm.spread); // fees are subtracted
    expect(s0.status).toBe('open'); // pnl_est ≈ −fees, far below 0.8 × 2%

    await setConfig(db, 'trade.take_profit_ratio', -1); // target −2%: the next sample takes profit
    await enqueue(db, 'monitor_trades');
    await drain(db);
    const s = await signal(id);
    expect(s.status).toBe('closed');
    const ex = await exitOf(id);
    expect(ex.reason).toBe('take_profit');
    expect(ex.pnl_hat).toBe(0.02);
    expect(ex.exit_fills.map((f: any) => f.leg).sort()).toEqual(['long', 'short']);
    const { rows: fees } = await db.query('select count(*)::int n, sum(fee) s from watchlist.live_trade_order where signal_id = $1', [id]);
    expect(fees[0].n).toBe(4);
    expect(Number(ex.fees_usdt)).toBeCloseTo(Number(fees[0].s), 10);
    expect(Number(ex.realized_pnl_usdt) - Number(ex.funding_usdt)).toBeCloseTo(await ledgerPnl(id), 8);
    const { rows: ord } = await db.query(`select avg_price, filled_qty from watchlist.live_trade_order where signal_id = $1 and leg = 'long' and purpose = 'open'`, [id]);
    expect(ex.realized_pnl_frac).toBeCloseTo(Number(ex.realized_pnl_usdt) / (Number(ord[0].avg_price) * Number(ord[0].filled_qty)), 10);
    expect(await paperPos('okx', 'BTC/USDT:USDT')).toBe(0);
    expect(await paperPos('binance', 'BTC/USDT:USDT')).toBe(0);
    await setConfig(db, 'trade.take_profit_ratio', 0.8);
  });

  it('max hold forces an exit', async () => {
    const id = await openTrade('ETH/USDT:USDT');
    await setConfig(db, 'trade.max_hold_hours', 0);
    await enqueue(db, 'monitor_trades');
    await drain(db);
    await setConfig(db, 'trade.max_hold_hours', 168);
    expect((await signal(id)).status).toBe('closed');
    const ex = await exitOf(id);
    expect(ex.reason).toBe('max_hold');
    expect(ex.realized_pnl_usdt).not.toBeNull();
  });

  it('a venue that is down backs off and does not stall the other trades', async () => {
    const a = await openTrade('SOL/USDT:USDT', 'okx', 'binance');
    const b = await openTrade('XRP/USDT:USDT', 'bybit', 'bitget');
    vs.faults.setDown('okx');
    await enqueue(db, 'monitor_trades');
    await drain(db, 1);
    vs.faults.setDown('okx', false);
    const n = async (id: string) => Number((await db.query('select count(*) from watchlist.live_trade_spread_sample where signal_id = $1', [id])).rows[0].count);
    expect(await n(a)).toBe(0);
    expect(await n(b)).toBe(1);
    const { rows: h } = await db.query(`select * from watchlist.venue_health where venue = 'okx'`);
    expect(h[0]).toMatchObject({ status: 'backoff', consecutive_errors: 1 });
    expect(h[0].backoff_until.getTime()).toBeGreaterThan(Date.now());
    const { rows: e } = await db.query(`select * from watchlist.live_trade_error where stage = 'monitor' and venue = 'okx'`);
    expect(e.length).toBe(1);
    // while backing off the venue is not called: its trade is skipped, the other sampled again
    await enqueue(db, 'monitor_trades');
    await drain(db, 1);
    expect(await n(a)).toBe(0);
    expect(await n(b)).toBe(2);
    // while okx backs off the gate does not open new trades on it
    const ev = await insertEvent(db, { symbol: 'BCH/USDT:USDT', high: 'okx', low: 'binance' });
    expect((await db.query('select reason from watchlist.live_trade_signal where event_id = $1', [ev])).rows[0].reason).toBe('venue_unhealthy');
    await db.query(`select watchlist.venue_report('okx', true)`); // okx answers again
  });

  it('a manual close of a trade whose long leg is already flat is not an error for the close', async () => {
    const id = await openTrade('DOGE/USDT:USDT');
    // someone sells the long behind the system's back
    const pos = (await vs.get('binance').fetchPositions(['DOGE/USDT:USDT']))[0];
    await vs.get('binance').createMarketOrder({ symbol: 'DOGE/USDT:USDT', side: 'sell', amountBase: pos.sizeBase, reduceOnly: true, clientOrderId: 'outside1' });
    const exitId = await db.query(`select watchlist.request_close($1, 'manual') as x`, [id]);
    expect(Number(exitId.rows[0].x)).toBeGreaterThan(0);
    await drain(db);
    expect((await signal(id)).status).toBe('closed');
    const ex = await exitOf(id);
    expect(ex.reason).toBe('manual');
    expect(ex.exit_fills).toContainEqual({ leg: 'long', already_flat: true });
    expect(ex.realized_pnl_usdt).toBeNull();
    expect(await paperPos('okx', 'DOGE/USDT:USDT')).toBe(0);
    const { rows } = await db.query(`select actor, action, args from watchlist.trader_action where action = 'request_close'`);
    expect(rows[0].args).toEqual({ signal_id: Number(id), reason: 'manual' });
  });

  it('kill switch 2 closes every open trade', async () => {
    const a = await openTrade('ADA/USDT:USDT');
    const b = await openTrade('LINK/USDT:USDT', 'bybit', 'bitget');
    await db.query(`select watchlist.set_kill_switch(2, 'test')`);
    await drain(db);
    for (const id of [a, b]) {
      expect((await signal(id)).status).toBe('closed');
      expect((await exitOf(id)).reason).toBe('kill_switch');
    }
    const ev = await insertEvent(db, { symbol: 'AVAX/USDT:USDT' });
    expect((await db.query('select reason from watchlist.live_trade_signal where event_id = $1', [ev])).rows[0].reason).toBe('kill_switch');
    await db.query(`select watchlist.set_kill_switch(0)`);
  });
});
