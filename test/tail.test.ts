// `wl tail` prints NOTIFYs as they arrive and keeps doing so after its connection is killed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { spawnWl } from './helpers/proc.ts';
import { formatNotice } from '../cli/tail-format.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

describe('wl tail', () => {
  it('--json prints every product channel raw and reconnects on its own', async () => {
    const tail = spawnWl(['tail', '--json'], { DATABASE_URL: db.url });
    try {
      await tail.waitFor(/listening on/, 30_000);
      await db.query(`select pg_notify('live_trade', '{"type":"signal_status","signal_id":7}')`);
      await db.query(`select pg_notify('watchlist_signal', '{"type":"event_open","event_id":3}')`);
      await db.query(`select pg_notify('live_trade_error', '{"error_id":1}')`);
      await tail.waitFor(/live_trade \{"type":"signal_status","signal_id":7\}/, 5000);
      await tail.waitFor(/watchlist_signal \{"type":"event_open","event_id":3\}/, 5000);
      await tail.waitFor(/live_trade_error \{"error_id":1\}/, 5000);
      // kill its backend: pg-listen must reconnect and re-LISTEN
      const { rows } = await db.query(`select pg_terminate_backend(pid) as t from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`);
      expect(rows.length).toBeGreaterThan(0);
      let seen = false;
      for (let i = 0; i < 60 && !seen; i++) {
        await new Promise((r) => setTimeout(r, 250));
        await db.query(`select pg_notify('live_trade', '{"type":"after_reconnect"}')`);
        seen = /after_reconnect/.test(tail.output());
      }
      expect(seen).toBe(true);
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited();
    }
  });

  it('prints one readable line per message by default: type, T#trade, E#event, then key=value (issue 12 items 9, 10)', async () => {
    const tail = spawnWl(['tail'], { DATABASE_URL: db.url });
    try {
      await tail.waitFor(/listening on/, 30_000);
      await db.query(`select pg_notify('live_trade', '{"type":"exit","signal_id":12,"exit_id":4,"reason":"take_profit","pnl_est":0.0123}')`);
      await db.query(`select pg_notify('watchlist_signal', '{"type":"event_open","event_id":3,"symbol":"BTC/USDT:USDT"}')`);
      await tail.waitFor(/\d\d:\d\d:\d\d live_trade: exit T#12 exit_id=4 reason=take_profit pnl_est=0.0123\n/, 5000);
      await tail.waitFor(/\d\d:\d\d:\d\d watchlist_signal: event_open E#3 symbol=BTC\/USDT:USDT\n/, 5000);
      expect(tail.output()).not.toMatch(/\{"type"/);
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited();
    }
    // attached to a database it did not start (DATABASE_URL): it stopped no postgres and says none
    expect(tail.output()).toMatch(/stopped listener/);
    expect(tail.output()).not.toMatch(/stopped postgres/);
  });

  it('formats what is not a JSON object as it came, and quotes text with spaces', () => {
    const at = new Date('2026-01-05T10:11:12Z');
    expect(formatNotice('live_trade', 'plain text', at)).toBe('10:11:12 live_trade plain text');
    expect(formatNotice('live_trade_error', '{"error_id":1,"message":"book older than 5000 ms","meta":{"a":1}}', at)).toBe(
      '10:11:12 live_trade_error: error_id=1 message="book older than 5000 ms" meta={"a":1}',
    );
  });
});
