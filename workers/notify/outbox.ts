// One destination's delivery queue: bounded (the oldest message is dropped when a
// dead endpoint lets it fill), one delivery at a time, retried with exponential
// back-off (or the endpoint's own Retry-After), each failure logged with its
// reason. push() never waits and never throws, so a dead endpoint cannot block or
// crash the worker that feeds it.
import type { Notification } from './messages.ts';

export class DeliveryError extends Error {
  readonly opts: { retryAfterMs?: number; permanent?: boolean };
  constructor(message: string, opts: { retryAfterMs?: number; permanent?: boolean } = {}) {
    super(message);
    this.opts = opts;
  }
}

export interface OutboxOptions {
  /** messages held at most; beyond it the oldest is dropped (logged) */
  maxQueued?: number;
  /** delivery attempts per message */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log: (msg: string) => void;
}

export type Send = (n: Notification) => Promise<void>;

export function makeOutbox(name: string, send: Send, o: OutboxOptions) {
  const maxQueued = o.maxQueued ?? 200;
  const attempts = o.attempts ?? 6;
  const base = o.baseDelayMs ?? 1000;
  const maxDelay = o.maxDelayMs ?? 60_000;
  const queue: Notification[] = [];
  let running = false;
  let stopped = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const stats = { delivered: 0, failed: 0, dropped: 0 };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });

  async function deliver(n: Notification) {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await send(n);
        stats.delivered++;
        return;
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError((e as Error)?.message ?? String(e));
        const last = err.opts.permanent || attempt >= attempts;
        o.log(`notify ${name}: ${n.event} delivery failed (attempt ${attempt}/${attempts}): ${err.message}${last ? '; given up' : ''}`);
        if (last) return void stats.failed++;
        await sleep(Math.min(maxDelay, err.opts.retryAfterMs ?? base * 2 ** (attempt - 1)));
      }
    }
  }

  async function drain() {
    running = true;
    try {
      while (!stopped && queue.length) await deliver(queue.shift()!);
    } finally {
      running = false;
    }
  }

  return {
    stats,
    queued: () => queue.length,
    push(n: Notification) {
      if (stopped) return;
      if (queue.length >= maxQueued) {
        const old = queue.shift()!;
        stats.dropped++;
        o.log(`notify ${name}: queue full (${maxQueued}), dropped the oldest message (${old.event})`);
      }
      queue.push(n);
      if (!running) void drain();
    },
    /** the queue is empty and nothing is being delivered (tests) */
    idle: () => !running && queue.length === 0,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
export type Outbox = ReturnType<typeof makeOutbox>;
