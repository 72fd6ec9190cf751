// SIGKILL a real worker process at every step of opening and closing a trade,
// restart, and check the pair ends hedged or flat with no order placed twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { enqueue, fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';

const root = path.resolve(import.meta.dirname, '..');
let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
  await paperVenues(db);
  await fixedModel(db, 0.02);
  await setConfig(db, 'trade.resume_after_s', 0);
  await setConfig(db, 'trade.lookup_span_s', 2); // production 30 s: "not placed" only after look-ups span it
  await setConfig(db, 'trade.cooldown_min', 0);
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

/** run a worker child until it freezes at the given order, then SIGKILL it */
async function killAt(hang: string) {
  const child = spawn(process.execPath, [path.join(root, 'test/helpers/worker-child.ts')], {
    cwd: root, env: { ...process.env, DATABASE_URL: db.url, WL_TEST_HANG: hang }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`child never hung (${hang}):\n${out}`)), 30_000);
    const tick = setInterval(() => {
      if (out.includes('HUNG')) {
        clearTimeout(t);
        clearInterval(tick);
        resolve();
      }
    }, 20);
    child.on('exit', (c) => reject(new Error(`child exited ${c}:\n${out}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** a new worker after the crash: reconcile at start, then whatever it enqueues */
async function restart() {
  await enqueue(db, 'reconcile');
  await drain(db, 4);
}

const paper = async (symbol: string) =>
  (await db.query(`select venue, sum(size)::float8 s from paper.position where symbol = $1 group by venue`, [symbol])).rows.reduce(
    (m, r) => ({ ...m, [r.venue]: r.s }), {} as Record<string, number>);
const paperOrders = async (symbol: string) =>
  (await db.query(`select venue, client_order_id from paper.venue_order where symbol = $1 order by id`, [symbol])).rows;

async function expectHedgedOrFlat(signalId: string, symbol: string) {
  const s = (await db.query('select status from watchlist.live_trade_signal where id = $1', [signalId])).rows[0];
  const pos = await paper(symbol);
  const okx = pos.okx ?? 0;
  const bin = pos.binance ?? 0;
  if (s.status === 'open') {
    expect(okx).toBeLessThan(0);
    expect(bin).toBeCloseTo(-okx, 12);
  } else {
    expect(['partial_failed', 'failed', 'closed', 'ignored']).toContain(s.status);
    expect(okx).toBe(0);
    expect(bin).toBe(0);
  }
  // every order on the venues is one of ours, each sent once, at most one open per leg
  const orders = await paperOrders(symbol);
  const ours = (await db.query('select client_order_id, purpose, leg from watchlist.live_trade_order where signal_id = $1', [signalId])).rows;
  expect(new Set(orders.map((o) => o.client_order_id)).size).toBe(orders.length);
  for (const o of orders) expect(ours.map((x) => x.client_order_id)).toContain(o.client_order_id);
  expect(ours.filter((o) => o.purpose === 'open' && o.leg === 'short')).toHaveLength(1);
  expect(ours.filter((o) => o.purpose === 'open' && o.leg === 'long')).toHaveLength(1);
  return s.status as string;
}

describe('crash during open', () => {
  const steps: Array<[string, string]> = [
    ['before:1', 'orders written, nothing sent'],
    ['after:1', 'first leg executed, its reply lost'],
    ['before:2', 'first leg executed, second never sent'],
    ['after:2', 'both legs executed, replies lost'],
  ];
  steps.forEach(([hang, what], i) => {
    it(`killed when ${what} → hedged or flat, no duplicate`, async () => {
      const symbol = ['BTC', 'ETH', 'SOL', 'XRP'][i] + '/USDT:USDT';
      const ev = await insertEvent(db, { symbol, high: 'okx', low: 'binance' });
      const sid = (await db.query(`select id from watchlist.live_trade_signal where event_id = $1`, [ev])).rows[0].id;
      await killAt(hang);
      const mid = (await db.query('select status from watchlist.live_trade_signal where id = $1', [sid])).rows[0].status;
      expect(mid).toBe('opening');
      await restart();
      const end = await expectHedgedOrFlat(sid, symbol);
      expect(['open', 'partial_failed', 'failed']).toContain(end);
      if (hang === 'after:1' || hang === 'after:2') expect(end).toBe('open'); // both legs did execute
    });
  });
});

describe('crash during close', () => {
  const steps: Array<[string, string]> = [
    ['before:1', 'close orders written, nothing sent'],
    ['after:1', 'first close leg executed, reply lost'],
    ['before:2', 'first close leg executed, second never sent'],
    ['after:2', 'both close legs executed, replies lost'],
  ];
  steps.forEach(([hang, what], i) => {
    it(`killed when ${what} → closed and flat, no duplicate`, async () => {
      const symbol = ['DOGE', 'ADA', 'LINK', 'AVAX'][i] + '/USDT:USDT';
      const ev = await insertEvent(db, { symbol, high: 'okx', low: 'binance' });
      await drain(db);
      const sid = (await db.query(`select id, status from watchlist.live_trade_signal where event_id = $1`, [ev])).rows[0].id;
      await db.query(`select watchlist.request_close($1)`, [sid]);
      await killAt(hang);
      await restart();
      const s = (await db.query('select status from watchlist.live_trade_signal where id = $1', [sid])).rows[0];
      expect(s.status).toBe('closed');
      await expectHedgedOrFlat(sid, symbol);
      const closes = (await paperOrders(symbol)).length;
      expect(closes).toBe(4); // two opens, two closes: nothing sent twice
      const ex = (await db.query('select realized_pnl_usdt from watchlist.live_trade_exit where signal_id = $1', [sid])).rows[0];
      expect(ex.realized_pnl_usdt).not.toBeNull();
    });
  });
});
