// sql/trade_state.sql: the open job's bookkeeping. What each leg holds is counted by
// effective quantity; orders whose outcome is unknown stay unresolved; quantities
// floor to the venue's step in SQL numeric. Called by the jobs (wl_writer).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { trade } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_writer' });

describe('trade_leg_net', () => {
  test('buys +, sells −, each order by the larger of its fills and its reported amount', async ({ tx }) => {
    const t = await trade(tx, { status: 'open', orders: [
      { leg: 'short', filledQty: '0.5', avgPrice: 101, fills: [{ qty: '0.2', price: 101 }] }, // trade list behind: counts 0.5
      { leg: 'long', fills: [{ qty: '0.25', price: 99 }, { qty: '0.25', price: 99 }] },
      { leg: 'short', purpose: 'flatten', fills: [{ qty: '0.1', price: 100 }] }, // buys back 0.1
    ] });
    const net = async (leg: string) => (await tx.query('select watchlist.trade_leg_net($1, $2) n', [t.id, leg])).rows[0].n;
    expect(await net('short')).toBe('-0.4');
    expect(await net('long')).toBe('0.50');
  });
});

describe('trade_unresolved_orders', () => {
  test('pending / unknown / open / partially filled, and filled orders whose fills do not add up', async ({ tx }) => {
    const t = await trade(tx, { status: 'opening', orders: [
      { leg: 'short', status: 'pending', fills: [] },
      { leg: 'short', status: 'unknown', fills: [] },
      { leg: 'long', status: 'partially_filled', fills: [{ qty: 0.1, price: 99 }] },
      { leg: 'long', status: 'filled', filledQty: '0.5', fills: [{ qty: '0.2', price: 99 }] },
      { leg: 'long', status: 'filled', filledQty: '0.5', fills: [{ qty: '0.5', price: 99 }] },
      { leg: 'short', status: 'canceled', fills: [] },
      { leg: 'short', status: 'rejected', fills: [] },
    ] });
    const { rows } = await tx.query('select id::int from watchlist.trade_unresolved_orders($1)', [t.id]);
    expect(rows.map((r) => r.id)).toEqual(t.orders.slice(0, 4).map((o) => o.id));
  });
});

describe('qty_for_notional', () => {
  test('floors notional / price to the step × contract size, in numeric', async ({ tx }) => {
    const q = async (...a: (number | string | null)[]) => (await tx.query('select watchlist.qty_for_notional($1, $2, $3, $4) q', a)).rows[0].q;
    expect(await q(50, 101, 0.001, 1)).toBe('0.495');
    expect(await q(50, 101, 1, '0.01')).toBe('0.49');
    expect(await q(50, 101, 1, null)).toBe('0');
    // 0.1 + 0.2 in float is 0.30000000000000004: numeric keeps 0.3
    expect(await q('0.3', 1, '0.1', 1)).toBe('0.3');
  });
});
