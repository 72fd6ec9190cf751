// Notifications (workers/notify/): NOTIFYs from the real SQL functions reach a
// webhook and the Telegram Bot API (real grammy client) served by local HTTP
// servers; failing endpoints are retried, a dead one blocks nothing, and neither
// the bot token nor the webhook URL is ever logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCrontab } from 'graphile-worker';
import { freshDb, type TestDb } from './helpers/db.ts';
import { drain } from './helpers/worker.ts';
import { startNotifier, type Notifier } from '../workers/notify/notifier.ts';
import { toNotification } from '../workers/notify/messages.ts';
import { crontab } from '../workers/crontab.ts';
import { spawnWl } from './helpers/proc.ts';

interface Received { path: string; body: any }
interface Endpoint { url: string; got: Received[]; close(): Promise<void> }

/** a local HTTP server answering each request with the next scripted reply (the last one repeats); 'hang' never answers */
async function endpoint(replies: Array<[number, unknown, Record<string, string>?] | 'hang'>): Promise<Endpoint> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: raw ? JSON.parse(raw) : null });
      const r = replies[Math.min(got.length - 1, replies.length - 1)];
      if (r === 'hang') return;
      res.writeHead(r[0], { 'Content-Type': 'application/json', ...r[2] }).end(JSON.stringify(r[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const TOKEN = '123456:SECRET-bot-token-abc';
const tgOk = { ok: true, result: { message_id: 1, date: 0, chat: { id: 42, type: 'private' }, text: 'x' } };
const tg429 = { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } };

async function until(what: string, cond: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let db: TestDb;
const running: Array<{ stop(): Promise<void> } | null> = [];
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  for (const r of running) await r?.stop();
  await db.close();
});

async function notifier(env: Record<string, string>, logs: string[], opts: { maxQueued?: number; timeoutMs?: number; leaderRetryMs?: number } = {}): Promise<Notifier> {
  const n = await startNotifier({ url: db.url, env, log: (m) => logs.push(m), outbox: { baseDelayMs: 50, maxQueued: opts.maxQueued }, timeoutMs: opts.timeoutMs, leaderRetryMs: opts.leaderRetryMs });
  running.push(n);
  expect(n).not.toBeNull();
  return n!;
}

describe('notifications', () => {
  it('nothing starts without configuration', async () => {
    expect(await startNotifier({ url: db.url, env: {}, log: () => {} })).toBeNull();
  });

  it('webhook: an error row is delivered after HTTP 500 and 429 answers (retried), failures logged without the URL', async () => {
    const hook = await endpoint([[500, { no: 1 }], [429, { slow: 1 }, { 'Retry-After': '1' }], [200, { ok: true }]]);
    const logs: string[] = [];
    const n = await notifier({ WL_WEBHOOK_URL: `${hook.url}/hooks/SECRET-PATH` }, logs);
    try {
      await db.query(`select watchlist.trade_error(null, 'open', 'okx', 'NetworkError', 'connection reset')`);
      await until('three webhook calls', () => hook.got.length >= 3);
      await until('delivery', () => n.outboxes.webhook.stats.delivered === 1);
      expect(hook.got.map((g) => g.body.event)).toEqual(['error', 'error', 'error']);
      expect(hook.got[2].body.text).toMatch(/^Error E\d+: open on okx \(NetworkError\)/);
      expect(logs.some((l) => /webhook: error delivery failed \(attempt 1\/\d+\): webhook answered HTTP 500/.test(l))).toBe(true);
      expect(logs.some((l) => /attempt 2\/\d+\): webhook answered HTTP 429/.test(l))).toBe(true);
      expect(logs.join('\n')).not.toContain('SECRET-PATH');
    } finally {
      await n.stop();
      await hook.close();
    }
  });

  it('two worker processes on one database: each message is sent once, and the other takes over when the sender stops', async () => {
    const hook = await endpoint([[200, { ok: true }]]);
    const logsA: string[] = [];
    const logsB: string[] = [];
    const a = await notifier({ WL_WEBHOOK_URL: hook.url }, logsA, { leaderRetryMs: 200 });
    const b = await notifier({ WL_WEBHOOK_URL: hook.url }, logsB, { leaderRetryMs: 200 });
    try {
      expect([a.isSender(), b.isSender()]).toEqual([true, false]);
      expect(logsB.some((l) => /another worker on this database sends the notifications/.test(l))).toBe(true);
      await db.query(`select watchlist.trade_error(null, 'open', 'okx', 'NetworkError', 'first')`);
      await until('the first delivery', () => hook.got.length >= 1);
      await new Promise((r) => setTimeout(r, 1000)); // time for a duplicate to arrive, were there one
      expect(hook.got).toHaveLength(1);
      await a.stop(); // its session ends: the lock goes with it
      await until('b takes over', () => b.isSender(), 5000);
      await db.query(`select watchlist.trade_error(null, 'open', 'okx', 'NetworkError', 'second')`);
      await until('the second delivery', () => hook.got.length >= 2);
      await new Promise((r) => setTimeout(r, 1000));
      expect(hook.got).toHaveLength(2);
      expect(hook.got[1].body.text).not.toBe(hook.got[0].body.text); // the second error row, not the first again
      expect(logsB.some((l) => /this process sends the notifications/.test(l))).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
      await hook.close();
    }
  });

  it('telegram (grammy): the kill switch is delivered after a 429 with retry_after; the token is never logged', async () => {
    const tg = await endpoint([[429, tg429], [200, tgOk]]);
    const logs: string[] = [];
    const n = await notifier({ WL_TELEGRAM_BOT_TOKEN: TOKEN, WL_TELEGRAM_CHAT_ID: '42', WL_TELEGRAM_API_ROOT: tg.url }, logs);
    try {
      const t0 = Date.now();
      await db.query(`select watchlist.set_kill_switch(1, 'test')`);
      await until('delivery', () => n.outboxes.telegram.stats.delivered === 1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // retry_after honoured
      expect(tg.got).toHaveLength(2);
      expect(tg.got[1].path).toBe(`/bot${TOKEN}/sendMessage`);
      expect(String(tg.got[1].body.chat_id)).toBe('42');
      expect(tg.got[1].body.text).toBe('Kill switch level 1: no new entries');
      expect(logs.some((l) => /telegram: kill_switch delivery failed \(attempt 1\/\d+\): telegram answered 429/.test(l))).toBe(true);
      expect(logs.join('\n')).not.toContain('SECRET-bot-token');
    } finally {
      await db.query(`select watchlist.set_kill_switch(0, 'test')`);
      await n.stop();
      await tg.close();
    }
  });

  it('a dead webhook blocks neither Telegram nor the jobs; its queue stays bounded; the daily summary reads v_pnl_daily', async () => {
    const hook = await endpoint(['hang']);
    const tg = await endpoint([[200, tgOk]]);
    const logs: string[] = [];
    const n = await notifier(
      { WL_WEBHOOK_URL: hook.url, WL_TELEGRAM_BOT_TOKEN: TOKEN, WL_TELEGRAM_CHAT_ID: '42', WL_TELEGRAM_API_ROOT: tg.url },
      logs,
      { maxQueued: 5, timeoutMs: 6000 },
    );
    try {
      // twenty trades open (the payload live_trade_signal_notify sends), each on Telegram
      // at once while the webhook's first delivery still hangs
      const t0 = Date.now();
      for (let i = 1; i <= 20; i++) {
        await db.query(`select pg_notify('live_trade', json_build_object('type', 'signal_status', 'signal_id', $1::int, 'status', 'open', 'reason', null, 'symbol', 'BTC/USDT:USDT', 'kind', 'auto')::text)`, [i]);
        await until(`Telegram message ${i}`, () => tg.got.length === i, 5_000);
      }
      expect(Date.now() - t0).toBeLessThan(5000); // all before the webhook's first timeout
      expect(tg.got[19].body.text).toBe('T#20 opened: BTC/USDT:USDT (auto)');
      // the hung webhook holds one message in delivery and at most five queued
      expect(n.outboxes.webhook.queued()).toBeLessThanOrEqual(5);
      expect(n.outboxes.webhook.stats.dropped).toBeGreaterThanOrEqual(14);
      expect(logs.some((l) => /webhook: queue full \(5\), dropped the oldest message/.test(l))).toBe(true);

      // yesterday: one closed trade (+1.5) and one rolled back (−0.25), through the real cron task
      const { rows: [s1] } = await db.query(`insert into watchlist.live_trade_signal (symbol, status, opened_at, closed_at) values ('ETH/USDT:USDT', 'closed', now() - interval '1 day 2 hours', now() - interval '1 day') returning id`);
      const { rows: [s2] } = await db.query(`insert into watchlist.live_trade_signal (symbol, status, opened_at, closed_at) values ('SOL/USDT:USDT', 'partial_failed', now() - interval '1 day 2 hours', now() - interval '1 day') returning id`);
      const yesterday = `date_trunc('day', now() at time zone 'utc') at time zone 'utc' - interval '12 hours'`;
      await db.query(`insert into watchlist.live_trade_exit (signal_id, reason, closed_at, realized_pnl_usdt, fees_usdt) values ($1, 'take_profit', ${yesterday}, 1.5, 0.1), ($2, 'rollback', ${yesterday}, -0.25, 0.05)`, [s1.id, s2.id]);
      await db.query(`select graphile_worker.add_job('daily_summary', '{}'::json)`);
      await drain(db, 1); // a real graphile-worker run while the webhook still hangs
      await until('the daily summary on Telegram', () => tg.got.some((g) => /^Daily summary/.test(g.body.text)), 10_000);
      const summary = tg.got.find((g) => /^Daily summary/.test(g.body.text))!.body.text as string;
      const { rows: [d] } = await db.query(`select to_char(day, 'YYYY-MM-DD') as day, trades, rollbacks, realized_pnl_usdt from watchlist.v_pnl_daily where day = date_trunc('day', now() at time zone 'utc') at time zone 'utc' - interval '1 day'`);
      expect(d).toMatchObject({ trades: '2', rollbacks: '1' });
      expect(summary).toContain(`Daily summary ${d.day} (UTC): 2 trades (1 rolled back), realised +${Number(d.realized_pnl_usdt).toFixed(2)} USDT`);
      expect(summary).toContain('realised +1.25 USDT');
      // the hung webhook's deliveries time out and are logged with the reason
      await until('a webhook timeout logged', () => logs.some((l) => /webhook: trade_opened delivery failed \(attempt 1\/\d+\): webhook unreachable: no answer within 6 s/.test(l)), 10_000);
    } finally {
      await n.stop();
      await hook.close();
      await tg.close();
    }
  });

  it('`wl worker` starts the notifier from the environment', async () => {
    const hook = await endpoint([[200, { ok: true }]]);
    const worker = spawnWl(['worker', '--venues', 'binance,okx'], { DATABASE_URL: db.url, WL_VENUE_MODE: 'paper', WL_WEBHOOK_URL: `${hook.url}/SECRET-PATH` });
    try {
      await worker.waitFor(/notify: sending .* to webhook/, 90_000);
      await db.query(`select watchlist.set_kill_switch(2, 'test')`);
      await until('the kill switch on the webhook', () => hook.got.some((g) => g.body.event === 'kill_switch'), 20_000);
      const got = hook.got.find((g) => g.body.event === 'kill_switch')!;
      expect(got.body.text).toBe('Kill switch level 2: no new entries, flattening every open trade and manual position');
      expect(got.body.data).toMatchObject({ type: 'config', key: 'kill_switch', level: 2 });
      expect(worker.output()).not.toContain('SECRET-PATH');
    } finally {
      await db.query(`select watchlist.set_kill_switch(0, 'test')`);
      worker.child.kill('SIGINT');
      await worker.exited();
      await hook.close();
    }
  }, 150_000);

  it('the daily summary is scheduled by the crontab', () => {
    const items = parseCrontab(crontab);
    expect(items.find((i) => i.task === 'daily_summary')).toBeTruthy();
  });

  it('messages: closed, partial_failed and failed exits and signals as their SQL payloads', async () => {
    const level = async () => 0;
    expect(await toNotification('live_trade', '{"type":"exit","signal_id":7,"status":"closed","realized_pnl_usdt":-0.5}', level))
      .toMatchObject({ event: 'trade_closed', text: 'T#7 closed: realised -0.50 USDT' });
    expect(await toNotification('live_trade', '{"type":"exit","signal_id":8,"status":"partial_failed","reason":"rollback","realized_pnl_usdt":-0.12}', level))
      .toMatchObject({ event: 'partial_failed' });
    expect(await toNotification('live_trade', '{"type":"signal_status","signal_id":9,"status":"failed","reason":"recheck_below_threshold","symbol":"X","kind":"auto"}', level))
      .toMatchObject({ event: 'trade_failed', text: 'T#9 not opened: X (recheck_below_threshold)' });
    expect(await toNotification('live_trade', '{"type":"sample","signal_id":9}', level)).toBeNull();
    expect(await toNotification('live_trade', 'not json', level)).toBeNull();
  });
});
