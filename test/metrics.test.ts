// GET /metrics on a real API server: the values are the database's (read as the
// anonymous reader through watchlist.metrics_sample()), a scrape storm costs one
// query, the host check applies, and the sample Grafana dashboard uses only
// metric names /metrics exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { makeMetrics } from '../graphql/metrics.ts';

let db: TestDb;
let srv: RunningServer;
const SECRET = 'tok-SECRET-never-exported';
beforeAll(async () => {
  process.env.WL_TELEGRAM_BOT_TOKEN = SECRET;
  db = await freshDb();
  srv = await startServer({ url: db.url, port: 0 });
});
afterAll(async () => {
  delete process.env.WL_TELEGRAM_BOT_TOKEN;
  await srv?.stop();
  await db.close();
});

/** `name{a="b",…}` → value, and the names declared by # TYPE */
function parse(text: string) {
  const values = new Map<string, number>();
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) /.exec(line);
    if (t) names.add(t[1]);
    const m = /^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$/i.exec(line);
    if (m) values.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return { values, names };
}

async function scrape() {
  const res = await fetch(`${srv.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, ...parse(text) };
}

describe('/metrics', () => {
  it('exports what the database holds after trades, signals, errors and jobs are inserted', async () => {
    const ins = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0]?.id;
    const open1 = await ins(`insert into watchlist.live_trade_signal (symbol, status, opened_at) values ('BTC/USDT:USDT', 'open', now() - interval '300 seconds') returning id`);
    const open2 = await ins(`insert into watchlist.live_trade_signal (symbol, status, opened_at) values ('ETH/USDT:USDT', 'open', now() - interval '2 hours') returning id`);
    await db.query(`insert into watchlist.live_trade_spread_sample (signal_id, ts, spread) values ($1, now() - interval '40 seconds', 0.001), ($1, now() - interval '100 seconds', 0.001)`, [open2]);
    const closed = await ins(`insert into watchlist.live_trade_signal (symbol, status, opened_at, closed_at) values ('SOL/USDT:USDT', 'closed', now() - interval '1 hour', now()) returning id`);
    const rolled = await ins(`insert into watchlist.live_trade_signal (symbol, status, opened_at, closed_at) values ('XRP/USDT:USDT', 'partial_failed', now() - interval '1 hour', now()) returning id`);
    await db.query(`insert into watchlist.live_trade_exit (signal_id, reason, closed_at, realized_pnl_usdt) values ($1, 'take_profit', now(), 2.5), ($2, 'rollback', now(), -0.7)`, [closed, rolled]);
    for (let i = 0; i < 3; i++) await db.query(`insert into watchlist.live_trade_signal (symbol, status, reason) values ('BTC/USDT:USDT', 'ignored', 'below_threshold')`);
    await db.query(`select watchlist.trade_error(null, 'open', 'okx', 'NetworkError', 'reset'), watchlist.trade_error(null, 'close', 'okx', 'RateLimitExceeded', '429'), watchlist.trade_error(null, 'open', 'bybit', 'ExchangeError', 'x')`);
    await db.query(`insert into watchlist.venue_health (venue, status, consecutive_errors, backoff_until) values ('okx', 'backoff', 3, now() + interval '1 minute'), ('bybit', 'ok', 0, null)`);
    await db.query(`select graphile_worker.add_job('metrics_probe', '{}'::json, run_at => now() - interval '30 seconds')`);

    const { values, text } = await scrape();
    const db1 = async (sql: string) => Number(Object.values((await db.query(sql)).rows[0])[0]);
    expect(values.get('wl_trades{status="open"}')).toBe(await db1(`select count(*) from watchlist.live_trade_signal where status = 'open'`));
    expect(values.get('wl_trades{status="open"}')).toBe(2);
    expect(values.get('wl_trades{status="closing"}')).toBe(0);
    expect(values.get('wl_realized_pnl_usdt')).toBeCloseTo(await db1(`select sum(realized_pnl_usdt) from watchlist.live_trade_exit`), 9);
    expect(values.get('wl_realized_pnl_usdt')).toBeCloseTo(1.8, 9);
    expect(values.get('wl_realized_pnl_today_usdt')).toBeCloseTo(1.8, 9);
    expect(values.get('wl_trades_closed{result="closed"}')).toBe(1);
    expect(values.get('wl_trades_closed{result="partial_failed"}')).toBe(1);
    expect(values.get('wl_signals_24h{status="ignored",reason="below_threshold"}')).toBe(
      await db1(`select count(*) from watchlist.live_trade_signal where status = 'ignored' and reason = 'below_threshold'`));
    expect(values.get('wl_signals_24h{status="ignored",reason="below_threshold"}')).toBe(3);
    expect(values.get('wl_venue_errors_1h{venue="okx"}')).toBe(2);
    expect(values.get('wl_venue_errors_1h{venue="bybit"}')).toBe(1);
    expect(values.get('wl_venue_backoff{venue="okx"}')).toBe(1);
    expect(values.get('wl_venue_backoff{venue="bybit"}')).toBe(0);
    expect(values.get('wl_venue_consecutive_errors{venue="okx"}')).toBe(3);
    expect(values.get('wl_jobs_waiting{task="metrics_probe"}')).toBe(1);
    expect(values.get('wl_jobs_oldest_wait_seconds')).toBeGreaterThanOrEqual(30);
    expect(values.get('wl_jobs_oldest_wait_seconds')).toBeLessThan(120);
    // the never-sampled trade opened 300 s ago is the latest (the other was sampled 40 s ago)
    expect(values.get('wl_monitor_lateness_seconds')).toBeGreaterThanOrEqual(300);
    expect(values.get('wl_monitor_lateness_seconds')).toBeLessThan(360);
    expect(values.get('wl_metrics_read_ok')).toBe(1);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/postgres(ql)?:\/\//);
  });

  it('goes through the host check like every other request', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http.request({ host: '127.0.0.1', port: srv.port, path: '/metrics', headers: { Host: `evil.example:${srv.port}` }, setHost: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject).end();
    });
    expect(status).toBe(421);
  });

  it('a scrape storm reads the database once per cache period', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    let queries = 0;
    const counting = { query: (...a: Parameters<pg.Pool['query']>) => (queries++, (pool.query as any)(...a)) } as unknown as pg.Pool;
    const m = makeMetrics(counting, 400);
    const res = () => {
      const r = { writeHead: () => r, end: () => r } as unknown as http.ServerResponse;
      return r;
    };
    try {
      await Promise.all(Array.from({ length: 25 }, () => m.handle({} as http.IncomingMessage, res())));
      expect(queries).toBe(1);
      await m.handle({} as http.IncomingMessage, res());
      expect(queries).toBe(1);
      await new Promise((r) => setTimeout(r, 450));
      await m.handle({} as http.IncomingMessage, res());
      expect(queries).toBe(2);
    } finally {
      await pool.end();
    }
  });

  it('a failing database read still answers (wl_metrics_read_ok 0) and is retried once per period, not per scrape', async () => {
    let queries = 0;
    const failing = { query: async () => (queries++, Promise.reject(new Error('connection refused'))) } as unknown as pg.Pool;
    const m = makeMetrics(failing, 60_000);
    let body = '';
    let status = 0;
    const res = () => {
      const r = { writeHead: (s: number) => ((status = s), r), end: (b: string) => ((body = b), r) } as unknown as http.ServerResponse;
      return r;
    };
    await Promise.all(Array.from({ length: 10 }, () => m.handle({} as http.IncomingMessage, res())));
    await m.handle({} as http.IncomingMessage, res());
    expect(queries).toBe(1);
    expect(status).toBe(200);
    expect(parse(body).values.get('wl_metrics_read_ok')).toBe(0);
  });

  it('the Grafana dashboard uses only metric names /metrics exports', async () => {
    const { names } = await scrape();
    const dash = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'ops', 'grafana-dashboard.json'), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
    const used = new Set(exprs.flatMap((e) => e.match(/\b[a-z_:][a-z0-9_:]*(?=\s*(\{|\)|$|\s))/g) ?? []).filter((n) => n.startsWith('wl_')));
    expect(used.size).toBeGreaterThanOrEqual(10);
    for (const n of used) expect(names, `dashboard metric ${n}`).toContain(n);
    expect(exprs.every((e) => /\bwl_/.test(e))).toBe(true);
  });
});
