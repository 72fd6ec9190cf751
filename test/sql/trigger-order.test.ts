// Issue 10 item 4: triggers follow one naming rule, `_NNN_what` (graphile/starter),
// because PostgreSQL fires the triggers of one table, timing, level and event in name
// order: the number is the order (sql/defer_ddl.sql). This lists pg_trigger for the
// watchlist schema and checks every trigger against the rule and the intended order,
// and that an existing database loses its old-named triggers when sql/ is re-applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { applySqlDir } from '../../db/migrate.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
});

// Per table, in the order PostgreSQL fires them (before → after; within one, by name).
const INTENDED: Record<string, string[]> = {
  live_trade_error: ['_200_scrub', '_900_notify'],
  live_trade_fill: ['_200_fee_usdt'],
  live_trade_order: ['_200_scrub'],
  live_trade_signal: ['_100_guard', '_500_rollback_exit', '_900_notify'],
  live_trade_spread_sample: ['_500_decide'],
  manual_order: ['_200_scrub'],
  strategy_config: ['_100_check'],
  venue_health: ['_200_scrub'],
  watch_signal_event: ['_200_finalize_on_insert', '_200_finalize_on_update', '_500_gate_on_insert', '_500_gate_on_update'],
  watch_signal_raw: ['_100_guard_params', '_110_guard', '_500_merge_events'],
};

type Trig = { tbl: string; name: string; before: boolean; cloned: boolean };

async function triggers(): Promise<Trig[]> {
  const { rows } = await db.query(`
    select c.relname as tbl, t.tgname as name, (t.tgtype & 2) <> 0 as before, t.tgparentid <> 0 as cloned
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'watchlist' and not t.tgisinternal
    order by c.relname, t.tgname`);
  return rows;
}

describe('trigger names are their firing order', () => {
  it('every trigger in watchlist is _NNN_what, BEFORE under 500 and AFTER from 500', async () => {
    const all = await triggers();
    expect(all.length).toBeGreaterThan(0);
    for (const t of all) {
      expect(t.name, `${t.tbl}.${t.name}`).toMatch(/^_[0-9]{3}_[a-z][a-z0-9_]*$/);
      expect(Number(t.name.slice(1, 4)) < 500, `${t.tbl}.${t.name} is ${t.before ? 'BEFORE' : 'AFTER'}`).toBe(t.before);
    }
  });

  it('each table has exactly the intended triggers, in the intended order', async () => {
    const all = (await triggers()).filter((t) => !t.cloned);
    const byTable: Record<string, string[]> = {};
    for (const t of all) (byTable[t.tbl] ??= []).push(t.name);
    expect(byTable).toEqual(INTENDED);
    // a partition carries its parent's triggers under the same names
    const clones = (await triggers()).filter((t) => t.cloned && t.tbl.startsWith('watch_signal_raw_p'));
    for (const c of clones) expect(INTENDED.watch_signal_raw).toContain(c.name);
  });

  it('ensure_trigger refuses a name outside the rule', async () => {
    await expect(db.query(`select watchlist.ensure_trigger('watchlist.strategy_config', 'strategy_config_x',
      'create trigger strategy_config_x before insert on watchlist.strategy_config for each row execute function watchlist.strategy_config_check()')`))
      .rejects.toThrow(/_NNN_what/);
  });

  it('re-applying sql/ on an existing database drops the triggers of earlier names, and the merge runs once', async () => {
    // what a database migrated by the previous release has: the old names, made by ensure_trigger
    await db.query(`
      create trigger watch_signal_raw_merge after insert on watchlist.watch_signal_raw
        referencing new table as new_rows for each statement execute function watchlist.merge_raw_events();
      comment on trigger watch_signal_raw_merge on watchlist.watch_signal_raw is 'ddl:0123456789abcdef';
      create trigger live_trade_signal_notify after insert or update on watchlist.live_trade_signal
        for each row execute function watchlist.live_trade_signal_notify();
      comment on trigger live_trade_signal_notify on watchlist.live_trade_signal is 'ddl:0123456789abcdef';
      -- a trigger someone else made (no ddl: tag) is not ours to drop
      create function public.h3_noop() returns trigger language plpgsql as 'begin return null; end';
      create trigger zz_foreign after insert on watchlist.venue_health for each statement execute function public.h3_noop();`);
    await applySqlDir(db.url);
    const names = (await triggers()).filter((t) => !t.cloned).map((t) => `${t.tbl}.${t.name}`);
    expect(names).not.toContain('watch_signal_raw.watch_signal_raw_merge');
    expect(names).not.toContain('live_trade_signal.live_trade_signal_notify');
    expect(names).toContain('watch_signal_raw._500_merge_events');
    expect(names).toContain('venue_health.zz_foreign');
    await db.query('drop trigger zz_foreign on watchlist.venue_health; drop function public.h3_noop()');

    // one merge per statement: three consecutive triggered minutes open exactly one event
    const t0 = new Date(Date.now() - 10 * 60_000);
    t0.setUTCSeconds(0, 0);
    await db.query(`select watchlist.ensure_partitions('watch_signal_raw', $1::timestamptz, $1::timestamptz + interval '1 hour')`, [t0]);
    await db.query(`
      insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, type_class, triggered, status,
        spread_rel, leg_a_exchange, leg_b_exchange)
      select $1::timestamptz + make_interval(mins => i), 'multi', 'H3TRIG/USDT', 'B', 'B', true, 'triggered', 0.01, 'binance', 'okx'
      from generate_series(0, 3) i`, [t0]);
    const { rows } = await db.query(`select count(*)::int as n, max(n_triggers) as k from watchlist.watch_signal_event where symbol = 'H3TRIG/USDT'`);
    expect(rows[0]).toEqual({ n: 1, k: 3 }); // opens on the 2nd minute, extended by the 3rd and 4th
  });
});
