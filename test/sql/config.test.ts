// sql/config.sql and the registry rows of sql/settings.sql: one registry with types
// and ranges; set_config (the trader's lever, wl_trader) refuses what would stop or
// mis-steer the loop; reads (the jobs, wl_writer) take defaults from the registry only.
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { config, insertEvent, type Q } from '../helpers/fixtures.ts';
import { signals } from '../helpers/live.ts';

const { test } = sqlFile({ role: 'wl_trader' });
const it = test;

const set = (q: Q, key: string, value: unknown) => config(q, key, value);
const stored = async (q: Q, key: string) => (await q.query('select value from watchlist.strategy_config where key = $1', [key])).rows[0]?.value;
const auditCount = async (q: Q) => (await q.query('select count(*)::int n from watchlist.strategy_config_audit')).rows[0].n;

async function refused(q: Q, key: string, value: unknown): Promise<{ code: string; message: string }> {
  try {
    await set(q, key, value);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`set_config(${key}, ${JSON.stringify(value)}) was accepted`);
}

describe('set_config refuses bad values with a clear error', () => {
  it.for([
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
  ] as [string, unknown, RegExp][])('%s = %j', async ([key, value, message], { tx }) => {
    const before = await stored(tx, key);
    const n = await auditCount(tx);
    const e = await refused(tx, key, value);
    expect(e.code).toBe('22023');
    expect(e.message).toMatch(message);
    expect(await stored(tx, key)).toEqual(before);
    expect(await auditCount(tx)).toBe(n);
  });

  it('an unknown key is refused (42704), and so is a direct write that bypasses set_config', async ({ tx }) => {
    const e = await refused(tx, 'trade.levrage', 2);
    expect(e.code).toBe('42704');
    expect(e.message).toMatch(/unknown setting "trade\.levrage"/);
    // the trader has no table rights at all; the worker's (wl_writer) direct write is checked too
    await expect(tx.query(`update watchlist.strategy_config set value = '"ten"' where key = 'trade.max_active'`)).rejects.toThrow(/permission denied/);
    await tx.as('wl_writer');
    await expect(tx.query(`update watchlist.strategy_config set value = '"ten"' where key = 'trade.max_active'`)).rejects.toMatchObject({
      code: '22023',
      message: expect.stringMatching(/trade\.max_active = "ten" refused/),
    });
    await expect(tx.query(`insert into watchlist.strategy_config (key, value) values ('no.such', '1')`)).rejects.toMatchObject({ code: '42704' });
  });

  it('a nullable setting takes null; valid values are stored and audited', async ({ tx }) => {
    await set(tx, 'scan.b_min_pnl_hat', null);
    await set(tx, 'trade.max_active', 7);
    expect(await stored(tx, 'trade.max_active')).toBe(7);
  });

  it('leverage stays at most trade.leverage_max, which only an explicit setting raises', async ({ tx }) => {
    await refused(tx, 'trade.leverage', 2);
    await set(tx, 'trade.leverage_max', 3);
    await set(tx, 'trade.leverage', 3);
    expect(await stored(tx, 'trade.leverage')).toBe(3);
    expect((await refused(tx, 'trade.leverage', 4)).message).toMatch(/expected an integer in \[1, trade\.leverage_max = 3\]/);
    expect((await refused(tx, 'trade.leverage_max', 2)).message).toMatch(/trade\.leverage_max = 2 refused: trade\.leverage is 3 now; lower it first/);
    expect((await refused(tx, 'trade.leverage_max', 200)).message).toMatch(/\[1, 125\]/);
  });

  it('a signal admitted at 100x before the upgrade still opens at no more than trade.leverage_max', async ({ tx }) => {
    // the scanner's event reaches the gate, the open job begins it (wl_writer)
    await tx.as('wl_writer');
    const ev = await insertEvent(tx, { symbol: 'LINK/USDT:USDT', high: 'okx', low: 'binance' });
    const [s] = (await signals(tx)).filter((x) => x.event_id === String(ev));
    expect(s.status).toBe('new');
    await tx.query('update watchlist.live_trade_signal set leverage = 100 where id = $1', [s.id]);
    const { rows } = await tx.query('select watchlist.trade_begin_open($1) b', [s.id]);
    expect(rows[0].b).toMatchObject({ action: 'recheck', leverage: 1 });
  });
});

describe('reads take defaults from the registry only', () => {
  it('every registered setting reads as its stored value, else the registry default', async ({ tx }) => {
    await tx.as('wl_writer'); // the jobs read knobs
    const { rows } = await tx.query(
      `select s.key, s.default_value, watchlist.cfg(s.key) as read, c.value as stored from watchlist.setting s
       left join watchlist.strategy_config c on c.key = s.key`,
    );
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) expect(r.read, r.key).toEqual(r.stored ?? r.default_value);
    // with no stored row the registry default is what reads return
    await tx.query(`delete from watchlist.strategy_config where key = 'trade.max_hold_hours'`);
    // the registry's defaults are the migration's (the owner's) to change
    await tx.asRole('setup', () => tx.query(`update watchlist.setting set default_value = '100' where key = 'trade.max_hold_hours'`));
    expect((await tx.query(`select watchlist.cfg_num('trade.max_hold_hours') v`)).rows[0].v).toBe(100);
    // the legacy two-argument form ignores its literal
    expect((await tx.query(`select watchlist.cfg_num('trade.max_hold_hours', 168) v`)).rows[0].v).toBe(100);
    await tx.asRole('setup', () => tx.query(`update watchlist.setting set default_value = '168' where key = 'trade.max_hold_hours'`));
    expect((await tx.query(`select watchlist.cfg_num('trade.max_hold_hours') v`)).rows[0].v).toBe(168);
    // the gate's thresholds come from the same place
    expect((await tx.query(`select watchlist.gate_thresholds() t`)).rows[0].t).toMatchObject({ max_active: 10, leverage: 1, notional_usdt: 50 });
  });

  it('a read of an unregistered key fails loudly instead of returning null', async ({ tx }) => {
    await tx.as('wl_writer');
    await expect(tx.query(`select watchlist.cfg_num('trade.no_such_knob')`)).rejects.toMatchObject({ code: '42704' });
    await expect(tx.query(`select watchlist.cfg_num('trade.no_such_knob', 5)`)).rejects.toThrow(/not registered/);
    await expect(tx.query(`select watchlist.cfg_text('nope')`)).rejects.toThrow(/not registered/);
  });

  it('v_settings lists every setting with its type, unit, value, default and domain', async ({ tx }) => {
    await tx.as('wl_reader'); // the settings page
    const { rows } = await tx.query(`select * from watchlist.v_settings where key in ('trade.leverage', 'kill_switch', 'trade.venues')`);
    expect(rows.find((r) => r.key === 'kill_switch')).toMatchObject({ type: 'integer', unit: 'level', value: 0, default_value: 0, domain: 'an integer in [0, 2]', needs_restart: false });
    expect(rows.find((r) => r.key === 'trade.leverage').domain).toBe('an integer in [1, trade.leverage_max = 1]');
  });
});

