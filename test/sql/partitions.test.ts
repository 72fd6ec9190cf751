// sql/partitions.sql: partition rolling (the worker's roll_partitions cron, wl_writer):
// creates ahead, drops past retention, idempotent, concurrent-safe, and a row for a
// day without a partition fails loudly instead of being parked.
import { describe, expect } from 'vitest';
import { ownDb, sqlFile } from '../helpers/sql-test.ts';
import { partitions as ensure, type Q } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_writer' });

const partitions = async (q: Q, table: string) =>
  (await q.query(
    `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass order by c.relname`, [`watchlist.${table}`])).rows.map((r) => r.relname as string);

describe('roll_partitions', () => {
  test('creates today plus premake days and drops partitions past retention, per table', async ({ tx }) => {
    // old partitions from 30 and 10 days before the roll date
    await ensure(tx, 'watch_signal_raw', '2026-03-01', '2026-03-01');
    await ensure(tx, 'watch_signal_raw', '2026-03-21', '2026-03-21');
    await ensure(tx, 'watchlist_series_agg', '2026-03-21', '2026-03-21');
    await tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values ('2026-03-01 12:00Z', 'binance', 'BTC', 'A'), ('2026-03-21 12:00Z', 'binance', 'BTC', 'A')`);
    const { rows } = await tx.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`);
    const r = rows[0].r;
    // raw keeps 14 days: 03-01 goes, 03-21 stays; series keeps 7 days: its 03-21 goes
    expect(r.dropped.sort()).toEqual(['watch_signal_raw_p20260301', 'watchlist_series_agg_p20260321']);
    expect(await partitions(tx, 'watch_signal_raw')).toEqual([
      'watch_signal_raw_p20260321', 'watch_signal_raw_p20260331', 'watch_signal_raw_p20260401', 'watch_signal_raw_p20260402',
    ]);
    expect(await partitions(tx, 'market_snapshot')).toEqual(expect.arrayContaining(['market_snapshot_p20260331', 'market_snapshot_p20260402']));
    const kept = await tx.query(`select count(*)::int as n from watchlist.watch_signal_raw`);
    expect(kept.rows[0].n).toBe(1);
  });

  // six sessions at once: committed, in a database of its own
  test('is idempotent and safe to run concurrently', async () => {
    await ownDb(async (db) => {
      const writer = db.poolAs('wl_writer', 6);
      await writer.query(`select watchlist.roll_partitions('2026-03-31 18:00Z')`);
      const before = await partitions(db, 'watch_signal_raw');
      const results = await Promise.all(Array.from({ length: 6 }, () => writer.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`)));
      for (const { rows } of results) expect(rows[0].r).toEqual({ created: [], dropped: [] });
      expect(await partitions(db, 'watch_signal_raw')).toEqual(before);
    });
  });

  test('retention is configurable per table', async ({ tx }) => {
    await ensure(tx, 'watch_signal_raw', '2026-03-21', '2026-03-21');
    await tx.query(`select watchlist.roll_partitions('2026-03-31 18:00Z')`);
    await tx.query(`update watchlist.partition_policy set retention_days = 5 where table_name = 'watch_signal_raw'`);
    const { rows } = await tx.query(`select watchlist.roll_partitions('2026-03-31 18:00Z') as r`);
    expect(rows[0].r.dropped).toEqual(['watch_signal_raw_p20260321']);
  });

  test('a partition made after the migrate carries its parent\'s grants: the reader can read that day directly', async ({ tx }) => {
    await tx.query(`select watchlist.roll_partitions('2031-05-01 12:00Z')`);
    await tx.query(`insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask) values ('2031-05-01 12:00Z', 'binance', 'BTC/USDT:USDT', 1, 2)`);
    const n = await tx.asRole('wl_reader', () => tx.query(`select count(*)::int as n from watchlist.market_snapshot_p20310501`));
    expect(n.rows[0].n).toBe(1);
    await expect(tx.asRole('wl_reader', () => tx.query(`delete from watchlist.market_snapshot_p20310501`))).rejects.toThrow(/permission denied/);
  });

  test('a row for a day with no partition fails loudly and nothing is parked', async ({ tx }) => {
    await expect(
      tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values ('2030-01-01Z', 'x', 'y', 'B')`),
    ).rejects.toThrow(/no partition/);
    const parked = await tx.query(`select count(*)::int as n from watchlist.watch_signal_raw where ts >= '2030-01-01Z'`);
    expect(parked.rows[0].n).toBe(0);
    // no DEFAULT partition exists to swallow rows
    const def = await tx.query(`select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' and i.inhparent::regclass::text like 'watchlist.%'`);
    expect(def.rows[0].n).toBe(0);
  });
});
