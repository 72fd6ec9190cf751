// bench:latency — time from a watch_signal_event's COMMIT to both legs submitted
// to the venues, and the gap between the two legs, on paper venues with zero
// simulated latency. The worker runs in this process (graphile-worker picks the
// gate's open_trade job up through LISTEN/NOTIFY, not by polling), so one clock
// times both ends. Each trade is closed in the database after it opens so the
// next event on the same symbol is admitted again.
import { makePool } from '../db/pool.ts';
import { Logger, run } from 'graphile-worker';
import { benchDatabase, percentile } from './helpers/db.ts';
import { taskList } from '../workers/tasks/index.ts';
import { configureVenues, sharedVenues, closeSharedVenues } from '../workers/venues/registry.ts';
import { preciseNow } from '../workers/trade/clock.ts';
import { decodeClientOrderId } from '../workers/venues/client-order-id.ts';

const N = Number(process.env.BENCH_TRADES || 200);
const WARMUP = 10;

const db = await benchDatabase('latency');
const q = (t: string, p?: unknown[]) => db.pool.query(t, p);
const cfg = (k: string, v: unknown) => q('select watchlist.set_config($1, $2::jsonb)', [k, JSON.stringify(v)]);
await q(`update watchlist.pnl_model set active = false where signal_type = 'B' and horizon_min = 240`);
await q(`insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, active)
         values ('B', 240, 'bench', 0.02, '{}', 0.005, true)`); // every re-check passes
await cfg('trade.max_active', 100000);
await cfg('trade.daily_cap', 100000);
await cfg('trade.cooldown_min', 0);
// positions stay open on the paper venues (trades are only retired in the database) and
// the pre-send check asks for free margin: 210 × 20 USDT fits a paper account's 10 000
await cfg('trade.notional_usdt', 20);

// error listeners on both pools and their clients: a dropped connection is logged, not an uncaught exception
const ledgerPool = makePool('bench ledger', { connectionString: db.url, max: 8 });
configureVenues({ db: ledgerPool, mode: 'paper', venues: ['binance', 'okx', 'bybit', 'bitget'] });
const venues = await sharedVenues();
const sent = new Map<string, number[]>(); // client order id prefix (signal) → submission times
let waiter: { sid: string; resolve: () => void } | null = null;
for (const v of venues.venues) {
  const send = v.createMarketOrder.bind(v);
  v.createMarketOrder = (req) => {
    const t = preciseNow();
    const d = decodeClientOrderId(req.clientOrderId);
    const sid = d && !d.manual && (d.tag === 'short' || d.tag === 'long') ? d.id : undefined;
    if (sid) {
      const list = sent.get(sid) ?? [];
      list.push(t);
      sent.set(sid, list);
      if (list.length === 2 && waiter?.sid === sid) waiter.resolve();
    }
    return send(req);
  };
}

const workerPool = makePool('bench worker', { connectionString: db.url, max: 12 });
const runner = await run({ pgPool: workerPool, taskList, concurrency: 4, pollInterval: 2000, noHandleSignals: true, crontab: '', logger: new Logger(() => () => {}) });

const symbols = venues.sim!.symbolNames();
const features = JSON.stringify({
  meta_last: {
    pnl_regression: { '240': { pnl_hat: 0.03, win_prob: 0.99 } },
    trigger_details: { prices: { high: { exchange: 'okx', bid: 101, ask: 101.1 }, low: { exchange: 'binance', bid: 98.9, ask: 99 } } },
    factors: { raw_slope_3m: 0, raw_drift_ratio: 0.8, spread_log_short_over_long: 0.02, raw_crossings_1h: 2, raw_best_buy_high_sell_low: 0.02 },
  },
});
const e2e: number[] = [];
const gaps: number[] = [];
const client = await db.pool.connect();
for (let i = 0; i < N + WARMUP; i++) {
  await client.query('begin');
  const { rows } = await client.query(
    `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, last_trigger_ts, status, features_agg)
     values ('multi', $1, 'B', now(), now(), 'open', $2::jsonb) returning id`,
    [symbols[i % symbols.length], features],
  );
  const { rows: s } = await client.query(`select id, status, reason from watchlist.live_trade_signal where event_id = $1`, [rows[0].id]);
  if (s[0]?.status !== 'new') throw new Error(`event ${rows[0].id} was not admitted: ${s[0]?.reason}`);
  const sid = String(s[0].id);
  const both = new Promise<void>((resolve) => (waiter = { sid, resolve }));
  await client.query('commit');
  const committed = preciseNow();
  await Promise.race([both, new Promise((_, rej) => setTimeout(() => rej(new Error(`signal ${sid}: legs not sent within 10 s`)), 10_000))]);
  const [a, b] = sent.get(sid)!;
  if (i >= WARMUP) {
    e2e.push(Math.max(a, b) - committed);
    gaps.push(Math.abs(b - a));
  }
  // let the trade settle, then retire it so the symbol is free again
  for (let k = 0; k < 2000; k++) {
    const { rows: st } = await client.query('select status from watchlist.live_trade_signal where id = $1', [sid]);
    if (st[0].status === 'open') {
      await client.query(`select watchlist.signal_transition($1, 'closing'), watchlist.signal_transition($1, 'closed')`, [sid]);
      break;
    }
    if (st[0].status !== 'opening' && st[0].status !== 'new') break;
    await new Promise((r) => setTimeout(r, 2));
  }
  // closed, and moved a day back: the next event on this symbol is a new opportunity, not
  // the same one again (the gate's duplicate_opportunity rule looks at overlapping spans)
  await client.query(
    `update watchlist.watch_signal_event set status = 'closed', start_ts = start_ts - interval '1 day',
       last_trigger_ts = last_trigger_ts - interval '1 day' where id = $1`,
    [rows[0].id],
  );
}
client.release();
await runner.stop();
await workerPool.end();
await closeSharedVenues();
await ledgerPool.end();
await db.close();

const f = (x: number) => x.toFixed(2);
console.log(`trades: ${e2e.length}`);
console.log(`event_to_legs_p50_ms: ${f(percentile(e2e, 50))} ms`);
console.log(`event_to_legs_p99_ms: ${f(percentile(e2e, 99))} ms`);
console.log(`event_to_legs_max_ms: ${f(Math.max(...e2e))} ms`);
console.log(`leg_gap_p50_ms: ${f(percentile(gaps, 50))} ms`);
console.log(`leg_gap_p99_ms: ${f(percentile(gaps, 99))} ms`);
