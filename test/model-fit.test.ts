// Model fitting (issue 11 item 3): a fit on synthetic outcomes with a known linear
// relation recovers it; the rolling split never trains on an outcome that ends after
// its test window opens; activation is audited and predict_bc follows it; too little
// data keeps the prior and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { seedEvents, type FixtureEvent } from './helpers/research-fixture.ts';
import { fitModels, loadObs } from '../research/model-fit.ts';
import { walkForward, MODEL_FACTORS } from '../research/walk-forward.ts';
import { gauss, uniform } from '../workers/sim/prng.ts';

let db: TestDb;
const H = 240;
const N = 400;
const until = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const t0 = until.getTime() - 12 * 86_400_000;
// the truth the fit must find
const TRUE = { intercept: -0.002, raw_slope_3m: -2, raw_drift_ratio: 0.004, spread_log_short_over_long: 0.5, raw_crossings_1h: -0.0003, raw_best_buy_high_sell_low: 0.3 };

function synth(seed: number): FixtureEvent[] {
  const out: FixtureEvent[] = [];
  for (let i = 0; i < N; i++) {
    const slog = uniform(seed, i, 1, 0) * 0.036 + 0.004;
    const f = {
      raw_slope_3m: gauss(seed, i, 2, 0) * 0.0005,
      raw_drift_ratio: uniform(seed, i, 3, 0),
      spread_log_short_over_long: slog,
      raw_crossings_1h: Math.floor(uniform(seed, i, 4, 0) * 10),
      raw_best_buy_high_sell_low: slog + (uniform(seed, i, 5, 0) - 0.5) * 0.006,
    };
    const y = TRUE.intercept + MODEL_FACTORS.reduce((s, k) => s + TRUE[k] * f[k], 0) + gauss(seed, i, 6, 0) * 0.001;
    // 60-minute outcomes only for the first 10 events: too thin to fit
    out.push({ start: new Date(t0 + i * 40 * 60_000), symbol: `S${i % 7}/USDT:USDT`, factors: f, outcomes: i < 10 ? { [H]: y, 60: y } : { [H]: y } });
  }
  return out;
}

beforeAll(async () => {
  db = await freshDb();
  await seedEvents(db, synth(7));
});
afterAll(() => db.close());

const predict = async (factors: Record<string, number>, h = H) =>
  (await db.query(`select * from watchlist.predict_bc('B', $1, $2::jsonb)`, [h, JSON.stringify(factors)])).rows[0];

