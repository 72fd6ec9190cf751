// GET /metrics: Prometheus text (prom-client) of what watchlist.metrics_sample()
// reads from the database. One query per METRICS_CACHE_MS at most, however many
// scrapers ask (concurrent scrapes share the query in flight), so a scrape storm
// cannot load the database. Nothing here reads the environment: no secret can leak.
import type http from 'node:http';
import type pg from 'pg';
import { Gauge, Registry } from 'prom-client';

/** how long one database read answers scrapes (Prometheus scrapes every 15 s or more) */
export const METRICS_CACHE_MS = 5_000;

/** every metric /metrics exports: name → help and label names (the dashboard may use only these) */
export const METRICS: Record<string, { help: string; labels: string[] }> = {
  wl_trades: { help: 'Trades not yet finished, by status (new, opening, open, closing)', labels: ['status'] },
  wl_realized_pnl_usdt: { help: 'Realised PnL of every finished trade (closed and partial_failed), USDT', labels: [] },
  wl_realized_pnl_today_usdt: { help: 'Realised PnL of trades finished since 00:00 UTC, USDT', labels: [] },
  wl_trades_closed: { help: 'Finished trades, by result (closed, partial_failed)', labels: ['result'] },
  wl_signals_24h: { help: 'Trade candidates created in the last 24 h, by status and ignore reason', labels: ['status', 'reason'] },
  wl_venue_errors_1h: { help: 'live_trade_error rows in the last hour, by venue', labels: ['venue'] },
  wl_venue_backoff: { help: '1 while the venue is backed off or down after errors, else 0', labels: ['venue'] },
  wl_venue_consecutive_errors: { help: 'Consecutive errors the venue answered with', labels: ['venue'] },
  wl_jobs_waiting: { help: 'graphile-worker jobs due and not yet taken, by task', labels: ['task'] },
  wl_jobs_running: { help: 'graphile-worker jobs locked by a worker', labels: [] },
  wl_jobs_failed: { help: 'graphile-worker jobs that used up their attempts', labels: [] },
  wl_jobs_oldest_wait_seconds: { help: 'How long the oldest due job has waited past its run_at, seconds (job latency)', labels: [] },
  wl_monitor_lateness_seconds: { help: 'Age of the oldest last spread sample among open trades, seconds', labels: [] },
};

export function makeMetrics(pool: pg.Pool, cacheMs = METRICS_CACHE_MS) {
  const registry = new Registry();
  const gauges = new Map(
    Object.entries(METRICS).map(([name, m]) => [name, new Gauge({ name, help: m.help, labelNames: m.labels, registers: [registry] })]),
  );
  const readOk = new Gauge({ name: 'wl_metrics_read_ok', help: '1 when the last database read for /metrics succeeded', registers: [registry] });
  let readAt = 0;
  let inFlight: Promise<void> | null = null;

  async function read() {
    const { rows } = await pool.query<{ metric: string; labels: Record<string, string>; value: number }>(
      'select metric, labels, value from watchlist.metrics_sample()',
    );
    for (const g of gauges.values()) g.reset();
    for (const r of rows) {
      const m = METRICS[r.metric];
      // labels in the declared order (jsonb sorts its keys), so a series is always spelled one way
      if (m) gauges.get(r.metric)!.set(Object.fromEntries(m.labels.map((l) => [l, r.labels[l] ?? ''])), Number(r.value));
    }
  }

  async function refresh() {
    if (Date.now() - readAt < cacheMs) return;
    inFlight ??= read().then(
      () => readOk.set(1),
      () => readOk.set(0), // the last values stay; the scrape still answers
    ).finally(() => {
      readAt = Date.now(); // a failing database is asked once per period too, not once per scrape
      inFlight = null;
    });
    await inFlight;
  }

  return {
    registry,
    async handle(_req: http.IncomingMessage, res: http.ServerResponse) {
      await refresh();
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(body);
    },
  };
}

export const isMetricsRequest = (req: http.IncomingMessage) =>
  (req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').split('?')[0] === '/metrics';
