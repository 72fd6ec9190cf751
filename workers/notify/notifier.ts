// The notifier inside the worker process: LISTENs on the product's NOTIFY channels,
// turns the few events a person wants into messages (messages.ts) and hands each
// to every configured destination's own outbox, so a slow or dead webhook never
// delays Telegram, the listener, or the jobs beside it. Configured from the
// environment only: WL_WEBHOOK_URL; WL_TELEGRAM_BOT_TOKEN + WL_TELEGRAM_CHAT_ID
// (+ WL_TELEGRAM_API_ROOT for a self-hosted Bot API server).
import pgListen from 'pg-listen';
import pg from 'pg';
import { CHANNELS } from '../../cli/tail.ts';
import { toNotification } from './messages.ts';
import { makeOutbox, type Outbox, type OutboxOptions } from './outbox.ts';
import { webhookSender } from './webhook.ts';
import { telegramSender } from './telegram.ts';
import { cfgNum } from '../sql/cfg_num.ts';
import { tryTradeLock } from '../sql/trade_lock.ts';

// pg-listen is CommonJS with `exports.default` (see cli/tail.ts)
const createSubscriber = pgListen as unknown as typeof pgListen.default;

export interface NotifierOptions {
  url: string;
  env?: NodeJS.ProcessEnv;
  log: (msg: string) => void;
  outbox?: Omit<OutboxOptions, 'log'>;
  /** how long one delivery may take before it counts as failed (default 10 s) */
  timeoutMs?: number;
  /** how often a standing-by notifier tries to become the sender (default 5 s) */
  leaderRetryMs?: number;
}

export interface Notifier {
  outboxes: Record<string, Outbox>;
  /** true while this process is the one that sends (see senderLock) */
  isSender(): boolean;
  stop(): Promise<void>;
}

// Several worker processes on one database would each hear every NOTIFY and each send it.
// One sends: the holder of this session advisory lock. The others listen too but drop
// what they hear, and try for the lock every few seconds, so when the sender's process
// dies (its session ends, the lock with it) another takes over within that interval.
function senderLock(url: string, retryMs: number, log: (m: string) => void) {
  let client: pg.Client | null = null;
  let held = false;
  let stopped = false;
  const drop = (why: string) => {
    if (held) log(`notify: no longer the sender (${why}); trying again`);
    held = false;
    const c = client;
    client = null;
    c?.end().catch(() => {});
  };
  const tryOnce = async () => {
    if (stopped || held) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: url, application_name: 'wl-notifier-lock' });
        c.on('error', (e) => drop(`lock connection: ${e.message}`));
        client = c;
        await c.connect();
      }
      held = await tryTradeLock(client, 'wl:notifier', 0);
      if (held) log('notify: this process sends the notifications (other workers on this database stand by)');
    } catch (e) {
      drop((e as Error).message);
    }
  };
  const timer = setInterval(() => void tryOnce(), retryMs);
  timer.unref();
  return {
    first: tryOnce,
    held: () => held,
    async stop() {
      stopped = true;
      clearInterval(timer);
      const c = client;
      client = null;
      held = false;
      await c?.end().catch(() => {});
    },
  };
}

/** the destinations the environment configures (none: null, and nothing is started) */
function destinations(env: NodeJS.ProcessEnv, o: NotifierOptions) {
  const out: Record<string, Outbox> = {};
  const opts = { ...o.outbox, log: o.log };
  if (env.WL_WEBHOOK_URL) out.webhook = makeOutbox('webhook', webhookSender(env.WL_WEBHOOK_URL, o.timeoutMs), opts);
  const token = env.WL_TELEGRAM_BOT_TOKEN;
  if (token && env.WL_TELEGRAM_CHAT_ID) {
    out.telegram = makeOutbox('telegram', telegramSender(token, env.WL_TELEGRAM_CHAT_ID, { apiRoot: env.WL_TELEGRAM_API_ROOT || undefined, timeoutSeconds: o.timeoutMs && o.timeoutMs / 1000 }), opts);
  } else if (token || env.WL_TELEGRAM_CHAT_ID) {
    o.log('notify: Telegram needs both WL_TELEGRAM_BOT_TOKEN and WL_TELEGRAM_CHAT_ID; Telegram is off');
  }
  return Object.keys(out).length ? out : null;
}

export async function startNotifier(o: NotifierOptions): Promise<Notifier | null> {
  const outboxes = destinations(o.env ?? process.env, o);
  if (!outboxes) return null;
  const pool = new pg.Pool({ connectionString: o.url, max: 1, idleTimeoutMillis: 1000, application_name: 'wl-notifier' }); // used on a kill-switch change only: not held
  pool.on('error', (e) => o.log(`notify: database: ${e.message}`));
  const killSwitchLevel = () => cfgNum(pool, 'kill_switch');
  const lock = senderLock(o.url, o.leaderRetryMs ?? 5000, o.log);
  const sub = createSubscriber({ connectionString: o.url, application_name: 'wl-notifier-listen' }, {
    retryLimit: Infinity,
    retryInterval: 500,
    retryTimeout: Infinity,
    parse: (s: string) => s,
  });
  sub.events.on('error', (e: Error) => o.log(`notify: listener error: ${e.message}`));
  for (const ch of CHANNELS) {
    sub.notifications.on(ch, (payload: string) => {
      if (!lock.held()) return; // another worker sends it
      toNotification(ch, payload, killSwitchLevel).then(
        (n) => {
          if (n) for (const box of Object.values(outboxes)) box.push(n);
        },
        (e) => o.log(`notify: ${ch} message not turned into a notification: ${(e as Error).message}`),
      );
    });
  }
  await lock.first();
  if (!lock.held()) o.log('notify: another worker on this database sends the notifications; this one stands by');
  try {
    await sub.connect();
    for (const ch of CHANNELS) await sub.listenTo(ch);
  } catch (e) {
    // notifications are not worth stopping the trading loop for
    o.log(`notify: could not listen (${(e as Error).message}); notifications are off until the worker restarts`);
  }
  o.log(`notify: sending trade, error, kill-switch and daily-summary messages to ${Object.keys(outboxes).join(' and ')}`);
  return {
    outboxes,
    isSender: lock.held,
    async stop() {
      for (const b of Object.values(outboxes)) b.stop();
      await lock.stop();
      await sub.close().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
