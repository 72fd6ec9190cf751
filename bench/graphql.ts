// bench:graphql — the /live_trading page's main GraphQL query (graphql/pages/
// live_queries.js, exactly as the page sends it) over real HTTP, anonymous (so as
// wl_reader under its statement_timeout), on a database with 10k signals and 1M
// spread samples. Sequential requests: the latency one dashboard sees.
import { benchDatabase, percentile } from './helpers/db.ts';
import { startServer } from '../graphql/server.ts';
// @ts-expect-error plain browser ES module without types
import { MAIN_QUERY } from '../graphql/pages/live_queries.js';

const SIGNALS = Number(process.env.BENCH_SIGNALS || 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES || 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 200);
const TRADED = 1000; // signals that became trades and carry samples; 10 of them still open

const db = await benchDatabase('graphql');
const c = await db.pool.connect();
const t0 = performance.now();
// bulk load without the live loop's triggers (NOTIFY per row, take-profit checks)
await c.query('set session_replication_role = replica');
await c.query(
  `insert into watchlist.live_trade_signal (id, created_at, symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
     status, reason, notional_usdt, entry_spread, opened_at, closed_at)
   select g, now() - (($1 - g) || ' minutes')::interval, 'S' || (g % 300) || '/USDT:USDT', 240, 0.012 + (g % 7) * 0.001, 0.93 + (g % 5) * 0.01,
     (array['okx','binance','bybit','bitget'])[1 + g % 4], (array['binance','bybit','bitget','okx'])[1 + g % 4],
     case when g > $1 - 10 then 'open' when g % ($1 / $2) = 0 then 'closed' else 'ignored' end,
     case when g > $1 - 10 or g % ($1 / $2) = 0 then null else 'below_threshold' end,
     50, 0.02, case when g > $1 - 10 or g % ($1 / $2) = 0 then now() - (($1 - g) || ' minutes')::interval end,
     case when g % ($1 / $2) = 0 and g <= $1 - 10 then now() - (($1 - g) || ' minutes')::interval + interval '1 hour' end
   from generate_series(1, $1) g`.replaceAll('$1', String(SIGNALS)).replaceAll('$2', String(TRADED)),
);
await c.query(`select setval(pg_get_serial_sequence('watchlist.live_trade_signal', 'id'), $1::bigint)`, [SIGNALS]);
await c.query(
  `insert into watchlist.live_trade_spread_sample (signal_id, ts, spread, pnl_est, funding_accrued)
   select s.id, now() - (k || ' minutes')::interval, 0.02 - 0.00001 * (n - k), 0.00001 * (n - k) - 0.002, 0
   from (select id, row_number() over (order by id) as r from watchlist.live_trade_signal where opened_at is not null) s,
        lateral (select ${Math.round(SAMPLES / TRADED)} as n) per, generate_series(1, per.n) k`,
);
await c.query(
  `insert into watchlist.live_trade_order (signal_id, leg, purpose, exchange, symbol, side, client_order_id, amount, notional_usdt, status, filled_qty, avg_price)
   select s.id, l.leg, 'open', case l.leg when 'short' then s.leg_short_exchange else s.leg_long_exchange end, s.symbol,
     case l.leg when 'short' then 'sell' else 'buy' end, 'bench' || s.id || l.leg, 0.01, 50, 'filled', 0.01, 100
   from watchlist.live_trade_signal s, (values ('short'), ('long')) l(leg) where s.opened_at is not null`,
);
await c.query(
  `insert into watchlist.live_trade_error (ts, signal_id, stage, venue, error_class, message)
   select now() - (g || ' minutes')::interval, null, 'monitor', 'okx', 'NetworkError', 'timeout' from generate_series(1, 2000) g`,
);
await c.query('set session_replication_role = origin');
await c.query('vacuum analyze');
const counts = await c.query(`select (select count(*) from watchlist.live_trade_signal) s, (select count(*) from watchlist.live_trade_spread_sample) x`);
c.release();
console.error(`loaded ${counts.rows[0].s} signals, ${counts.rows[0].x} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const srv = await startServer({ url: db.url, port: 0, graphiql: false });
const body = JSON.stringify({ query: MAIN_QUERY });
async function once(): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = (await res.json()) as { errors?: unknown[]; data?: { active: { nodes: unknown[] } } };
  const ms = performance.now() - t;
  if (json.errors || json.data?.active.nodes.length !== 10) throw new Error(`unexpected answer: ${JSON.stringify(json).slice(0, 400)}`);
  return ms;
}
for (let i = 0; i < 20; i++) await once(); // warm-up: plans, connections
const times: number[] = [];
for (let i = 0; i < REQUESTS; i++) times.push(await once());
await srv.stop();
await db.close();

const f = (x: number) => x.toFixed(2);
console.log(`signals: ${counts.rows[0].s}`);
console.log(`spread_samples: ${counts.rows[0].x}`);
console.log(`requests: ${times.length}`);
console.log(`graphql_main_query_p50_ms: ${f(percentile(times, 50))} ms`);
console.log(`graphql_main_query_p95_ms: ${f(percentile(times, 95))} ms`);
console.log(`graphql_main_query_max_ms: ${f(Math.max(...times))} ms`);
