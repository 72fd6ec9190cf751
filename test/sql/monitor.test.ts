// sql/monitor.sql: the exit decision. The minute job (wl_writer) closes by the clock
// what has been held past trade.max_hold_hours, or everything at kill switch 2, even
// when no book can be read; a trade that is not open is left alone.
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { config, trade } from '../helpers/fixtures.ts';
import { jobs } from '../helpers/live.ts';

const { test } = sqlFile({ role: 'wl_writer' });

const openFor = async (tx: Parameters<typeof trade>[0], symbol: string, hours: number) => {
  const t = await trade(tx, { symbol, status: 'open' });
  await tx.query(`update watchlist.live_trade_signal set opened_at = now() - make_interval(hours => $2) where id = $1`, [t.id, hours]);
  return t.id;
};
const exits = async (tx: Parameters<typeof trade>[0]) =>
  (await tx.query(`select e.signal_id::int id, e.reason, s.status from watchlist.live_trade_exit e join watchlist.live_trade_signal s on s.id = e.signal_id order by e.signal_id`)).rows;

describe('close_overdue_trades', () => {
  test('a trade held past max hold is closing with reason max_hold and a close_trade job; a young one and a non-open one are left', async ({ tx }) => {
    const old = await openFor(tx, 'ADA/USDT:USDT', 24 * 8);
    const young = await openFor(tx, 'LINK/USDT:USDT', 1);
    const opening = (await trade(tx, { symbol: 'SOL/USDT:USDT', status: 'opening' })).id;
    const { rows } = await tx.query('select watchlist.close_overdue_trades() ids');
    expect(rows[0].ids.map(Number)).toEqual([old]);
    expect(await exits(tx)).toEqual([{ id: old, reason: 'max_hold', status: 'closing' }]);
    expect((await jobs(tx, 'close_trade')).map((j) => j.key)).toEqual([`close_trade:${old}`]);
    // again: nothing new (the closing one is the close job's now)
    expect((await tx.query('select watchlist.close_overdue_trades() ids')).rows[0].ids).toEqual([]);
    const st = (await tx.query('select id::int, status from watchlist.live_trade_signal where id = any($1) order by id', [[young, opening]])).rows;
    expect(st).toEqual([{ id: young, status: 'open' }, { id: opening, status: 'opening' }]);
  });

  test('the same rule decides by the clock and on a sample: max_hold_hours 0 closes a young trade', async ({ tx }) => {
    const young = await openFor(tx, 'LINK/USDT:USDT', 0);
    expect((await tx.query('select watchlist.close_overdue_trades() ids')).rows[0].ids).toEqual([]);
    await tx.asRole('wl_trader', () => config(tx, 'trade.max_hold_hours', 0));
    expect((await tx.query('select watchlist.close_overdue_trades() ids')).rows[0].ids.map(Number)).toEqual([young]);
    expect(await exits(tx)).toEqual([{ id: young, reason: 'max_hold', status: 'closing' }]);
  });

  test('kill switch 2 closes every open trade at once, and by the clock one that opens later', async ({ tx }) => {
    const a = await openFor(tx, 'ADA/USDT:USDT', 1);
    const b = await openFor(tx, 'LINK/USDT:USDT', 2);
    const late = (await trade(tx, { symbol: 'SOL/USDT:USDT', status: 'opening' })).id;
    await tx.asRole('wl_trader', () => tx.query(`select watchlist.set_kill_switch(2, 'test')`));
    expect((await exits(tx)).map((e) => [e.id, e.reason])).toEqual([[a, 'kill_switch'], [b, 'kill_switch']]);
    // an open already under way finishes after the switch: the minute job closes it
    await tx.query(`select watchlist.signal_transition($1, 'open')`, [late]);
    expect((await tx.query('select watchlist.close_overdue_trades() ids')).rows[0].ids.map(Number)).toEqual([late]);
    expect((await exits(tx)).map((e) => [e.id, e.reason])).toEqual([[a, 'kill_switch'], [b, 'kill_switch'], [late, 'kill_switch']]);
  });

  test('set_config(kill_switch, 2) (the setConfig mutation, /settings) is the same lever: it closes every open trade and is audited', async ({ tx }) => {
    const a = await openFor(tx, 'ADA/USDT:USDT', 1);
    const b = await openFor(tx, 'LINK/USDT:USDT', 2);
    const { rows } = await tx.asRole('wl_trader', () => tx.query(`select key, value from watchlist.set_config('kill_switch', '2', 'through the setting')`));
    expect(rows[0]).toEqual({ key: 'kill_switch', value: 2 });
    expect(await exits(tx)).toEqual([{ id: a, reason: 'kill_switch', status: 'closing' }, { id: b, reason: 'kill_switch', status: 'closing' }]);
    const audit = (await tx.query(`select key, new_value, note from watchlist.strategy_config_audit where key = 'kill_switch' order by id desc limit 1`)).rows;
    expect(audit).toEqual([{ key: 'kill_switch', new_value: 2, note: 'through the setting' }]);
    const act = (await tx.query(`select action, args->>'level' as level from watchlist.trader_action where action = 'set_kill_switch' order by id desc limit 1`)).rows;
    expect(act).toEqual([{ action: 'set_kill_switch', level: '2' }]);
    await expect(tx.asRole('wl_trader', () => tx.query(`select watchlist.set_config('kill_switch', '3', 'x')`))).rejects.toThrow(/kill_switch = 3 refused/);
  });

  test('only an open trade can be closed', async ({ tx }) => {
    const opening = (await trade(tx, { status: 'opening' })).id;
    await expect(tx.query(`select watchlist.begin_close($1, 'manual')`, [opening])).rejects.toMatchObject({ code: '55000' });
  });
});
