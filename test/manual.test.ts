// Manual trading levers: SQL functions for the trader role, the manual_order job, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { closeSharedVenues, drain, paperVenues, startRunner } from './helpers/worker.ts';
import { spawnWl } from './helpers/proc.ts';
import type { VenueSet } from '../workers/venues/registry.ts';
import { DEFAULT_VENUES } from '../workers/sim/universe.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  // bybit here requires 30 USDT per order, so a 20 USDT manual order must fall back to 50
  vs = await paperVenues(db, { venues: DEFAULT_VENUES.map((v) => (v.name === 'bybit' ? { ...v, minCostUsdt: 30 } : v)) });
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const mo = async (id: number) => (await db.query('select * from watchlist.manual_order where id = $1', [id])).rows[0];
const paperPos = async (venue: string, symbol: string) =>
  Number((await db.query('select coalesce(sum(size), 0) s from paper.position where venue = $1 and symbol = $2', [venue, symbol])).rows[0].s);

async function asTrader<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`set role wl_trader`);
    await c.query(`set wl.actor = 'alice'`);
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('manual trading', () => {
  it('the trader opens and closes a long through the job; audit, order, fills, position', async () => {
    const id = await asTrader(async (c) => Number((await c.query(`select watchlist.manual_trade('binance', 'BTC/USDT:USDT', 'open_long', 20) id`)).rows[0].id));
    const { rows: audit } = await db.query(`select * from watchlist.trader_action where action = 'manual_trade'`);
    expect(audit[0]).toMatchObject({ actor: 'alice', args: { venue: 'binance', symbol: 'BTC/USDT:USDT', action: 'open_long', notional_usdt: 20 } });
    expect((await mo(id)).status).toBe('new');
    await drain(db);
    const m = await mo(id);
    const prefix = (await db.query('select watchlist.installation_prefix() p')).rows[0].p;
    expect(m).toMatchObject({ status: 'filled', client_order_id: `wlm${prefix}${id}openlong1` });
    expect(Number(m.notional_usdt)).toBe(20);
    const { rows: o } = await db.query('select * from watchlist.live_trade_order where id = $1', [m.order_id]);
    expect(o[0]).toMatchObject({ purpose: 'manual', side: 'buy', status: 'filled', reduce_only: false });
    const held = await paperPos('binance', 'BTC/USDT:USDT');
    expect(held).toBeGreaterThan(0);
    expect(held * 95000).toBeLessThan(25);
    const { rows: vp } = await db.query(`select size_base from watchlist.venue_position where venue = 'binance' and symbol = 'BTC/USDT:USDT'`);
    expect(Number(vp[0].size_base)).toBe(held);

    const closeId = await asTrader(async (c) => Number((await c.query(`select watchlist.manual_trade('binance', 'BTC/USDT:USDT', 'close_long', 20) id`)).rows[0].id));
    await drain(db);
    expect((await mo(closeId)).status).toBe('filled');
    expect(await paperPos('binance', 'BTC/USDT:USDT')).toBe(0);
  });

  it('falls back to 50 USDT when 20 is under the venue minimum, and records the notional used', async () => {
    const pick = { v: 'bybit', s: 'ETH/USDT:USDT' };
    const id = Number((await db.query(`select watchlist.manual_trade($1, $2, 'open_short', 20) id`, [pick.v, pick.s])).rows[0].id);
    await drain(db);
    const m = await mo(id);
    expect(m.status).toBe('filled');
    expect(Number(m.notional_usdt)).toBe(50);
    const short = await paperPos(pick.v, pick.s);
    expect(short).toBeLessThan(0);
    // a reduce-only close under the venue minimum (20 < 30 USDT) is not refused
    const c = Number((await db.query(`select watchlist.manual_trade($1, $2, 'close_short', 20) id`, [pick.v, pick.s])).rows[0].id);
    await drain(db);
    expect(await mo(c)).toMatchObject({ status: 'filled' });
    const left = await paperPos(pick.v, pick.s);
    expect(left).toBeLessThan(0);
    expect(left).toBeGreaterThan(short);
  });

  it('a rejected order fails the manual order with the error recorded; a close with nothing to close fails cleanly', async () => {
    vs.faults.failNext('okx', 'reject');
    const id = Number((await db.query(`select watchlist.manual_trade('okx', 'ETH/USDT:USDT', 'open_long', 50) id`)).rows[0].id);
    const id2 = Number((await db.query(`select watchlist.manual_trade('okx', 'SOL/USDT:USDT', 'close_short', 50) id`)).rows[0].id);
    await drain(db);
    expect(await mo(id)).toMatchObject({ status: 'failed' });
    expect((await mo(id)).error).toMatch(/rejected/);
    expect(await mo(id2)).toMatchObject({ status: 'failed' });
    expect((await mo(id2)).error).toMatch(/no short position/);
    const { rows } = await db.query(`select stage, venue from watchlist.live_trade_error where stage = 'manual'`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it('validation, kill switch and role checks', async () => {
    await expect(db.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'buy_everything', 20)`)).rejects.toThrow(/action must be/);
    await expect(db.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', -5)`)).rejects.toThrow(/out of range/);
    await asTrader((c) => c.query(`select watchlist.set_kill_switch(1, 'maintenance')`));
    expect((await db.query(`select value from watchlist.strategy_config where key = 'kill_switch'`)).rows[0].value).toBe(1);
    const { rows: audit } = await db.query(`select changed_by, note from watchlist.strategy_config_audit where key = 'kill_switch' order by id desc limit 1`);
    expect(audit[0]).toEqual({ changed_by: 'alice', note: 'maintenance' });
    await expect(db.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', 20)`)).rejects.toThrow(/kill switch/);
    await db.query(`select watchlist.set_kill_switch(0)`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('set role wl_reader');
    await expect(c.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', 20)`)).rejects.toThrow(/permission denied/);
    await expect(c.query(`select watchlist.set_kill_switch(2)`)).rejects.toThrow(/permission denied/);
    await c.end();
  });

  it('wl trade open-short sends through a running worker and prints the fill', async () => {
    const runner = await startRunner(db);
    try {
      const p = spawnWl(['trade', 'open-short', '--venue', 'okx', '--symbol', 'LTC/USDT:USDT', '--usdt', '30', '--wait', '20'], { DATABASE_URL: db.url });
      expect(await p.exited()).toBe(0);
      expect(p.output()).toMatch(/filled: [0-9.]+ @ [0-9.]+ \(notional 30 USDT/);
    } finally {
      await runner.stop();
    }
    expect(await paperPos('okx', 'LTC/USDT:USDT')).toBeLessThan(0);
    const { rows } = await db.query(`select actor from watchlist.trader_action where args->>'symbol' = 'LTC/USDT:USDT'`);
    expect(rows[0].actor).toMatch(/^cli:/);
  });
});
