// sql/trade_checks.sql: before money moves, both legs at one common quantity, checked
// against each venue's minimums and free margin. The open job calls it (wl_writer).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import type { Q } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_writer' });

const leg = (o: Record<string, unknown>) => ({ leg: 'short', exchange: 'okx', ref_price: 100, amount_step: 0.01, contract_size: 1, free_usdt: 1000, ...o });
const precheck = async (q: Q, notional: number, leverage: number, legs: unknown[]) =>
  (await q.query('select watchlist.trade_precheck($1, $2, $3::jsonb) r', [notional, leverage, JSON.stringify(legs)])).rows[0].r;
const commonQty = async (q: Q, notional: number, legs: unknown[]) =>
  (await q.query('select watchlist.trade_common_qty($1, $2::jsonb) q', [notional, JSON.stringify(legs)])).rows[0].q;

describe('trade_common_qty', () => {
  test('floors notional / the highest price to the coarser base step (contract step × contract size)', async ({ tx }) => {
    expect(await commonQty(tx, 50, [leg({ ref_price: 101 }), leg({ leg: 'long', exchange: 'binance', ref_price: 99, amount_step: 0.001 })])).toBe('0.49');
    // OKX-style contracts of 0.1 base, step 1 contract: steps of 0.1
    expect(await commonQty(tx, 50, [leg({ amount_step: 1, contract_size: 0.1 }), leg({ leg: 'long', amount_step: 0.001 })])).toBe('0.5');
    expect(await commonQty(tx, 5, [leg({ amount_step: 1, contract_size: 0.1 }), leg({ leg: 'long' })])).toBe('0.0');
  });
});

describe('trade_precheck', () => {
  test('passes with per-leg figures; refuses qty_zero, below_min_amount, below_min_cost, balance_unavailable, insufficient_margin', async ({ tx }) => {
    const ok = await precheck(tx, 50, 1, [leg({}), leg({ leg: 'long', exchange: 'binance' })]);
    expect(ok).toMatchObject({ ok: true, qty: 0.5, fail: null, venue: null });
    expect(ok.legs[0]).toMatchObject({ qty: 0.5, contracts: 0.5, cost_usdt: 50 });
    for (const [legs, fail, venue] of [
      [[leg({ amount_step: 1 }), leg({ leg: 'long' })], 'qty_zero', undefined],
      [[leg({ min_amount: 1 }), leg({ leg: 'long', exchange: 'binance' })], 'below_min_amount', 'okx'],
      [[leg({}), leg({ leg: 'long', exchange: 'binance', min_cost_usdt: 100 })], 'below_min_cost', 'binance'],
      [[leg({ free_usdt: null, balance_error: '503' }), leg({ leg: 'long' })], 'balance_unavailable', 'okx'],
      [[leg({}), leg({ leg: 'long', exchange: 'binance', free_usdt: 10 })], 'insufficient_margin', 'binance'],
    ] as const) {
      const r = await precheck(tx, 50, 1, legs as unknown as unknown[]);
      expect(r.ok, fail).toBe(false);
      expect(r.fail).toBe(fail);
      if (venue) expect(r.venue).toBe(venue);
      expect(r.why).toEqual(expect.any(String));
    }
    // leverage lowers the margin needed: 10 USDT free carries 50 USDT at 10x
    expect(await precheck(tx, 50, 10, [leg({}), leg({ leg: 'long', exchange: 'binance', free_usdt: 10 })])).toMatchObject({ ok: true });
  });
});
