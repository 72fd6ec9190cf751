// sql/money.sql: fees in one currency and a trade's cash from its fills. The fill
// writers and the fee-conversion job are the worker's (wl_writer).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { trade, type Q } from '../helpers/fixtures.ts';

const { test } = sqlFile({ role: 'wl_writer' });

const fill = async (q: Q, id: number) =>
  (await q.query('select fee, fee_currency, fee_usdt, fee_rate, fee_rate_source, fee_conversion_attempts from watchlist.live_trade_fill where id = $1', [id])).rows[0];
const money = async (q: Q, id: number, purposes: string[] | null = null) =>
  (await q.query('select * from watchlist.trade_fill_money($1, $2)', [id, purposes])).rows[0];

describe('fees in USDT', () => {
  test('a USDT or blank-currency fee is its own USDT value; no fee reported is 0, labelled', async ({ tx }) => {
    const t = await trade(tx, { status: 'open', orders: [
      { leg: 'short', fills: [{ qty: 1, price: 100, fee: '0.02', feeCurrency: 'USDT' }, { qty: 1, price: 100, fee: '0.03', feeCurrency: '' }, { qty: 1, price: 100 }] },
    ] });
    const [a, b, c] = t.orders[0].fills;
    expect(await fill(tx, a)).toMatchObject({ fee_usdt: '0.02', fee_rate: '1', fee_rate_source: 'same_currency' });
    expect(await fill(tx, b)).toMatchObject({ fee_usdt: '0.03', fee_rate_source: 'same_currency' });
    expect(await fill(tx, c)).toMatchObject({ fee_usdt: '0', fee_rate_source: 'no_fee_reported' });
  });

  test('a BNB fee waits for a price: pending, a failed conversion counts an attempt and writes an error row, a price converts it', async ({ tx }) => {
    const t = await trade(tx, { status: 'open', orders: [{ leg: 'long', exchange: 'binance', fills: [{ qty: 1, price: 100, fee: '0.0001', feeCurrency: 'BNB' }] }] });
    const id = t.orders[0].fills[0];
    expect(await fill(tx, id)).toMatchObject({ fee_usdt: null });
    const pending = (await tx.query('select fill_id::int, currency from watchlist.fee_conversion_pending($1)', [t.id])).rows;
    expect(pending).toEqual([{ fill_id: id, currency: 'BNB' }]);
    expect((await money(tx, t.id)).fees_unconverted).toEqual({ BNB: 0.0001 });

    expect((await tx.query(`select watchlist.record_fee_conversion($1, null, 'BNB/USDT 1m', 'no candle') v`, [id])).rows[0].v).toBeNull();
    expect(await fill(tx, id)).toMatchObject({ fee_usdt: null, fee_conversion_attempts: 1 });
    const { rows: err } = await tx.query(`select stage, error_class from watchlist.live_trade_error where signal_id = $1`, [t.id]);
    expect(err).toEqual([{ stage: 'fee_conversion', error_class: 'FeeConversion' }]);

    expect((await tx.query(`select watchlist.record_fee_conversion($1, 600, 'BNB/USDT 1m') v`, [id])).rows[0].v).toBe('0.0600');
    expect(await fill(tx, id)).toMatchObject({ fee_usdt: '0.0600', fee_rate: '600', fee_rate_source: 'BNB/USDT 1m' });
    expect((await money(tx, t.id)).fees_unconverted).toBeNull();
    expect((await tx.query('select count(*)::int n from watchlist.fee_conversion_pending($1)', [t.id])).rows[0].n).toBe(0);
  });
});

describe('trade_fill_money', () => {
  test('sells +, buys −, held notional per leg, average exit prices, by purpose', async ({ tx }) => {
    const t = await trade(tx, { status: 'closing', orders: [
      { leg: 'short', fills: [{ qty: '0.5', price: 101, fee: '0.01' }] },
      { leg: 'long', fills: [{ qty: '0.5', price: 99, fee: '0.01' }] },
      { leg: 'short', purpose: 'close', fills: [{ qty: '0.2', price: 100 }, { qty: '0.3', price: 100.5 }] },
      { leg: 'long', purpose: 'close', fills: [{ qty: '0.5', price: 100.2, fee: '0.02' }] },
    ] });
    const m = await money(tx, t.id);
    // 50.5 − 49.5 − (20 + 30.15) + 50.1
    expect(Number(m.cash)).toBeCloseTo(50.5 - 49.5 - 50.15 + 50.1, 12);
    expect(m.fees_usdt).toBe('0.04');
    expect(m).toMatchObject({ notional_short: '50.5', notional_long: '49.5' });
    expect(Number(m.exit_short)).toBeCloseTo(50.15 / 0.5, 12);
    expect(Number(m.exit_long)).toBeCloseTo(100.2, 12);
    const opens = await money(tx, t.id, ['open']);
    expect(Number(opens.cash)).toBeCloseTo(1, 12);
    expect(opens.exit_short).toBeNull();
  });
});
