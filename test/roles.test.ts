// wl_reader reads everything and writes nothing; wl_trader can use the trader levers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
  await db.query(`select watchlist.ensure_partitions('watch_signal_raw', now(), now())`);
});
afterAll(() => db.close());

async function asRole<T>(role: string, fn: (q: (sql: string) => Promise<any>) => Promise<T>): Promise<T> {
  const c = await db.pool.connect();
  try {
    await c.query('begin');
    await c.query(`set local role ${role}`);
    return await fn((sql) => c.query(sql));
  } finally {
    await c.query('rollback');
    c.release();
  }
}

describe('roles', () => {
  it('wl_reader can select every table and view in watchlist', async () => {
    const { rows } = await db.query(`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'watchlist' and c.relkind in ('r','p','v','m') and not c.relispartition`);
    expect(rows.length).toBeGreaterThan(15);
    for (const { relname } of rows) {
      await asRole('wl_reader', (q) => q(`select * from watchlist.${relname} limit 1`));
    }
  });

  it('wl_reader cannot insert, update, delete or call writing functions', async () => {
    await expect(asRole('wl_reader', (q) => q(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`))).rejects.toThrow(/permission denied/);
    await expect(asRole('wl_reader', (q) => q(`update watchlist.strategy_config set value = '1'`))).rejects.toThrow(/permission denied/);
    await expect(asRole('wl_reader', (q) => q(`delete from watchlist.live_trade_signal`))).rejects.toThrow(/permission denied/);
    await expect(asRole('wl_reader', (q) => q(`select watchlist.set_config('event.n_consecutive', '5')`))).rejects.toThrow(/permission denied/);
    await expect(asRole('wl_reader', (q) => q(`select watchlist.roll_partitions()`))).rejects.toThrow(/permission denied/);
    await expect(asRole('wl_reader', (q) => q(`select watchlist.close_stale_events()`))).rejects.toThrow(/permission denied/);
  });

  it('wl_trader changes config through the audited function; wl_writer writes tables', async () => {
    await asRole('wl_trader', async (q) => {
      await q(`select watchlist.set_config('event.gap_minutes', '4', 'test')`);
      const { rows } = await q(`select key, old_value, new_value, note from watchlist.strategy_config_audit order by id desc limit 1`);
      expect(rows[0]).toEqual({ key: 'event.gap_minutes', old_value: 3, new_value: 4, note: 'test' });
    });
    await asRole('wl_writer', (q) => q(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`));
  });
});
