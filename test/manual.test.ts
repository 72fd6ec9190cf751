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

describe('manual orders end', () => {
  const setCfg = (k: string, v: unknown) => db.query('select watchlist.set_config($1, $2::jsonb, $3)', [k, JSON.stringify(v), 'test']);
  const terminal = ['filled', 'failed', 'expired'];
  async function until(ids: number[], seconds: number) {
    const end = Date.now() + seconds * 1000;
    for (;;) {
      const rows = await Promise.all(ids.map(mo));
      if (rows.every((r) => terminal.includes(r.status)) || Date.now() > end) return rows;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  async function listen() {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const got: { channel: string; payload: any }[] = [];
    c.on('notification', (n) => got.push({ channel: n.channel, payload: JSON.parse(n.payload ?? '{}') }));
    await c.query('listen live_trade');
    await c.query('listen live_trade_error');
    return { got, close: () => c.end() };
  }
  const ordersFor = async (id: number) => (await db.query('select * from watchlist.live_trade_order where manual_order_id = $1', [id])).rows;

  it('an order no worker took within its time to live expires, and a worker started later never sends it', async () => {
    await setCfg('trade.manual_ttl_s', 5);
    const l = await listen();
    try {
      const id = Number((await db.query(`select watchlist.manual_trade('bitget', 'DOGE/USDT:USDT', 'open_long', 20) id`)).rows[0].id);
      await new Promise((r) => setTimeout(r, 5500)); // no worker running
      // the next start: reconcile first, then the queued job
      await db.query(`select watchlist.enqueue('reconcile', '{}')`);
      await drain(db);
      const m = await mo(id);
      expect(m.status).toBe('expired');
      expect(m.error).toMatch(/not sent within its time to live of 5 s/);
      expect(await ordersFor(id)).toHaveLength(0);
      expect(await paperPos('bitget', 'DOGE/USDT:USDT')).toBe(0);
      const { rows: err } = await db.query(`select * from watchlist.live_trade_error where payload->>'manual_order_id' = $1`, [String(id)]);
      expect(err).toMatchObject([{ stage: 'manual', venue: 'bitget', error_class: 'ManualOrderExpired' }]);
      expect(l.got).toContainEqual({ channel: 'live_trade', payload: { type: 'manual_order', manual_order_id: id, status: 'expired' } });
      expect(l.got.some((n) => n.channel === 'live_trade_error' && n.payload.error_id === Number(err[0].id))).toBe(true);
      // reconcile does not bring it back
      await db.query(`select watchlist.reconcile_resume()`);
      await drain(db);
      expect((await mo(id)).status).toBe('expired');
      expect(await ordersFor(id)).toHaveLength(0);
    } finally {
      await l.close();
      await setCfg('trade.manual_ttl_s', 60);
    }
  });

  it('an unreachable venue: the order ends failed with an error row and a NOTIFY, and is never sent later', async () => {
    await setCfg('trade.manual_ttl_s', 5);
    const l = await listen();
    vs.faults.setDown('bitget');
    const runner = await startRunner(db);
    let id = 0;
    try {
      id = Number((await db.query(`select watchlist.manual_trade('bitget', 'XRP/USDT:USDT', 'open_short', 20) id`)).rows[0].id);
      const [m] = await until([id], 30);
      expect(m.status).toBe('failed');
      expect(m.error).toMatch(/unreachable/);
      const { rows: err } = await db.query(`select * from watchlist.live_trade_error where error_class = 'ManualOrderFailed' and payload->>'manual_order_id' = $1`, [String(id)]);
      expect(err).toHaveLength(1);
      expect(l.got).toContainEqual({ channel: 'live_trade', payload: { type: 'manual_order', manual_order_id: id, status: 'failed' } });
      expect(l.got.some((n) => n.channel === 'live_trade_error' && n.payload.error_id === Number(err[0].id))).toBe(true);
    } finally {
      await runner.stop();
      vs.faults.setDown('bitget', false);
      await l.close();
      await setCfg('trade.manual_ttl_s', 60);
    }
    // the venue is back and the worker restarts: nothing is sent late
    await db.query(`select watchlist.reconcile_resume()`);
    await drain(db);
    expect((await mo(id)).status).toBe('failed');
    expect(await ordersFor(id)).toHaveLength(0);
    expect(await paperPos('bitget', 'XRP/USDT:USDT')).toBe(0);
  });

  it('two orders for one venue+symbol run in the order placed, even when the first had to retry', async () => {
    vs.faults.setDown('okx');
    const open = Number((await db.query(`select watchlist.manual_trade('okx', 'AVAX/USDT:USDT', 'open_long', 20) id`)).rows[0].id);
    await drain(db, 1); // its first attempt fails: retried a few seconds later
    expect((await mo(open)).status).toBe('new');
    vs.faults.setDown('okx', false);
    const close = Number((await db.query(`select watchlist.manual_trade('okx', 'AVAX/USDT:USDT', 'close_long', 20) id`)).rows[0].id);
    const runner = await startRunner(db);
    try {
      const [a, b] = await until([open, close], 40);
      expect(a).toMatchObject({ status: 'filled', error: null });
      expect(b).toMatchObject({ status: 'filled', error: null });
    } finally {
      await runner.stop();
    }
    const [oa] = await ordersFor(open);
    const [ob] = await ordersFor(close);
    expect(new Date(oa.submitted_at).getTime()).toBeLessThan(new Date(ob.submitted_at).getTime());
    expect(await paperPos('okx', 'AVAX/USDT:USDT')).toBe(0);
  });

  it('wl trade exits non-zero with the reason when no worker picks the order up in time', async () => {
    await setCfg('trade.manual_ttl_s', 5);
    try {
      const p = spawnWl(['trade', 'open-long', '--venue', 'binance', '--symbol', 'LINK/USDT:USDT', '--usdt', '20', '--wait', '6'], { DATABASE_URL: db.url });
      expect(await p.exited()).not.toBe(0);
      expect(p.output()).toMatch(/expired: not sent within its time to live of 5 s: no worker took it in time/);
    } finally {
      await setCfg('trade.manual_ttl_s', 60);
    }
    const { rows } = await db.query(`select status from watchlist.manual_order where symbol = 'LINK/USDT:USDT'`);
    expect(rows).toEqual([{ status: 'expired' }]);
    await drain(db);
    expect(await paperPos('binance', 'LINK/USDT:USDT')).toBe(0);
  });

  it('kill switch 2 flattens what manual orders hold; kill switch 1 stops a queued manual open', async () => {
    const id = Number((await db.query(`select watchlist.manual_trade('binance', 'DOT/USDT:USDT', 'open_long', 20) id`)).rows[0].id);
    await drain(db);
    expect((await mo(id)).status).toBe('filled');
    const held = await paperPos('binance', 'DOT/USDT:USDT');
    expect(held).toBeGreaterThan(0);

    await asTrader((c) => c.query(`select watchlist.set_kill_switch(2, 'flatten test')`));
    const { rows: flat } = await db.query(`select * from watchlist.manual_order where venue = 'binance' and symbol = 'DOT/USDT:USDT' and id > $1`, [id]);
    expect(flat).toHaveLength(1);
    expect(flat[0]).toMatchObject({ action: 'close_long', status: 'new' });
    expect(Number(flat[0].qty_base)).toBe(held);
    // a second press adds nothing: the pending close already covers the position
    await db.query(`select watchlist.set_kill_switch(2)`);
    expect((await db.query(`select count(*)::int n from watchlist.manual_order where symbol = 'DOT/USDT:USDT' and id > $1`, [id])).rows[0].n).toBe(1);
    await drain(db);
    expect((await mo(Number(flat[0].id))).status).toBe('filled');
    expect(await paperPos('binance', 'DOT/USDT:USDT')).toBe(0);
    const { rows: audit } = await db.query(`select result from watchlist.trader_action where action = 'set_kill_switch' order by id desc limit 2`);
    // the first press flattened every manual position left by the tests above (DOT among them)
    expect(audit[0].result.manual_flatten).toBe(0);
    expect(audit[1].result.manual_flatten).toBeGreaterThanOrEqual(1);
    expect((await db.query(`select count(*)::int n from watchlist.v_manual_position where size_base <> 0`)).rows[0].n).toBe(0);

    // an open queued before the kill switch is not sent after it
    await db.query(`select watchlist.set_kill_switch(0)`);
    const queued = Number((await db.query(`select watchlist.manual_trade('binance', 'BCH/USDT:USDT', 'open_long', 20) id`)).rows[0].id);
    await db.query(`select watchlist.set_kill_switch(1)`);
    await drain(db);
    expect(await mo(queued)).toMatchObject({ status: 'failed', error: expect.stringMatching(/kill switch is on/) });
    expect(await paperPos('binance', 'BCH/USDT:USDT')).toBe(0);
    await db.query(`select watchlist.set_kill_switch(0)`);
  });
});
