// Issue 12 (the trader's cockpit): force-enter through the automatic path, the exact
// take-profit threshold the chart draws, the profit views, balances, `wl trade enter`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Runner } from 'graphile-worker';
import { freshDb, type TestDb } from './helpers/db.ts';
import { insertEvent, jobs, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues, startRunner } from './helpers/worker.ts';
import { spawnWl } from './helpers/proc.ts';
import { reconcileOnce } from '../workers/trade/reconcile-flow.ts';
import { wrap } from '../workers/trade/db.ts';
import type { VenueSet } from '../workers/venues/registry.ts';
import { modeBanner } from '../workers/venues/venue-modes.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  vs = await paperVenues(db);
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

async function asRole<T>(role: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`set role ${role}`);
    await c.query(`set wl.actor = 'alice'`);
    return await fn(c);
  } finally {
    await c.end();
  }
}
const forceEnter = (sym: string, short: string, long: string) =>
  asRole('wl_trader', async (c) => Number((await c.query('select watchlist.force_enter($1, $2, $3, $4) id', [sym, short, long, 'test'])).rows[0].id));
const signal = async (id: number) => (await db.query('select * from watchlist.live_trade_signal where id = $1', [id])).rows[0];

describe('force_enter', () => {
  it('enters a pair the gate ignored below threshold, through the open_trade job, its re-check and the audit', async () => {
    const sym = 'BTC/USDT:USDT';
    const ev = await insertEvent(db, { symbol: sym, high: 'okx', low: 'binance', pnlHat: 0.001, winProb: 0.5 });
    const gate = (await db.query('select status, reason from watchlist.live_trade_signal where event_id = $1', [ev])).rows;
    expect(gate).toEqual([{ status: 'ignored', reason: 'below_threshold' }]);
    const id = await forceEnter(sym, 'okx', 'binance');
    const s0 = await signal(id);
    expect(s0).toMatchObject({ status: 'new', kind: 'manual', event_id: String(ev), leg_short_exchange: 'okx', leg_long_exchange: 'binance' });
    expect(s0.threshold.forced).toBe(true);
    expect((await jobs(db, 'open_trade')).map((j) => j.payload.signal_id)).toContain(Number(id));
    await drain(db);
    const s = await signal(id);
    expect(s.status).toBe('open');
    expect(s.recheck.ok).toBe(true); // the job's re-check on live books ran
    expect(s.recheck.legs).toHaveLength(2); // and the pre-send checks
    const audit = (await db.query(`select actor, args, result from watchlist.trader_action where action = 'force_enter'`)).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0].actor).toBe('alice');
    expect(audit[0].args).toMatchObject({ symbol: sym, short: 'okx', long: 'binance' });
    expect(audit[0].result).toMatchObject({ signal_id: id, event_id: ev, gate_reason: 'below_threshold' });
  });

  it('the forced trade holds its symbol: a qualifying automatic event is ignored as symbol_active', async () => {
    await setConfig(db, 'trade.pnl_hat_min', -1);
    await setConfig(db, 'trade.win_prob_min', 0);
    try {
      const ev = await insertEvent(db, { symbol: 'BTC/USDT:USDT', high: 'bybit', low: 'bitget' });
      const rows = (await db.query('select status, reason from watchlist.live_trade_signal where event_id = $1', [ev])).rows;
      expect(rows).toEqual([{ status: 'ignored', reason: 'symbol_active' }]);
    } finally {
      await setConfig(db, 'trade.pnl_hat_min', 0.013);
      await setConfig(db, 'trade.win_prob_min', 0.94);
    }
  });

  it('refuses with the reason: symbol active, kill switch, no event, unknown venue; and anonymous readers cannot call it', async () => {
    await expect(forceEnter('BTC/USDT:USDT', 'okx', 'binance')).rejects.toThrow(/refused: symbol_active/);
    await insertEvent(db, { symbol: 'ETH/USDT:USDT', high: 'okx', low: 'bybit' });
    await db.query(`select watchlist.set_kill_switch(1, 'test')`);
    try {
      await expect(forceEnter('ETH/USDT:USDT', 'okx', 'bybit')).rejects.toThrow(/refused: kill_switch/);
    } finally {
      await db.query(`select watchlist.set_kill_switch(0, 'test')`);
    }
    await expect(forceEnter('SOL/USDT:USDT', 'okx', 'bybit')).rejects.toThrow(/no open event for SOL\/USDT:USDT short okx \/ long bybit/);
    await expect(forceEnter('ETH/USDT:USDT', 'okx', 'okx')).rejects.toThrow(/different long venue/);
    await expect(asRole('wl_reader', (c) => c.query(`select watchlist.force_enter('ETH/USDT:USDT', 'okx', 'bybit')`))).rejects.toThrow(/permission denied/);
    expect((await db.query(`select count(*)::int n from watchlist.live_trade_signal where symbol = 'ETH/USDT:USDT' and kind = 'manual'`)).rows[0].n).toBe(0);
  });
});

