// sql/fills.sql: what an order has filled is the larger of its fills and its
// reported filled amount; a trade list that never arrives becomes one synthetic
// fill after trade.fill_wait_s. The open/close/reconcile jobs call these (wl_writer).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { config, trade } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_writer' });

const order = async (tx: { query: (s: string, v?: unknown[]) => Promise<{ rows: any[] }> }, id: number) =>
  (await tx.query(`select watchlist.order_fill_qty(o) fills, watchlist.order_effective_qty(o) eff, watchlist.order_fills_complete(o) complete
                   from watchlist.live_trade_order o where id = $1`, [id])).rows[0];

describe('an order counts by the larger of its fills and its reported amount', () => {
  test('fills behind the reported amount: effective = reported, not complete; complete once they add up', async ({ tx }) => {
    const t = await trade(tx, { status: 'open', orders: [{ leg: 'short', filledQty: '0.5', avgPrice: 100, fills: [{ qty: '0.2', price: 100 }] }] });
    expect(await order(tx, t.orders[0].id)).toEqual({ fills: '0.2', eff: '0.5', complete: false });
    await tx.query(`insert into watchlist.live_trade_fill (order_id, signal_id, exchange, trade_id, ts, price, qty) values ($1, $2, 'okx', 'late', now(), 100, 0.3)`, [t.orders[0].id, t.id]);
    expect(await order(tx, t.orders[0].id)).toEqual({ fills: '0.5', eff: '0.5', complete: true });
  });

  test('no reported amount: the fills count', async ({ tx }) => {
    const t = await trade(tx, { status: 'open', orders: [{ leg: 'long', filledQty: null, fills: [{ qty: '0.1', price: 99 }, { qty: '0.15', price: 99.5 }] }] });
    expect(await order(tx, t.orders[0].id)).toEqual({ fills: '0.25', eff: '0.25', complete: true });
    expect((await tx.query(`select watchlist.effective_qty(null, null) z`)).rows[0].z).toBe('0');
  });
});

describe('trade_fill_gap', () => {
  test('within trade.fill_wait_s it waits; after, one synthetic fill priced so the VWAP is the order average, with an error row', async ({ tx }) => {
    const young = await trade(tx, { status: 'open', orders: [{ leg: 'short', filledQty: '0.5', avgPrice: 100, fills: [{ qty: '0.2', price: 99 }] }] });
    expect((await tx.query('select watchlist.trade_fill_gap($1) ok', [young.orders[0].id])).rows[0].ok).toBe(false);
    expect((await tx.query('select count(*)::int n from watchlist.live_trade_fill where order_id = $1', [young.orders[0].id])).rows[0].n).toBe(1);

    await tx.asRole('wl_trader', () => config(tx, 'trade.fill_wait_s', 5));
    const old = await trade(tx, { symbol: 'ETH/USDT:USDT', status: 'open', orders: [{ leg: 'short', filledQty: '0.5', avgPrice: 100, submittedAt: Date.now() - 60_000, fills: [{ qty: '0.2', price: 99 }] }] });
    const id = old.orders[0].id;
    expect((await tx.query('select watchlist.trade_fill_gap($1) ok', [id])).rows[0].ok).toBe(true);
    const fills = (await tx.query('select qty, price, synthetic from watchlist.live_trade_fill where order_id = $1 order by id', [id])).rows;
    expect(fills).toHaveLength(2);
    expect(fills[1]).toMatchObject({ qty: '0.3', synthetic: true });
    // 0.2 × 99 + 0.3 × p = 0.5 × 100
    expect(Number(fills[1].price)).toBeCloseTo((50 - 19.8) / 0.3, 9);
    expect(await order(tx, id)).toMatchObject({ complete: true });
    const { rows: err } = await tx.query(`select stage, error_class from watchlist.live_trade_error where signal_id = $1`, [old.id]);
    expect(err).toEqual([{ stage: 'fills', error_class: 'synthetic_fill' }]);
    // again: nothing more
    expect((await tx.query('select watchlist.trade_fill_gap($1) ok', [id])).rows[0].ok).toBe(true);
    expect((await tx.query('select count(*)::int n from watchlist.live_trade_fill where order_id = $1', [id])).rows[0].n).toBe(2);
  });
});
