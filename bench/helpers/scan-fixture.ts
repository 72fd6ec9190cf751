// The scan benches' database: 800 symbols × 7 venues (21 pairs each = 16,800 pairs)
// with 12h of per-pair minute history, in a database of its own (embedded PostgreSQL
// in a temp folder, or a new database on DATABASE_URL's server). The history is
// written straight into the series tables (pair_minute / pair_hour) from the same
// price model the snapshots use; the last minutes go through real snapshot inserts.
// Knobs: BENCH_SYMBOLS, BENCH_VENUES, BENCH_HOURS, BENCH_DISLOCATED (share of
// symbol×venue quotes 2% off, default 0.01).
import pg from 'pg';
import { benchDatabase, registerVenues } from './db.ts';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 800);
const VENUES = Number(process.env.BENCH_VENUES ?? 7);
const HOURS = Number(process.env.BENCH_HOURS ?? 12);
const DISLOCATED = Number(process.env.BENCH_DISLOCATED ?? 0.01);
const VENUE_NAMES = ['binance', 'bitget', 'bybit', 'gate', 'hyperliquid', 'mexc', 'okx', 'lighter', 'grvt'].slice(0, VENUES);

export const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

export type ScanFixture = {
  url: string;
  db: pg.Client;
  /** the k-th minute after the history (negative: warm-up minutes inside it) */
  minute(k: number): Date;
  /** writes minute k's snapshots (one row per symbol × venue); seconds taken */
  insertMinute(k: number): Promise<number>;
  histRows: number;
  close(): Promise<void>;
};

/** the database with history up to `warm` minutes before minute(0), snapshots for none of the later ones */
export async function scanFixture(name: string, opts: { warm: number; timed: number; log: (m: string) => void }): Promise<ScanFixture> {
  const bench = await benchDatabase(name);
  const db = new pg.Client({ connectionString: bench.url });
  await db.connect();
  await db.query('set synchronous_commit = off'); // generation only; timed scans commit normally
  await db.query(`create schema bench`);
  await db.query(`create table bench.venue (j int primary key, name text not null)`);
  await db.query(`insert into bench.venue select i - 1, v from unnest($1::text[]) with ordinality u(v, i)`, [VENUE_NAMES]);
  await registerVenues(db, VENUE_NAMES);
  // log-basis of venue j for symbol i at minute m: a slow wave, a little noise,
  // and for a fixed DISLOCATED share of (i, j) a 2% dislocation
  await db.query(`create function bench.basis(i int, j int, m bigint) returns float8 language sql volatile as $$
    select 0.0008 * sin(m / 37.0 + i * 0.7 + j * 1.3) + 0.0003 * (random() - 0.5)
      + case when (hashint8(i * 100 + j) & 1048575) < ${Math.round(DISLOCATED * 1048576)} then 0.02 else 0 end $$`);
  await db.query(`create function bench.insert_minute(p_ts timestamptz) returns int language sql volatile as $$
    with ins as (
      insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt,
        funding_rate, funding_interval_hours, next_funding_time, book_ts)
      select p_ts, v.name, format('S%s/USDT:USDT', lpad(i::text, 4, '0')),
        (p * (1 - 0.0002))::numeric(20, 10), (p * (1 + 0.0002))::numeric(20, 10),
        (p * (1 - 0.0001))::numeric(20, 10), (p * (1 + 0.0001))::numeric(20, 10), p::numeric(20, 10),
        true, 50, 0.0001 * (1 + v.j), 8, date_bin('8 hours', p_ts, '2000-01-01') + interval '8 hours', p_ts + interval '2 seconds'
      from generate_series(1, ${SYMBOLS}) i, bench.venue v,
        lateral (select (10 + i % 97) * exp(bench.basis(i, v.j, (extract(epoch from p_ts) / 60)::bigint)) as p) px
      returning 1)
    select count(*)::int from ins $$`);

  const { rows: nowRows } = await db.query(`select date_trunc('minute', now()) as t`);
  const tEnd: Date = nowRows[0].t;
  const minute = (k: number) => new Date(tEnd.getTime() + k * 60_000);
  const histStart = minute(-(HOURS * 60 + opts.warm));
  for (const t of ['market_snapshot', 'watch_signal_raw'])
    await db.query(`select watchlist.ensure_partitions($1, $2, $3)`, [t, new Date(histStart.getTime() - 86400_000), minute(opts.timed + 1440)]);

  await db.query(`select watchlist.ensure_pair_minute_hour(h) from generate_series(date_trunc('hour', $1::timestamptz), $2::timestamptz, interval '1 hour') h`, [histStart, minute(opts.timed)]);
  // pair ids from one real scan, then 12h of series straight into the tables
  const t0 = process.hrtime.bigint();
  await db.query(`select bench.insert_minute($1)`, [histStart]);
  await db.query(`select watchlist.scan($1)`, [histStart]);
  const histTo = minute(-opts.warm - 1);
  const { rowCount } = await db.query(
    `insert into watchlist.pair_minute (pair_id, ts, s)
     select p.id, t, bench.basis(substr(p.symbol, 2, 4)::int, va.j, m) - bench.basis(substr(p.symbol, 2, 4)::int, vb.j, m)
     from watchlist.scan_pair p
     join bench.venue va on va.name = p.venue_a
     join bench.venue vb on vb.name = p.venue_b
     cross join lateral generate_series($1::timestamptz + interval '1 minute', $2::timestamptz, interval '1 minute') t
     cross join lateral (select (extract(epoch from t) / 60)::bigint as m) mm`,
    [histStart, histTo],
  );
  await db.query(`delete from watchlist.pair_hour`);
  await db.query(`insert into watchlist.pair_hour (pair_id, hour, n, s_min, s_max, first_ts)
    select pair_id, date_trunc('hour', ts, 'UTC'), count(*), min(s), max(s), min(ts) from watchlist.pair_minute group by 1, 2`);
  await db.query(`insert into watchlist.scan_run (ts) select generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') on conflict do nothing`, [histStart, histTo]);
  await db.query('vacuum analyze');
  opts.log(`history: ${rowCount} pair-minute rows in ${secs(t0).toFixed(1)} s`);
  await db.query('set synchronous_commit = on');

  return {
    url: bench.url,
    db,
    minute,
    histRows: rowCount ?? 0,
    async insertMinute(k: number) {
      const t = process.hrtime.bigint();
      await db.query(`select bench.insert_minute($1)`, [minute(k)]);
      return secs(t);
    },
    async close() {
      await db.end().catch(() => {});
      if (process.env.BENCH_KEEP) opts.log(`kept database ${bench.url}`);
      else await bench.close();
    },
  };
}