describe('the take-profit line', () => {
  it('is the exact spread at which the monitor closes: a sample just above stays open, one just below closes', async () => {
    const { rows } = await db.query(`select id from watchlist.live_trade_signal where kind = 'manual' and status = 'open' and symbol = 'BTC/USDT:USDT'`);
    const id = Number(rows[0].id);
    // a sample far from take-profit: its fees and funding define the threshold
    const far = (await db.query(`select watchlist.record_spread_sample($1, now(), '{}', 100, 99)`, [id])).rows[0];
    expect(far).toBeTruthy();
    const line = Number((await db.query(`select watchlist.live_trade_signal_take_profit_spread(s) v from watchlist.live_trade_signal s where id = $1`, [id])).rows[0].v);
    const old = Number((await db.query(`select s.entry_spread - watchlist.live_trade_signal_take_profit_pnl(s) v from watchlist.live_trade_signal s where id = $1`, [id])).rows[0].v);
    expect(Math.abs(line - old)).toBeGreaterThan(5e-4); // the old line (entry − target) was fees away from the exit
    // short ask / long bid giving a spread 0.1 bps above, then below, the line
    const at = (spread: number) => [Math.exp(spread) * 99, 99];
    const [a1, b1] = at(line + 1e-5);
    await db.query(`select watchlist.record_spread_sample($1, now(), '{}', $2, $3)`, [id, a1, b1]);
    expect((await signal(id)).status).toBe('open');
    const [a2, b2] = at(line - 1e-5);
    await db.query(`select watchlist.record_spread_sample($1, now(), '{}', $2, $3)`, [id, a2, b2]);
    expect((await signal(id)).status).toBe('closing');
    expect((await db.query('select reason from watchlist.live_trade_exit where signal_id = $1', [id])).rows[0].reason).toBe('take_profit');
    await drain(db);
    expect((await signal(id)).status).toBe('closed');
  });
});

describe('profit views and balances', () => {
  it('v_pnl_summary and v_pnl_by_venue add up the closed trade; reconcile records each venue balance', async () => {
    const t = (await db.query(`select * from watchlist.v_trade_pnl`)).rows;
    expect(t).toHaveLength(1);
    const sum = (await db.query(`select * from watchlist.v_pnl_summary`)).rows[0];
    expect(Number(sum.trades)).toBe(1);
    expect(sum.realized_pnl_usdt).toBe(t[0].realized_pnl_usdt);
    expect(Number(sum.wins) + Number(sum.losses)).toBeLessThanOrEqual(1);
    const byVenue = (await db.query(`select * from watchlist.v_pnl_by_venue order by venue`)).rows;
    expect(byVenue.map((r) => r.venue)).toEqual(['binance', 'okx']);
    // both legs' cash less fees is the trade's realised PnL before funding
    const legs = byVenue.reduce((a, r) => a + Number(r.leg_pnl_usdt), 0);
    expect(legs).toBeCloseTo(Number(t[0].realized_pnl_usdt) - Number(t[0].funding_usdt ?? 0), 6);
    await reconcileOnce(wrap(db.pool), vs.venues);
    const bal = (await db.query(`select venue, total, free from watchlist.venue_balance order by venue`)).rows;
    expect(bal.map((b) => b.venue)).toEqual(['binance', 'bitget', 'bybit', 'okx']);
    for (const b of bal) expect(Number(b.total)).toBeGreaterThan(0);
    const eq = (await db.query(`select * from watchlist.v_venue_equity where venue = 'okx'`)).rows[0];
    expect(eq.balance_total).toBe(bal.find((b) => b.venue === 'okx')!.total);
  });
});

describe('wl trade enter', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await startRunner(db);
  });
  afterAll(async () => {
    await runner?.stop();
  });

  it('force-enters through a running worker and prints the trade as T#id with its outcome; a refusal exits 1 with the reason', async () => {
    await insertEvent(db, { symbol: 'XRP/USDT:USDT', high: 'bybit', low: 'okx', pnlHat: 0.002, winProb: 0.6 });
    const p = spawnWl(['trade', 'enter', '--symbol', 'XRP/USDT:USDT', '--short', 'bybit', '--long', 'okx', '--wait', '30'], { DATABASE_URL: db.url });
    const code = await p.exited();
    expect(p.output()).toMatch(/T#\d+ XRP\/USDT:USDT short bybit \/ long okx: open/);
    expect(code).toBe(0);
    const audit = (await db.query(`select actor from watchlist.trader_action where action = 'force_enter' and args->>'symbol' = 'XRP/USDT:USDT'`)).rows;
    expect(audit[0].actor).toMatch(/^cli:/);
    const again = spawnWl(['trade', 'enter', '--symbol', 'XRP/USDT:USDT', '--short', 'bybit', '--long', 'okx'], { DATABASE_URL: db.url });
    expect(await again.exited()).toBe(1);
    expect(again.output()).toMatch(/refused: symbol_active/);
  }, 90_000);
});

describe("wl up's banner", () => {
  it('names every venue with its mode in capitals and says REAL MONEY where a venue is live', () => {
    expect(modeBanner([{ venue: 'binance', mode: 'paper' }, { venue: 'okx', mode: 'live' }, { venue: 'bybit', mode: 'sandbox', marketsLoaded: false }])).toBe(
      "TRADING MODE per venue: binance PAPER (simulated market and fills) · okx LIVE (real orders, real money) · bybit SANDBOX (the exchange's demo/testnet, no real money; markets not loaded) — REAL MONEY on okx",
    );
    expect(modeBanner([{ venue: 'binance', mode: 'paper' }])).not.toMatch(/REAL MONEY/);
  });
});
