// Migrating a database an existing writer already populated with the plan's tables:
// only what is missing is added, every row is kept, and migrating twice is a no-op.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../db/migrate.ts';
import { withDatabase } from '../db/config.ts';

const serverUrl = inject('pgServerUrl');
const name = `wl_t_legacy_${process.pid}`;
const url = withDatabase(serverUrl, name);
let pool: pg.Pool;

const counts = async () =>
  (await pool.query(`select
     (select count(*) from watchlist.watch_signal_raw)::int as raw,
     (select count(*) from watchlist.watch_signal_event)::int as event,
     (select count(*) from watchlist.future_outcome)::int as outcome,
     (select count(*) from watchlist.watchlist_series_agg)::int as series,
     (select count(*) from watchlist.watchlist_symbol_ref)::int as ref,
     (select sum(spread_rel) from watchlist.watch_signal_raw) as spread_sum`)).rows[0];

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  pool = new pg.Pool({ connectionString: url });
  await pool.query(await readFile(path.join(import.meta.dirname, 'fixtures', 'legacy-watchlist.sql'), 'utf8'));
});
afterAll(async () => {
  await pool.end();
});

describe('migrating a pre-existing plan-shaped schema', () => {
  it('keeps every row, adds missing columns/tables/indexes, and is a no-op the second time', async () => {
    const before = await counts();
    expect(before).toMatchObject({ raw: 50, event: 1, outcome: 1, series: 1, ref: 1 });
    await migrateDatabase(url);
    expect(await counts()).toEqual(before);

    const cols = async (t: string) =>
      (await pool.query(`select column_name from information_schema.columns where table_schema = 'watchlist' and table_name = $1`, [t])).rows.map((r) => r.column_name);
    expect(await cols('watch_signal_raw')).toEqual(expect.arrayContaining(['leg_a_exchange', 'leg_b_next_funding_time', 'book_imbalance']));
    expect(await cols('watch_signal_event')).toEqual(expect.arrayContaining(['funding_interval_hours', 'leg_a_funding_interval_hours', 'leg_b_next_funding_time']));
    expect(await cols('live_trade_signal')).toContain('status');
    // old columns and old rows untouched (crossings_1h stays integer there)
    const { rows } = await pool.query(`select data_type from information_schema.columns where table_schema='watchlist' and table_name='watch_signal_raw' and column_name='crossings_1h'`);
    expect(rows[0].data_type).toBe('integer');
    const idx = await pool.query(`select indexname from pg_indexes where schemaname='watchlist' and tablename='future_outcome'`);
    expect(idx.rows.map((r) => r.indexname)).toContain('future_outcome_event_horizon_key');

    // the legacy partition keeps covering its day; rolling does not collide with it
    await pool.query(`select watchlist.ensure_partitions('watch_signal_raw', '2025-12-08', '2025-12-09')`);
    await pool.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values ('2025-12-08 08:00Z', 'multi', 'ETH', 'B')`);
    const where = await pool.query(`select tableoid::regclass::text as p from watchlist.watch_signal_raw where ts = '2025-12-08 08:00Z'`);
    expect(where.rows[0].p).toBe('watchlist.watch_signal_raw_20251208');

    const applied = await pool.query(`select count(*)::int as n from graphile_migrate.migrations`);
    await migrateDatabase(url);
    expect((await pool.query(`select count(*)::int as n from graphile_migrate.migrations`)).rows[0].n).toBe(applied.rows[0].n);
    expect((await counts()).raw).toBe(51);
  });
});