describe('wl model fit', () => {
  let version = '';
  it('a fit judged on fewer out-of-sample rows than model.auto_activate_min_test_n is recorded with its metrics but does not activate itself', async () => {
    await db.query(`select watchlist.set_config('model.auto_activate_min_test_n', '100000', 'test')`);
    try {
      const [r] = await fitModels(db, { signalTypes: ['B'], horizons: [H], until, days: 30 });
      expect(r.status).toBe('ok');
      expect(r.oosR2).toBeGreaterThan(0.8); // it would have beaten the prior
      expect(r.activated).toBe(false);
      expect(r.note).toMatch(/only 320 test rows .*\(need 100000, model.auto_activate_min_test_n\).*not activated automatically/);
      const { rows } = await db.query(`select version from watchlist.pnl_model where signal_type = 'B' and horizon_min = $1 and active`, [H]);
      expect(rows[0].version).toBe('prior-2025-12');
      await db.query(`delete from watchlist.pnl_model where version = $1`, [r.version]);
    } finally {
      await db.query(`select watchlist.set_config('model.auto_activate_min_test_n', '30', 'test')`);
    }
  });

  it('recovers a known linear relation, validates out of sample, and activates itself over the prior', async () => {
    const res = await fitModels(db, { signalTypes: ['B'], horizons: [H, 60], until, days: 30 });
    const r = res.find((x) => x.horizonMin === H)!;
    version = r.version;
    expect(r.status).toBe('ok');
    expect(r.n).toBe(N);
    expect(r.nTest).toBeGreaterThan(200);
    expect(r.oosR2).toBeGreaterThan(0.8);
    expect(r.oosIc).toBeGreaterThan(0.8);
    expect(r.calibError).toBeGreaterThanOrEqual(0);
    expect(r.calibError).toBeLessThan(0.2);
    expect(r.activated).toBe(true);
    const { rows } = await db.query(`select * from watchlist.pnl_model where version = $1 and horizon_min = $2`, [version, H]);
    const m = rows[0];
    expect(m.active).toBe(true);
    expect(m.is_prior).toBe(false);
    expect(m.intercept).toBeCloseTo(TRUE.intercept, 3);
    expect(m.coefs.spread_log_short_over_long).toBeCloseTo(TRUE.spread_log_short_over_long, 1);
    expect(m.coefs.raw_best_buy_high_sell_low).toBeCloseTo(TRUE.raw_best_buy_high_sell_low, 1);
    expect(m.coefs.raw_drift_ratio).toBeCloseTo(TRUE.raw_drift_ratio, 3);
    expect(m.coefs.raw_crossings_1h).toBeCloseTo(TRUE.raw_crossings_1h, 4);
    expect(Math.abs(m.coefs.raw_slope_3m - TRUE.raw_slope_3m)).toBeLessThan(0.5);
    // resid_std is the out-of-sample RMSE, near the noise we put in
    expect(m.resid_std).toBeGreaterThan(0.0008);
    expect(m.resid_std).toBeLessThan(0.0014);
    expect(new Date(m.train_from).getTime()).toBe(t0);
    expect(m.calibration.bins.length).toBeGreaterThan(3);
    const rates = m.calibration.bins.map((b: { rate: number }) => b.rate);
    expect([...rates].sort((a, b) => a - b)).toEqual(rates); // monotone in pnl_hat
    expect(m.params.active_version).toBe('prior-2025-12');
    const { rows: audit } = await db.query(`select * from watchlist.pnl_model_activation where to_version = $1`, [version]);
    expect(audit).toHaveLength(1);
    expect(audit[0].from_version).toBe('prior-2025-12');
    expect(audit[0].reason).toMatch(/^auto: OOS R²/);
  });

  it('too little data: a too_thin row says so, it cannot be activated, and the prior stays', async () => {
    const { rows } = await db.query(`select * from watchlist.pnl_model where version = $1 and horizon_min = 60`, [version]);
    expect(rows[0].fit_status).toBe('too_thin');
    expect(rows[0].active).toBe(false);
    expect(rows[0].notes).toMatch(/too thin: 10 outcomes.*prior-2025-12 stays active/);
    await expect(db.query(`select * from watchlist.activate_model($1, 'test', 'try', 'B', 60)`, [version])).rejects.toThrow(/too_thin/);
    expect((await predict({ raw_slope_3m: 0, raw_drift_ratio: 0.5, spread_log_short_over_long: 0.02, raw_crossings_1h: 2, raw_best_buy_high_sell_low: 0.02 }, 60)).model_version).toBe('prior-2025-12');
  });

  it('predict_bc uses the active version, with the calibrated win_prob; explicit activation switches back and is audited', async () => {
    const f = { raw_slope_3m: 0, raw_drift_ratio: 0.5, spread_log_short_over_long: 0.03, raw_crossings_1h: 2, raw_best_buy_high_sell_low: 0.03 };
    const p = await predict(f);
    expect(p.model_version).toBe(version);
    const { rows } = await db.query(`select * from watchlist.pnl_model where version = $1 and horizon_min = $2`, [version, H]);
    const m = rows[0];
    const want = m.intercept + MODEL_FACTORS.reduce((s, k) => s + m.coefs[k] * f[k], 0);
    expect(p.pnl_hat).toBeCloseTo(want, 12);
    expect(p.pnl_hat).toBeCloseTo(TRUE.intercept + 0.5 * 0.03 + 0.3 * 0.03 + 0.002 - 0.0006, 3);
    const bin = m.calibration.bins.find((b: { hi: number | null }) => b.hi === null || p.pnl_hat < b.hi);
    expect(p.win_prob).toBe(bin.rate);

    const sw = await db.query(`select * from watchlist.activate_model('prior-2025-12', 'tester', 'roll back to the prior', 'B', $1)`, [H]);
    expect(sw.rows).toEqual([{ signal_type: 'B', horizon_min: H, from_version: version, to_version: 'prior-2025-12' }]);
    expect((await predict(f)).model_version).toBe('prior-2025-12');
    const { rows: audit } = await db.query(`select actor, reason, from_version, to_version from watchlist.pnl_model_activation order by id desc limit 1`);
    expect(audit[0]).toEqual({ actor: 'tester', reason: 'roll back to the prior', from_version: version, to_version: 'prior-2025-12' });
    await expect(db.query(`select * from watchlist.activate_model('nope', 'tester', 'x')`)).rejects.toThrow(/no model version nope/);
    await expect(db.query(`select * from watchlist.activate_model($1, 'tester', '')`, [version])).rejects.toThrow(/reason/);
    await db.query(`select * from watchlist.activate_model($1, 'tester', 'back to the fit', 'B', $2)`, [version, H]);
    expect((await predict(f)).model_version).toBe(version);
  });

  it('a fit that does not beat the active model out of sample is recorded but not activated', async () => {
    const [r] = await fitModels(db, { signalTypes: ['B'], horizons: [H], until, days: 30 });
    // the active fit has seen every row: there is nothing out of its sample to judge on
    expect(r.status).toBe('ok');
    expect(r.activated).toBe(false);
    expect(r.note).toMatch(/only 0 test rows lie after fit-.*training window .*not activated automatically/);
    expect((await predict({ raw_slope_3m: 0, raw_drift_ratio: 0.5, spread_log_short_over_long: 0.03, raw_crossings_1h: 2, raw_best_buy_high_sell_low: 0.03 })).model_version).toBe(version);
  });
});

