// sql/manual.sql: the trader's levers (wl_trader) refuse bad input before anything
// is queued; the reader cannot pull them. Sending is the manual_order job's and is
// tested with a worker in test/manual.test.ts.
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';

const { test } = sqlFile({ role: 'wl_trader' });
const it = test;

describe('manual trading', () => {
  it('validation, kill switch and role checks', async ({ tx }) => {
    await tx.query(`set local wl.actor = 'alice'`);
    await expect(tx.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'buy_everything', 20)`)).rejects.toThrow(/action must be/);
    await expect(tx.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', -5)`)).rejects.toThrow(/out of range/);
    await tx.query(`select watchlist.set_kill_switch(1, 'maintenance')`);
    expect((await tx.query(`select value from watchlist.strategy_config where key = 'kill_switch'`)).rows[0].value).toBe(1);
    const { rows: audit } = await tx.query(`select changed_by, note from watchlist.strategy_config_audit where key = 'kill_switch' order by id desc limit 1`);
    expect(audit[0]).toEqual({ changed_by: 'alice', note: 'maintenance' });
    await expect(tx.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', 20)`)).rejects.toThrow(/kill switch/);
    await tx.query(`select watchlist.set_kill_switch(0)`);
    await tx.as('wl_reader');
    await expect(tx.query(`select watchlist.manual_trade('okx', 'BTC/USDT:USDT', 'open_long', 20)`)).rejects.toThrow(/permission denied/);
    await expect(tx.query(`select watchlist.set_kill_switch(2)`)).rejects.toThrow(/permission denied/);
  });

});

describe('manual orders end', () => {
  it('manual_trade refuses a venue the worker does not run and a symbol it has no market for', async ({ tx }) => {
    const n = (await tx.query('select count(*)::int n from watchlist.manual_order')).rows[0].n;
    await expect(tx.query(`select watchlist.manual_trade('kraken', 'BTC/USDT:USDT', 'open_long', 20)`)).rejects.toMatchObject({
      code: '22023',
      message: expect.stringMatching(/venue "kraken" is not run by the worker \(running: binance, bitget, bybit, okx\)/),
    });
    await expect(tx.query(`select watchlist.manual_trade('okx', 'NOPE/USDT:USDT', 'open_long', 20)`)).rejects.toMatchObject({
      code: '22023',
      message: expect.stringMatching(/venue "okx" has no market "NOPE\/USDT:USDT"/),
    });
    await expect(tx.query(`select watchlist.manual_trade('okx', 'BTC/USDT', 'close_long', 20)`)).rejects.toThrow(/has no market/);
    expect((await tx.query('select count(*)::int n from watchlist.manual_order')).rows[0].n).toBe(n);
  });

});
