// Partition rolling: creates ahead, drops past retention, idempotent, concurrent-safe,
// and a row for a day without a partition fails loudly instead of being parked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

const partitions = async (table: string) =>
  (await db.query(
    `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass order by c.relname`, [`watchlist.${table}`])).rows.map((r) => r.relname as string);

describe('roll_partitions', () => {
  it('creates today plus premake days and drops partitions past retention, per table', async () => {
    // old partitions from 30 and 10 days before the roll date
    await db.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-03-01', '2026-03-01')`);
    await db.query(`select watchlist.ensure_partitions('watch_signal_raw', '2026-03-21', '2026-03-21')`);
    await db.query(`select watchlist.ensure_partitions('watchlist_series_agg', '2026-03-21', '2026-03-21')`);
    await db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values ('2026-03-01 12:00Z', 'binance', 'BTC', 'A'), ('2026-03-21 12:00Z', 'binance', 'BTC', 'A')`);
    const { rows } = await db.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`);
    const r = rows[0].r;
    // raw keeps 14 days: 03-01 goes, 03-21 stays; series keeps 7 days: its 03-21 goes
    expect(r.dropped.sort()).toEqual(['watch_signal_raw_p20260301', 'watchlist_series_agg_p20260321']);
    expect(await partitions('watch_signal_raw')).toEqual([
      'watch_signal_raw_p20260321', 'watch_signal_raw_p20260331', 'watch_signal_raw_p20260401', 'watch_signal_raw_p20260402',
    ]);
    expect(await partitions('market_snapshot')).toEqual(expect.arrayContaining(['market_snapshot_p20260331', 'market_snapshot_p20260402']));
    const kept = await db.query(`select count(*)::int as n from watchlist.watch_signal_raw`);
    expect(kept.rows[0].n).toBe(1);
  });

  it('is idempotent and safe to run concurrently', async () => {
    const before = await partitions('watch_signal_raw');
    const results = await Promise.all(Array.from({ length: 6 }, () => db.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`)));
    for (const { rows } of results) expect(rows[0].r).toEqual({ created: [], dropped: [] });
    expect(await partitions('watch_signal_raw')).toEqual(before);
  });

  it('retention is configurable per table', async () => {
    await db.query(`update watchlist.partition_policy set retention_days = 5 where table_name = 'watch_signal_raw'`);
    const { rows } = await db.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`);
    expect(rows[0].r.dropped).toEqual(['watch_signal_raw_p20260321']);
  });

  it('a row for a day with no partition fails loudly and nothing is parked', async () => {
    await expect(
      db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values ('2030-01-01Z', 'x', 'y', 'B')`),
    ).rejects.toThrow(/no partition/);
    const parked = await db.query(`select count(*)::int as n from watchlist.watch_signal_raw where ts >= '2030-01-01Z'`);
    expect(parked.rows[0].n).toBe(0);
    // no DEFAULT partition exists to swallow rows
    const def = await db.query(`select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' and i.inhparent::regclass::text like 'watchlist.%'`);
    expect(def.rows[0].n).toBe(0);
  });
});
