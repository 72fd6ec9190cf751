// Settings beyond the SQL rules (those are in test/sql/config.test.ts): no read site
// repeats a default literal; a stored bad value in an older database is reset by the
// migration; the gate admits only venues the worker runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { insertEvent, signals } from './helpers/live.ts';
import { applySqlDir } from '../db/migrate.ts';
import { repoRoot } from './helpers/proc.ts';
import { closeSharedVenues, configureVenues, sharedVenues } from '../workers/venues/registry.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const stored = async (key: string) => (await db.query('select value from watchlist.strategy_config where key = $1', [key])).rows[0]?.value;

describe('reads take defaults from the registry only', () => {
  it('no read site repeats a default literal (sql/ and the TypeScript workers)', () => {
    const offenders: string[] = [];
    const literalDefault = [/cfg_num\('[^']+',\s*[-0-9.]/, /coalesce\(watchlist\.cfg(_num|_text)?\('[^']+'\)\s*,/];
    const scan = (dir: string, ext: RegExp) => {
      for (const f of readdirSync(path.join(repoRoot, dir), { recursive: true }) as string[]) {
        if (!ext.test(f)) continue;
        const text = readFileSync(path.join(repoRoot, dir, f), 'utf8');
        text.split('\n').forEach((line, i) => {
          if (literalDefault.some((re) => re.test(line))) offenders.push(`${dir}/${f}:${i + 1}: ${line.trim()}`);
        });
      }
    };
    scan('sql', /\.sql$/);
    scan('workers', /\.ts$/);
    scan('cli', /\.ts$/);
    scan('graphql', /\.ts$/);
    expect(offenders).toEqual([]);
  });

});

describe('an older database with bad values stored', () => {
  it('the migration resets them to the registry default with an audit row, drops unknown keys, and does not fail', async () => {
    const old = await freshDb();
    try {
      // the state an older version left: no validation, anything stored
      await old.query(`alter table watchlist.strategy_config drop constraint strategy_config_key_fkey`);
      await old.query(`drop trigger _100_check on watchlist.strategy_config`);
      await old.query(`update watchlist.strategy_config set value = case key
                         when 'trade.leverage' then '100' when 'kill_switch' then '7' when 'trade.max_active' then '"ten"'
                         when 'trade.notional_usdt' then '1e9' when 'trade.daily_cap' then '-3' when 'trade.venues' then '42'
                         else value end`);
      await old.query(`insert into watchlist.strategy_config (key, value) values ('legacy.knob', '"x"')`);
      await applySqlDir(old.url);
      const v = async (k: string) => (await old.query('select value from watchlist.strategy_config where key = $1', [k])).rows[0]?.value;
      expect(await v('trade.leverage')).toBe(1);
      expect(await v('kill_switch')).toBe(0);
      expect(await v('trade.max_active')).toBe(10);
      expect(await v('trade.notional_usdt')).toBe(50);
      expect(await v('trade.daily_cap')).toBe(20);
      expect(await v('trade.venues')).toEqual(['binance', 'okx', 'bybit', 'bitget']);
      expect(await v('legacy.knob')).toBeUndefined();
      const { rows } = await old.query(`select key, old_value, new_value, changed_by, note from watchlist.strategy_config_audit where changed_by = 'migrate' order by key`);
      expect(rows.map((r) => r.key)).toEqual(['kill_switch', 'legacy.knob', 'trade.daily_cap', 'trade.leverage', 'trade.max_active', 'trade.notional_usdt', 'trade.venues']);
      expect(rows.find((r) => r.key === 'trade.max_active')).toMatchObject({ old_value: 'ten', new_value: 10, note: expect.stringMatching(/invalid value reset to the registry default: expected an integer/) });
      expect(rows.find((r) => r.key === 'legacy.knob')).toMatchObject({ old_value: 'x', new_value: null, note: 'unregistered setting removed' });
      // guarded again: the trigger and the foreign key are back
      await expect(old.query(`update watchlist.strategy_config set value = '7' where key = 'kill_switch'`)).rejects.toMatchObject({ code: '22023' });
      const { rows: fk } = await old.query(`select 1 from pg_constraint where conname = 'strategy_config_key_fkey'`);
      expect(fk).toHaveLength(1);
      // and the minute's jobs read numbers again
      await expect(old.query(`select watchlist.close_stale_events(now())`)).resolves.toBeTruthy();
    } finally {
      await old.close();
    }
  });
});

describe('trade.venues and the venues the worker runs cannot disagree silently', () => {
  it('the gate refuses a venue the worker does not run, with its own reason', async () => {
    // a worker started with WL_VENUES=binance,okx: trade.venues still names bybit
    configureVenues({ db: db.pool, mode: 'paper', venues: ['binance', 'okx'] });
    await sharedVenues();
    expect(await stored('trade.venues')).toContain('bybit');

    const refusedEv = await insertEvent(db, { symbol: 'SOL/USDT:USDT', high: 'bybit', low: 'binance' });
    const admittedEv = await insertEvent(db, { symbol: 'ADA/USDT:USDT', high: 'okx', low: 'binance' });
    const all = await signals(db);
    expect(all.find((s) => s.event_id === String(refusedEv))).toMatchObject({ status: 'ignored', reason: 'venue_not_running' });
    expect(all.find((s) => s.event_id === String(admittedEv))).toMatchObject({ status: 'new' });
    // what the worker recorded at start
    const { rows: running } = await db.query('select venue, mode, markets_loaded, n_markets from watchlist.worker_venue order by venue');
    expect(running).toMatchObject([
      { venue: 'binance', mode: 'paper', markets_loaded: true },
      { venue: 'okx', mode: 'paper', markets_loaded: true },
    ]);
    expect(running[0].n_markets).toBeGreaterThan(10);
  });
});
