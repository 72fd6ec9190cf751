// sql/roles.sql and sql/grants.sql: wl_reader reads everything and writes nothing;
// wl_trader can use the trader levers; wl_writer writes tables. And the point of
// calling rules as their real role: a missing grant fails the test.
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { partitions } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_reader', setup: (db) => partitions(db, 'watch_signal_raw', new Date()) });

describe('roles', () => {
  test('wl_reader can select every table and view in watchlist', async ({ tx }) => {
    const { rows } = await tx.query(`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'watchlist' and c.relkind in ('r','p','v','m') and not c.relispartition`);
    expect(rows.length).toBeGreaterThan(15);
    expect(tx.role()).toBe('wl_reader');
    for (const { relname } of rows) await tx.query(`select * from watchlist.${relname} limit 1`);
  });

  test('wl_reader cannot insert, update, delete or call writing functions', async ({ tx }) => {
    await expect(tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`update watchlist.strategy_config set value = '1'`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`delete from watchlist.live_trade_signal`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`select watchlist.set_config('event.n_consecutive', '5')`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`select watchlist.roll_partitions()`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`select watchlist.close_stale_events()`)).rejects.toThrow(/permission denied/);
  });

  test('wl_trader changes config through the audited function; wl_writer writes tables', async ({ tx }) => {
    await tx.as('wl_trader');
    await tx.query(`select watchlist.set_config('event.gap_minutes', '4', 'test')`);
    const { rows } = await tx.query(`select key, old_value, new_value, note from watchlist.strategy_config_audit order by id desc limit 1`);
    expect(rows[0]).toEqual({ key: 'event.gap_minutes', old_value: 3, new_value: 4, note: 'test' });
    await tx.as('wl_writer');
    await tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`);
  });
});

describe('a missing grant shows up', () => {
  // the rule tests under test/sql/ call as the real role: take one grant away and
  // the call that relies on it fails, where a superuser test would have passed
  test('the worker without execute on close_stale_events cannot close events', async ({ tx }) => {
    await tx.as('wl_writer');
    await tx.query(`select watchlist.close_stale_events()`);
    await tx.asRole('setup', () => tx.query(`revoke execute on function watchlist.close_stale_events(timestamptz) from wl_writer`));
    await expect(tx.query(`select watchlist.close_stale_events()`)).rejects.toThrow(/permission denied for function close_stale_events/);
    // the same call as the superuser does not notice
    await tx.asRole('setup', () => tx.query(`select watchlist.close_stale_events()`));
  });

  test('the trader without execute on set_config cannot change a knob', async ({ tx }) => {
    await tx.asRole('setup', () => tx.query(`revoke execute on function watchlist.set_config(text, jsonb, text) from wl_trader`));
    await tx.as('wl_trader');
    await expect(tx.query(`select watchlist.set_config('event.gap_minutes', '4', 'test')`)).rejects.toThrow(/permission denied for function set_config/);
  });

  test('the worker without insert on watch_signal_raw cannot write raw rows', async ({ tx }) => {
    await tx.asRole('setup', () => tx.query(`revoke insert on watchlist.watch_signal_raw from wl_writer`));
    await tx.as('wl_writer');
    await expect(tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`)).rejects.toThrow(/permission denied for table watch_signal_raw/);
  });

  test('grants revoked inside a test come back for the next (the transaction is rolled back)', async ({ tx }) => {
    await tx.as('wl_writer');
    await tx.query(`select watchlist.close_stale_events()`);
    await tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type) values (now(), 'x', 'y', 'B')`);
    await tx.as('wl_trader');
    await tx.query(`select watchlist.set_config('event.gap_minutes', '4', 'test')`);
  });
});
