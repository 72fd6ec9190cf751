// `wl model fit` and the weekly fit job: per (signal type, horizon), read the
// event → factor → outcome dataset (watchlist.model_dataset), validate it on rolling
// windows (walk-forward.ts), fit the final model on all of it, and record a versioned
// pnl_model row. It becomes active by itself only when its out-of-sample R² beats
// the active model's on the same test rows (model.auto_activate); otherwise
// `wl model activate VERSION` decides. Too little data: a too_thin row, the prior stays.
import { z } from 'zod';
import type { Queryable } from './queryable.ts';
import { calibrate, MODEL_FACTORS, predictOne, r2, spearman, walkForward, ols, type Obs } from './walk-forward.ts';

export interface FitOptions {
  signalTypes?: string[];
  horizons?: number[];
  /** end of the data window (default now) */
  until?: Date;
  /** days of decision times before `until` (default setting model.fit_days) */
  days?: number;
  actor?: string;
  /** called after each (type, horizon) with the count done, the total and a note */
  progress?: (done: number, total: number, note: string) => void;
}

export interface FitResult {
  signalType: string;
  horizonMin: number;
  version: string;
  status: 'ok' | 'too_thin';
  n: number;
  nTest: number;
  oosR2: number | null;
  oosIc: number | null;
  calibError: number | null;
  activeOosR2: number | null;
  activated: boolean;
  note: string;
}

const num = z.coerce.number();
const datasetRow = z.object({
  event_id: z.coerce.number().int(),
  start_ts: z.date(),
  horizon_min: z.number().int(),
  pnl_total: z.number(),
  factors: z.record(z.string(), z.unknown()).nullable(),
});

/** horizons the fit runs for when none are named: those with an active model */
async function defaultHorizons(db: Queryable, types: string[]): Promise<number[]> {
  const { rows } = await db.query(
    `select distinct horizon_min from watchlist.pnl_model where active and signal_type = any ($1::text[]) order by 1`,
    [types],
  );
  return rows.map((r: { horizon_min: number }) => r.horizon_min);
}

async function settings(db: Queryable) {
  const { rows } = await db.query(`select watchlist.cfg_num('model.fit_days') as days, watchlist.cfg_num('model.folds') as folds,
      watchlist.cfg_num('model.min_train_n') as min_train, watchlist.cfg_num('model.min_test_n') as min_test,
      watchlist.cfg_num('model.calib_bins') as bins, watchlist.cfg('model.auto_activate') = 'true'::jsonb as auto,
      watchlist.cfg_num('model.auto_activate_min_test_n') as min_judge`);
  const r = rows[0];
  return {
    days: num.parse(r.days), folds: num.parse(r.folds), minTrain: num.parse(r.min_train), minTest: num.parse(r.min_test),
    bins: num.parse(r.bins), auto: r.auto === true, minJudge: num.parse(r.min_judge),
  };
}

/** the dataset as observations: rows whose five factors are all finite numbers */
export async function loadObs(db: Queryable, signalType: string, horizon: number, from: Date, to: Date): Promise<Obs[]> {
  const { rows } = await db.query(
    `select event_id, start_ts, horizon_min, pnl_total, factors
     from watchlist.model_dataset(array[$1::text], array[$2::int], $3, $4) order by start_ts, event_id`,
    [signalType, horizon, from, to],
  );
  const out: Obs[] = [];
  for (const raw of rows) {
    const r = datasetRow.parse(raw);
    const x = MODEL_FACTORS.map((k) => r.factors?.[k]);
    if (!x.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) continue;
    out.push({ id: r.event_id, t: r.start_ts.getTime(), horizonMin: r.horizon_min, x, y: r.pnl_total });
  }
  return out;
}

async function normalWinProbs(db: Queryable, pred: number[], fee: number, std: number[]): Promise<number[]> {
  const { rows } = await db.query(
    `select watchlist.norm_cdf((p - $2) / s) as w from unnest($1::float8[], $3::float8[]) with ordinality u(p, s, i) order by i`,
    [pred, fee, std],
  );
  return rows.map((r: { w: number }) => r.w);
}

export function versionAt(d: Date): string {
  return `fit-${d.toISOString().replace(/[-:]/g, '')}`;
}

