// sql/predict.sql: predict_bc, the normal CDF, the linear model, missing factors, and
// the shipped priors. The scanner and the re-check call it (wl_writer).
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { model, type Q } from '../helpers/fixtures.ts';

const { test } = sqlFile({
  role: 'wl_writer',
  setup: async (db) => {
    await model(db, { signalType: 'T', horizonMin: 15, version: 'test-1', intercept: 0.001, coefs: { a: 2, b: -0.5 }, residStd: 0.01, feeThreshold: 0.002 });
    await model(db, { signalType: 'T', horizonMin: 15, version: 'test-old', intercept: 5, coefs: { a: 100 }, residStd: 1, feeThreshold: 0, active: false });
  },
});
const it = test;

const phi = async (q: Q, x: number) => (await q.query('select watchlist.norm_cdf($1) as p', [x])).rows[0].p as number;
const predict = async (q: Q, type: string, h: number, factors: unknown) =>
  (await q.query('select * from watchlist.predict_bc($1, $2, $3::jsonb)', [type, h, JSON.stringify(factors)])).rows[0];

describe('normal CDF', () => {
  // reference values: Φ(x) = erfc(−x/√2)/2 (tables / high-precision erfc)
  const known: [number, number][] = [
    [0, 0.5],
    [1, 0.8413447460685429],
    [-0.5, 0.3085375387259869],
    [1.2345, 0.8914916766373298],
    [-1.96, 0.024997895148220435],
    [3, 0.9986501019683699],
    [5, 0.9999997133484281],
    [-5, 2.866515718791939e-7],
    [-8, 6.220960574271819e-16],
    [-10, 7.619853024160527e-24],
    [-20, 2.7536241186062337e-89],
    [-30, 4.906713927148764e-198],
  ];
  it.for(known)('Φ(%d) to 1e-7 absolute, and 1e-7 relative in the lower tail', async ([x, want], { tx }) => {
    const got = await phi(tx, x);
    expect(Math.abs(got - want)).toBeLessThan(1e-7);
    if (x < -1) expect(Math.abs(got - want) / want).toBeLessThan(1e-7);
  });

  it('is symmetric, monotone and bounded', async ({ tx }) => {
    const { rows } = await tx.query(`select x, watchlist.norm_cdf(x) as p, watchlist.norm_cdf(-x) as q
      from generate_series(-40, 40, 0.25) x`);
    let prev = -1;
    for (const r of rows) {
      expect(r.p + r.q).toBeCloseTo(1, 14);
      expect(r.p).toBeGreaterThanOrEqual(prev);
      expect(r.p).toBeGreaterThanOrEqual(0);
      expect(r.p).toBeLessThanOrEqual(1);
      prev = r.p;
    }
  });
});

describe('predict_bc', () => {
  it('pnl_hat is the active linear model, win_prob = 1 − Φ((fee − pnl_hat)/resid_std)', async ({ tx }) => {
    const r = await predict(tx, 'T', 15, { a: 0.008, b: 0.01, unused: 'x' });
    expect(r.pnl_hat).toBe(0.001 + 2 * 0.008 + -0.5 * 0.01);
    // pnl_hat − fee = resid_std → Φ(1)
    expect(r.win_prob).toBeCloseTo(0.8413447460685429, 9);
    expect(r.model_version).toBe('test-1');
    expect(r.reason).toBeNull();
    const zero = await predict(tx, 'T', 15, { a: 0.003, b: 0.01 }); // pnl_hat = fee → 0.5
    expect(zero.win_prob).toBeCloseTo(0.5, 9);
  });

  it('a missing, null, non-numeric or out-of-range factor gives NULLs and a reason', async ({ tx }) => {
    for (const [factors, reason] of [
      [{ a: 0.01 }, 'missing_factor:b'],
      [{ a: 0.01, b: null }, 'missing_factor:b'],
      [{ a: 'NaN', b: 0.01 }, 'non_numeric_factor:a'],
      [{ a: '0.01', b: 0.01 }, 'non_numeric_factor:a'],
    ] as const) {
      const r = await predict(tx, 'T', 15, factors);
      expect(r).toMatchObject({ pnl_hat: null, win_prob: null, reason });
    }
    const { rows } = await tx.query(`select * from watchlist.predict_bc('T', 15, '{"a": 1e400, "b": 0}')`);
    expect(rows[0]).toMatchObject({ pnl_hat: null, win_prob: null, reason: 'non_finite_factor:a' });
  });

  it('no active model gives NULLs and a reason', async ({ tx }) => {
    const r = await predict(tx, 'T', 999, { a: 1, b: 1 });
    expect(r).toMatchObject({ pnl_hat: null, win_prob: null, model_version: null, reason: 'no_active_model:T/999' });
  });

  it('ships Type B priors at 60/240/480 that pass big fresh dislocations and stop small ones', async ({ tx }) => {
    const { rows } = await tx.query(`select horizon_min, is_prior, version from watchlist.pnl_model
      where signal_type = 'B' and active order by horizon_min`);
    expect(rows.map((r) => [r.horizon_min, r.is_prior])).toEqual([[60, true], [240, true], [480, true]]);
    const fresh = (e: number) => ({
      spread_log_short_over_long: Math.log(1 + e),
      raw_best_buy_high_sell_low: e,
      raw_drift_ratio: 0.8,
      raw_crossings_1h: 2,
      raw_slope_3m: 0,
    });
    for (const e of [0.02, 0.03, 0.04]) {
      const r = await predict(tx, 'B', 240, fresh(e));
      expect(r.pnl_hat / e).toBeGreaterThan(0.6);
      expect(r.pnl_hat / e).toBeLessThan(0.8);
      expect(r.pnl_hat).toBeGreaterThan(0.013);
      expect(r.win_prob).toBeGreaterThan(0.94);
    }
    const small = await predict(tx, 'B', 240, fresh(0.005));
    expect(small.pnl_hat).toBeLessThan(0.013);
  });

  it('re-applying sql/predict.sql does not add or change model rows', async ({ tx }) => {
    const before = (await tx.query('select id, version, coefs from watchlist.pnl_model order by id')).rows;
    // the migrate re-applies it as the owner
    await tx.asRole('setup', () => tx.query(readFileSync(new URL('../../sql/predict.sql', import.meta.url), 'utf8')));
    expect((await tx.query('select id, version, coefs from watchlist.pnl_model order by id')).rows).toEqual(before);
  });
});
