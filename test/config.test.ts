// Settings: one registry with types and ranges; set_config refuses what would stop
// or mis-steer the loop; reads take defaults from the registry only; a stored bad
// value in an older database is reset by the migration; the gate admits only venues
// the worker runs.
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

const set = (key: string, value: unknown) =>
  db.query('select watchlist.set_config($1, $2::jsonb, $3)', [key, JSON.stringify(value), 'test']);
const stored = async (key: string) => (await db.query('select value from watchlist.strategy_config where key = $1', [key])).rows[0]?.value;
const auditCount = async () => (await db.query('select count(*)::int n from watchlist.strategy_config_audit')).rows[0].n;

async function refused(key: string, value: unknown): Promise<{ code: string; message: string }> {
  try {
    await set(key, value);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`set_config(${key}, ${JSON.stringify(value)}) was accepted`);
}

describe('set_config refuses bad values with a clear error', () => {
  it.each([
    ['trade.leverage', 100, /trade\.leverage = 100 refused: expected an integer in \[1, trade\.leverage_max = 1\]/],
    ['kill_switch', 7, /kill_switch = 7 refused: expected an integer in \[0, 2\]/],
    ['trade.max_active', 'ten', /trade\.max_active = "ten" refused: expected an integer in \[0, 1000000\]/],
    ['trade.notional_usdt', 1e9, /trade\.notional_usdt = 1000000000 refused: expected a number in \[1, 10000000\]/],
    ['trade.daily_cap', -1, /trade\.daily_cap = -1 refused: expected an integer in \[0, /],
    ['trade.cooldown_min', -5, /trade\.cooldown_min = -5 refused/],
    ['trade.max_active', 2.5, /trade\.max_active = 2\.5 refused: expected an integer/],
    ['trade.venues', 42, /trade\.venues = 42 refused: expected a JSON array of strings matching/],
    ['trade.venues', ['binance', 42], /trade\.venues = \["binance", 42\] refused/],
    ['trade.signal_types', ['Z'], /trade\.signal_types = \["Z"\] refused: expected a JSON array of strings from \["A", "B", "C"\]/],
    ['scan.require_depth_ok', 'yes', /scan\.require_depth_ok = "yes" refused: expected true or false/],
    ['trade.pnl_hat_min', null, /trade\.pnl_hat_min = null refused/],
    ['scan.horizons', [60, 60], /without repeats/],
  ])('%s = %j', async (key, value, message) => {
    const before = await stored(key);
    const n = await auditCount();
    const e = await refused(key, value);
    expect(e.code).toBe('22023');
    expect(e.message).toMatch(message);
    expect(await stored(key)).toEqual(before);
    expect(await auditCount()).toBe(n);
  });

  it('an unknown key is refused (42704), and so is a direct write that bypasses set_config', async () => {
    const e = await refused('trade.levrage', 2);
    expect(e.code).toBe('42704');
    expect(e.message).toMatch(/unknown setting "trade\.levrage"/);
    await expect(db.query(`update watchlist.strategy_config set value = '"ten"' where key = 'trade.max_active'`)).rejects.toMatchObject({
      code: '22023',
      message: expect.stringMatching(/trade\.max_active = "ten" refused/),
    });
    await expect(db.query(`insert into watchlist.strategy_config (key, value) values ('no.such', '1')`)).rejects.toMatchObject({ code: '42704' });
  });

  it('a nullable setting takes null; valid values are stored and audited', async () => {
    await set('scan.b_min_pnl_hat', null);
    await set('trade.max_active', 7);
    expect(await stored('trade.max_active')).toBe(7);
    await set('trade.max_active', 10);
  });

  it('leverage stays at most trade.leverage_max, which only an explicit setting raises', async () => {
    await refused('trade.leverage', 2);
    await set('trade.leverage_max', 3);
    await set('trade.leverage', 3);
    expect(await stored('trade.leverage')).toBe(3);
    expect((await refused('trade.leverage', 4)).message).toMatch(/expected an integer in \[1, trade\.leverage_max = 3\]/);
    expect((await refused('trade.leverage_max', 2)).message).toMatch(/trade\.leverage_max = 2 refused: trade\.leverage is 3 now; lower it first/);
    expect((await refused('trade.leverage_max', 200)).message).toMatch(/\[1, 125\]/);
    await set('trade.leverage', 1);
    await set('trade.leverage_max', 1);
  });

  it('a signal admitted at 100x before the upgrade still opens at no more than trade.leverage_max', async () => {
    const ev = await insertEvent(db, { symbol: 'LINK/USDT:USDT', high: 'okx', low: 'binance' });
    const [s] = (await signals(db)).filter((x) => x.event_id === String(ev));
    expect(s.status).toBe('new');
    await db.query('update watchlist.live_trade_signal set leverage = 100 where id = $1', [s.id]);
    const { rows } = await db.query('select watchlist.trade_begin_open($1) b', [s.id]);
    expect(rows[0].b).toMatchObject({ action: 'recheck', leverage: 1 });
    await db.query(`update watchlist.live_trade_signal set status = 'ignored', reason = 'test' where id = $1`, [s.id]).catch(() => {});
  });
});

describe('reads take defaults from the registry only', () => {
  it('every registered setting reads as its stored value, else the registry default', async () => {
    const { rows } = await db.query(
      `select s.key, s.default_value, watchlist.cfg(s.key) as read, c.value as stored from watchlist.setting s
       left join watchlist.strategy_config c on c.key = s.key`,
    );
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) expect(r.read, r.key).toEqual(r.stored ?? r.default_value);
    // with no stored row the registry default is what reads return
    await db.query(`delete from watchlist.strategy_config where key = 'trade.max_hold_hours'`);
    await db.query(`update watchlist.setting set default_value = '100' where key = 'trade.max_hold_hours'`);
    expect((await db.query(`select watchlist.cfg_num('trade.max_hold_hours') v`)).rows[0].v).toBe(100);
    // the legacy two-argument form ignores its literal
    expect((await db.query(`select watchlist.cfg_num('trade.max_hold_hours', 168) v`)).rows[0].v).toBe(100);
    await db.query(`update watchlist.setting set default_value = '168' where key = 'trade.max_hold_hours'`);
    expect((await db.query(`select watchlist.cfg_num('trade.max_hold_hours') v`)).rows[0].v).toBe(168);
    // the gate's thresholds come from the same place
    expect((await db.query(`select watchlist.gate_thresholds() t`)).rows[0].t).toMatchObject({ max_active: 10, leverage: 1, notional_usdt: 50 });
  });

  it('a read of an unregistered key fails loudly instead of returning null', async () => {
    await expect(db.query(`select watchlist.cfg_num('trade.no_such_knob')`)).rejects.toMatchObject({ code: '42704' });
    await expect(db.query(`select watchlist.cfg_num('trade.no_such_knob', 5)`)).rejects.toThrow(/not registered/);
    await expect(db.query(`select watchlist.cfg_text('nope')`)).rejects.toThrow(/not registered/);
  });

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

  it('v_settings lists every setting with its type, unit, value, default and domain', async () => {
    const { rows } = await db.query(`select * from watchlist.v_settings where key in ('trade.leverage', 'kill_switch', 'trade.venues')`);
    expect(rows.find((r) => r.key === 'kill_switch')).toMatchObject({ type: 'integer', unit: 'level', value: 0, default_value: 0, domain: 'an integer in [0, 2]', needs_restart: false });
    expect(rows.find((r) => r.key === 'trade.leverage').domain).toBe('an integer in [1, trade.leverage_max = 1]');
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