export async function fitModels(db: Queryable, opts: FitOptions = {}): Promise<FitResult[]> {
  const s = await settings(db);
  const types = opts.signalTypes?.length ? opts.signalTypes : ['B'];
  const horizons = opts.horizons?.length ? opts.horizons : await defaultHorizons(db, types);
  const until = opts.until ?? new Date();
  const from = new Date(until.getTime() - (opts.days ?? s.days) * 86_400_000);
  const actor = opts.actor ?? 'wl model fit';
  const fittedAt = new Date();
  const version = versionAt(fittedAt);
  const out: FitResult[] = [];
  const total = types.length * horizons.length;
  for (const type of types) {
    for (const h of horizons) {
      out.push(await fitOne(db, { type, h, from, until, version, actor, s }));
      opts.progress?.(out.length, total, `${type}/${h}m: ${out[out.length - 1].note}`);
    }
  }
  return out;
}

async function fitOne(
  db: Queryable,
  a: { type: string; h: number; from: Date; until: Date; version: string; actor: string; s: Awaited<ReturnType<typeof settings>> },
): Promise<FitResult> {
  const { type, h, s } = a;
  const obs = await loadObs(db, type, h, a.from, a.until);
  const { rows: act } = await db.query(
    `select version, intercept, coefs, fee_threshold, train_to from watchlist.pnl_model where signal_type = $1 and horizon_min = $2 and active`,
    [type, h],
  );
  const active = act[0] as { version: string; intercept: number; coefs: Record<string, number>; fee_threshold: number; train_to: Date | null } | undefined;
  const fee = active?.fee_threshold ?? 0.001;
  const folds = walkForward(obs, s.folds, s.minTrain);
  const scored = folds.filter((f) => f.model);
  const pred = scored.flatMap((f) => f.pred);
  const y = scored.flatMap((f) => f.y);
  const testIds = scored.flatMap((f) => f.testIds);
  const base = { signalType: type, horizonMin: h, version: a.version, n: obs.length, nTest: y.length };
  const foldJson = folds.map((f) => ({
    test_from: new Date(f.testFrom).toISOString(),
    test_to: new Date(f.testTo).toISOString(),
    n_train: f.trainIds.length,
    n_test: f.testIds.length,
    train_outcome_end: f.trainOutcomeEnd === null ? null : new Date(f.trainOutcomeEnd).toISOString(),
    intercept: f.model?.intercept ?? null,
    coefs: f.model ? Object.fromEntries(MODEL_FACTORS.map((k, i) => [k, f.model!.coefs[i]])) : null,
    oos_r2: f.model && f.y.length > 1 ? r2(f.pred, f.y) : null,
  }));
  const params = { from: a.from.toISOString(), until: a.until.toISOString(), folds: s.folds, min_train_n: s.minTrain, min_test_n: s.minTest, auto_activate_min_test_n: s.minJudge, calib_bins: s.bins, actor: a.actor };

  if (obs.length < s.minTrain || y.length < s.minTest) {
    const note = `too thin: ${obs.length} outcomes (${y.length} out of sample); need ${s.minTrain} to train and ${s.minTest} to test. ` +
      `${active ? `${active.version} stays active` : 'no model is active'}.`;
    await db.query(
      `insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, fee_threshold, n_obs, n_test,
         is_prior, active, fit_status, train_from, train_to, folds, params, notes)
       values ($1, $2, $3, 0, '{}', 1, $4, $5, $6, false, false, 'too_thin', $7, $8, $9, $10, $11)`,
      [type, h, a.version, fee, obs.length, y.length, obs.length ? new Date(obs[0].t) : null,
       obs.length ? new Date(obs[obs.length - 1].t) : null, JSON.stringify(foldJson), JSON.stringify(params), note],
    );
    return { ...base, status: 'too_thin', oosR2: null, oosIc: null, calibError: null, activeOosR2: null, activated: false, note };
  }

  // out-of-sample: each test row's normal-tail win_prob as the model of its fold would have said it
  const foldStd = scored.flatMap((f) => f.pred.map(() => f.model!.residStd));
  const wpNormal = await normalWinProbs(db, pred, fee, foldStd);
  const cal = calibrate(pred, y.map((v) => v > fee), wpNormal, s.bins);
  const oosR2 = r2(pred, y);
  const oosIc = spearman(pred, y);
  const residOos = Math.sqrt(y.reduce((acc, v, i) => acc + (v - pred[i]) ** 2, 0) / y.length);

  // The bar a new fit must clear: the active model scored on the same test rows, but only
  // rows after the active model's own training window (a fitted model has seen the rest,
  // which would flatter it); both scored on that subset.
  let activeOosR2: number | null = null;
  let newOnCompare: number | null = null;
  let compareN = y.length;
  if (active) {
    const byId = new Map(obs.map((o) => [o.id, o]));
    const after = active.train_to ? active.train_to.getTime() : -Infinity;
    const idx = testIds.map((id, i) => [id, i] as const).filter(([id]) => byId.get(id)!.t > after);
    compareN = idx.length;
    const coefs = MODEL_FACTORS.map((k) => Number(active.coefs[k] ?? 0));
    const yc = idx.map(([, i]) => y[i]);
    if (compareN >= Math.max(2, s.minJudge)) {
      activeOosR2 = r2(idx.map(([id]) => predictOne({ intercept: active.intercept, coefs }, byId.get(id)!.x)), yc);
      newOnCompare = r2(idx.map(([, i]) => pred[i]), yc);
    }
  }

  const final = ols(obs);
  const residStd = Number.isFinite(residOos) && residOos > 0 ? residOos : final.residStd;
  // without an active model there is nothing to compare, but a thin test set still may not activate itself
  const judged = active ? activeOosR2 !== null : compareN >= s.minJudge;
  const beats = Number.isFinite(oosR2) && judged &&
    (!active || (Number.isFinite(newOnCompare!) && (!Number.isFinite(activeOosR2!) || newOnCompare! > activeOosR2!)));
  const need = `(need ${s.minJudge}, model.auto_activate_min_test_n)`;
  const judgement = judged
    ? active ? `; on the ${compareN} test rows after ${active.version}'s training window it scores R² ${activeOosR2!.toFixed(4)}, this fit ${newOnCompare!.toFixed(4)}` : ''
    : active ? `; only ${compareN} test rows lie after ${active.version}'s training window ${need}: not compared, not activated automatically`
    : `; only ${compareN} test rows ${need}: not activated automatically`;
  const note =
    `OLS on ${obs.length} outcomes ${new Date(obs[0].t).toISOString()} – ${new Date(obs[obs.length - 1].t).toISOString()}; ` +
    `${scored.length} rolling test windows (${y.length} rows): OOS R² ${oosR2.toFixed(4)}, IC ${oosIc.toFixed(4)}, ` +
    `calibration error ${cal.ece.toFixed(4)}; resid_std is the OOS RMSE${judgement}`;
  await db.query(
    `insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, fee_threshold, n_obs, r2,
       is_prior, active, fit_status, train_from, train_to, n_test, oos_r2, oos_ic, calib_error, calibration, folds, params, notes)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, false, 'ok', $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    [type, h, a.version, final.intercept, JSON.stringify(Object.fromEntries(MODEL_FACTORS.map((k, i) => [k, final.coefs[i]]))),
     residStd, fee, obs.length, r2(obs.map((o) => predictOne(final, o.x)), obs.map((o) => o.y)),
     new Date(obs[0].t), new Date(obs[obs.length - 1].t), y.length, oosR2, oosIc, cal.ece,
     JSON.stringify({ by: 'pnl_hat', win: `pnl_total > ${fee}`, bins: cal.bins }), JSON.stringify(foldJson),
     JSON.stringify({ ...params, active_version: active?.version ?? null, compare_n: compareN, active_oos_r2: activeOosR2, new_oos_r2_compared: newOnCompare }), note],
  );
  let activated = false;
  if (s.auto && beats) {
    await db.query(`select * from watchlist.activate_model($1, $2, $3, $4, $5)`, [
      a.version, a.actor, active
        ? `auto: OOS R² ${newOnCompare!.toFixed(4)} beats ${active.version} (${activeOosR2!.toFixed(4)}) on the same ${compareN} test rows`
        : `auto: OOS R² ${oosR2.toFixed(4)}, no active model`, type, h,
    ]);
    activated = true;
  }
  return { ...base, status: 'ok', oosR2, oosIc, calibError: cal.ece, activeOosR2, activated, note };
}