describe('automatic activation', () => {
  it('a later fit that beats the active fit on outcomes after its training window activates itself, audited', async () => {
    // the relation changes after the active fit's data: the spread term triples
    const last = t0 + (N - 1) * 40 * 60_000;
    const more: FixtureEvent[] = [];
    for (let i = 0; i < 200; i++) {
      const slog = uniform(11, i, 1, 0) * 0.036 + 0.004;
      const f = { raw_slope_3m: gauss(11, i, 2, 0) * 0.0005, raw_drift_ratio: uniform(11, i, 3, 0), spread_log_short_over_long: slog,
        raw_crossings_1h: Math.floor(uniform(11, i, 4, 0) * 10), raw_best_buy_high_sell_low: slog + (uniform(11, i, 5, 0) - 0.5) * 0.006 };
      const y = TRUE.intercept + MODEL_FACTORS.reduce((acc, k) => acc + TRUE[k] * f[k], 0) + slog + gauss(11, i, 6, 0) * 0.001;
      more.push({ start: new Date(last + (i + 1) * 4 * 60_000), symbol: `T${i % 5}/USDT:USDT`, factors: f, outcomes: { [H]: y } });
    }
    await seedEvents(db, more);
    const { rows: act } = await db.query(`select version from watchlist.pnl_model where signal_type = 'B' and horizon_min = $1 and active`, [H]);
    const [r] = await fitModels(db, { signalTypes: ['B'], horizons: [H], until, days: 30 });
    expect(r.activated).toBe(true);
    expect(r.note).toMatch(new RegExp(`on the \\d+ test rows after ${act[0].version}'s training window`));
    const { rows } = await db.query(`select from_version, to_version, reason from watchlist.pnl_model_activation order by id desc limit 1`);
    expect(rows[0]).toMatchObject({ from_version: act[0].version, to_version: r.version });
    expect(rows[0].reason).toMatch(/^auto: OOS R² .* beats fit-.* on the same \d+ test rows$/);
  });
});

describe('rolling time split', () => {
  it('has no look-ahead: shuffling every outcome not known before a test window leaves that window\'s training set and coefficients unchanged', async () => {
    const from = new Date(t0 - 1), to = until;
    const before = walkForward(await loadObs(db, 'B', H, from, to), 4, 50);
    const k = 1;
    const cut = before[k].testFrom;
    // events that started before the window but whose outcome ends inside it exist (the purge matters)
    const { rows: straddle } = await db.query(
      `select count(*)::int as n from watchlist.watch_signal_event where start_ts < $1 and start_ts + make_interval(mins => $2) > $1`,
      [new Date(cut), H],
    );
    expect(straddle[0].n).toBeGreaterThan(0);
    // reverse the order of every outcome that ends after the window opens
    await db.query(
      `with o as (select fo.id, fo.pnl_total, row_number() over (order by e.start_ts) as a, row_number() over (order by e.start_ts desc) as b
                  from watchlist.future_outcome fo join watchlist.watch_signal_event e on e.id = fo.event_id
                  where fo.horizon_min = $2 and e.start_ts + make_interval(mins => $2) > $1)
       update watchlist.future_outcome f set pnl_total = o2.pnl_total from o o1 join o o2 on o2.a = o1.b where f.id = o1.id`,
      [new Date(cut), H],
    );
    const after = walkForward(await loadObs(db, 'B', H, from, to), 4, 50);
    expect(after[k].trainIds).toEqual(before[k].trainIds);
    expect(after[k].trainOutcomeEnd).toBeLessThanOrEqual(cut);
    expect(after[k].model!.coefs).toEqual(before[k].model!.coefs);
    expect(after[k].model!.intercept).toBe(before[k].model!.intercept);
    expect(after[0].model!.coefs).toEqual(before[0].model!.coefs);
    // the shuffle did reach the data: later windows (trained on it) changed
    expect(after[k + 1].model!.coefs).not.toEqual(before[k + 1].model!.coefs);
  });
});

describe('weekly fit job', () => {
  it('is one crontab line graphile-worker parses, and the job fits through graphile-worker', async () => {
    const { parseCrontab } = await import('graphile-worker');
    const { crontab } = await import('../workers/crontab.ts');
    const items = parseCrontab(crontab).filter((c) => c.task === 'fit_models');
    expect(items).toHaveLength(1);
    const { drain } = await import('./helpers/worker.ts');
    const before = (await db.query(`select count(*)::int as n from watchlist.pnl_model`)).rows[0].n;
    await db.query(`select graphile_worker.add_job('fit_models')`);
    await drain(db, 1);
    const { rows } = await db.query(`select signal_type, horizon_min, fit_status, params->>'actor' as actor from watchlist.pnl_model order by id desc limit 1`);
    expect((await db.query(`select count(*)::int as n from watchlist.pnl_model`)).rows[0].n).toBeGreaterThan(before);
    expect(rows[0]).toMatchObject({ signal_type: 'B', actor: 'fit_models job' });
    expect((await db.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'fit_models'`)).rows[0].n).toBe(0);
  });
});
