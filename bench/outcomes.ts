// `npm run bench:outcomes`: one pass of the outcome worker's SQL (watchlist.compute_outcomes)
// over BENCH_EVENTS events (default 6000) × the 8 horizons, every horizon due.
// The events start in the first 24 h of a minute history of BENCH_SYMBOLS symbols × 4 venues
// long enough for the 5760-minute horizon (24 h + 96 h + lag), written straight into
// market_snapshot (executable bid/ask around a wandering basis, 8 h funding schedule).
// Three timed passes: funding from cached venue history on one connection (the baseline),
// the same as the worker runs it (outcome.parallel shares side by side, same rows checked),
// then, with the outcomes and the cache deleted, funding from the recorded schedule.
// Knobs: BENCH_EVENTS, BENCH_SYMBOLS. Embedded PostgreSQL in a temp folder unless DATABASE_URL.
import pg from 'pg';
import { benchDatabase, registerVenues } from './helpers/db.ts';
import { computeOutcomesParallel } from '../workers/tasks/compute_outcomes.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 6000);
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 20);
const VENUES = ['binance', 'okx', 'bybit', 'bitget'];
const log = (m: string) => console.error(`[bench:outcomes] ${m}`);
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function main() {
  const bench = await benchDatabase('outcomes');
  const db = new pg.Client({ connectionString: bench.url });
  try {
    await db.connect();
    await db.query('set synchronous_commit = off');
    await registerVenues(db, VENUES);
    const t0 = Date.parse('2026-01-05T00:00:00Z');
    const histEnd = t0 + (24 + 96) * 3_600_000 + 30 * 60_000;
    const iso = (t: number) => new Date(t).toISOString();
    await db.query('select watchlist.ensure_partitions(table_name, $1, $2) from watchlist.partition_policy', [iso(t0), iso(histEnd)]);
    let g = process.hrtime.bigint();
    await db.query(
      `insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt,
         funding_rate, funding_interval_hours, next_funding_time, book_ts)
       select t, v.name, format('S%s/USDT:USDT', i), (p * 0.9998)::numeric(20, 10), (p * 1.0002)::numeric(20, 10),
         (p * 0.9999)::numeric(20, 10), (p * 1.0001)::numeric(20, 10), p::numeric(20, 10), true, 50,
         0.0001 * (1 + v.j), 8, date_bin('8 hours', t, '2000-01-01') + interval '8 hours', t
       from generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') t,
            generate_series(1, $3::int) i,
            unnest($4::text[]) with ordinality v(name, j),
            lateral (select (10 + i) * exp(0.004 * sin(extract(epoch from t) / 2220.0 + i + v.j * 1.7)
                                             + 0.0003 * (random() - 0.5)) as p) px`,
      [iso(t0), iso(histEnd), SYMBOLS, VENUES],
    );
    await db.query('analyze watchlist.market_snapshot');
    log(`market_snapshot written in ${secs(g).toFixed(1)} s`);
    g = process.hrtime.bigint();
    await db.query(
      `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, status,
         leg_a_exchange, leg_a_symbol, leg_a_kind, leg_b_exchange, leg_b_symbol, leg_b_kind)
       select 'multi', s, 'B', $1::timestamptz + make_interval(mins => (random() * 1439)::int), 'closed', hi, s, 'perp', lo, s, 'perp'
       from (select format('S%s/USDT:USDT', 1 + (random() * ($3::int - 1))::int) as s,
                    (random() * 3)::int as a, (random() * 2)::int as b from generate_series(1, $2::int)) x,
            lateral (select $4::text[] as vs) v,
            lateral (select v.vs[1 + x.a] as hi, (array_remove(v.vs, v.vs[1 + x.a]))[1 + x.b] as lo) p`,
      [iso(t0), EVENTS, SYMBOLS, VENUES],
    );
    // the venues' funding history for every (venue, symbol), as the worker caches it
    await db.query(
      `insert into watchlist.funding_settlement (venue, symbol, ts, rate, interval_hours, source)
       select v, format('S%s/USDT:USDT', i), t, 0.0001 * (1 + (hashtext(v || i || t::text) % 7)), 8, 'history:bench'
       from unnest($3::text[]) v, generate_series(1, $4::int) i,
            generate_series($1::timestamptz, $2::timestamptz, interval '8 hours') t`,
      [iso(t0), iso(histEnd), VENUES, SYMBOLS],
    );
    await db.query(
      `insert into watchlist.funding_history_span (venue, symbol, from_ts, to_ts, n_points, source)
       select v, format('S%s/USDT:USDT', i), $1, $2, 0, 'history:bench' from unnest($3::text[]) v, generate_series(1, $4::int) i`,
      [iso(t0), iso(histEnd), VENUES, SYMBOLS],
    );
    await db.query('analyze watchlist.watch_signal_event; analyze watchlist.funding_settlement');
    log(`${EVENTS} events and the funding history written in ${secs(g).toFixed(1)} s`);

    const now = iso(histEnd);
    // the worker's pass: outcome.parallel shares side by side, each on its own connection
    const shards = Number((await db.query(`select watchlist.cfg_num('outcome.parallel') as n`)).rows[0].n);
    const pool = new pg.Pool({ connectionString: bench.url, max: shards, options: '-c synchronous_commit=off' });
    const run = async (label: string, n: number) => {
      const t = process.hrtime.bigint();
      const written = await computeOutcomesParallel(pool, now, [], n);
      const s = secs(t);
      const { rows: q } = await db.query(
        `select count(*) filter (where not missing)::int as ok, count(*)::int as n, count(distinct event_id)::int as events
         from watchlist.future_outcome`,
      );
      log(`${label}: ${written} rows (${q[0].ok} complete, ${q[0].events} events) in ${s.toFixed(2)} s`);
      return { s, n: written, events: q[0].events, ok: q[0].ok };
    };
    try {
      const one = await run('history, one connection', 1);
      await db.query('delete from watchlist.future_outcome');
      const h = await run(`history, ${shards} shares in parallel (outcome.parallel)`, shards);
      if (h.n !== one.n || h.ok !== one.ok) throw new Error(`the parallel pass wrote ${h.n} rows (${h.ok} complete), one connection ${one.n} (${one.ok})`);
      await db.query('delete from watchlist.future_outcome; delete from watchlist.funding_history_span; delete from watchlist.funding_settlement');
      const sc = await run(`schedule, ${shards} shares in parallel`, shards);
      console.log(`outcomes_rows: ${h.n} rows`);
      console.log(`outcomes_complete: ${h.ok} rows`);
      console.log(`outcomes_seconds: ${h.s.toFixed(2)} s`);
      console.log(`events_per_s: ${Math.round(h.events / h.s)} events/s`);
      console.log(`outcomes_per_s: ${Math.round(h.n / h.s)} outcomes/s`);
      console.log(`outcomes_seconds_one_connection: ${one.s.toFixed(2)} s`);
      console.log(`parallel_speedup: ${(one.s / h.s).toFixed(2)} x (outcome.parallel = ${shards}, against one connection in this run)`);
      console.log(`outcomes_schedule_seconds: ${sc.s.toFixed(2)} s`);
      console.log(`events_per_s_schedule: ${Math.round(sc.events / sc.s)} events/s`);
    } finally {
      await pool.end();
    }
  } finally {
    await db.end();
    await bench.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
