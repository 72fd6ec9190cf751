// Rolling-origin OLS: fit on the past, test on the next window, never the other way.
// A training row must have its OUTCOME known before the test window opens
// (decision time + horizon ≤ test start), not merely its decision time: an event
// that started an hour before the window but whose 4 h outcome ends inside it
// would otherwise leak the window's prices into the fit.
// The regression is ml-regression-multivariate-linear (SVD), not our own algebra.
import MLR from 'ml-regression-multivariate-linear';

/** the plan's five factors (§0.1.1), in the order coefficients are reported */
export const MODEL_FACTORS = [
  'raw_slope_3m',
  'raw_drift_ratio',
  'spread_log_short_over_long',
  'raw_crossings_1h',
  'raw_best_buy_high_sell_low',
] as const;

export interface Obs {
  id: number;
  /** decision time (ms) */
  t: number;
  horizonMin: number;
  x: number[];
  y: number;
}

export interface Fitted {
  intercept: number;
  coefs: number[];
  /** in-sample residual standard error (n − p − 1 degrees of freedom) */
  residStd: number;
  n: number;
}

export interface Fold {
  testFrom: number;
  testTo: number;
  trainIds: number[];
  /** the last training row's outcome end (ms): < testFrom by construction */
  trainOutcomeEnd: number | null;
  model: Fitted | null;
  testIds: number[];
  pred: number[];
  y: number[];
}

export function ols(rows: Obs[]): Fitted {
  const reg = new MLR(rows.map((r) => r.x), rows.map((r) => [r.y]), { intercept: true, statistics: true });
  const w = reg.weights.map((r) => r[0]);
  const k = rows[0].x.length;
  const residStd = Number.isFinite(reg.stdError) && reg.stdError > 0 ? reg.stdError : NaN;
  return { intercept: w[k], coefs: w.slice(0, k), residStd, n: rows.length };
}

export const predictOne = (m: { intercept: number; coefs: number[] }, x: number[]) =>
  x.reduce((acc, v, i) => acc + m.coefs[i] * v, m.intercept);

/**
 * Split the observations (any order) into folds + 1 windows of equal count by decision
 * time; window 0 only trains. For each later window: train on every row whose outcome
 * ended before the window starts (expanding), predict the window.
 */
export function walkForward(obs: Obs[], folds: number, minTrain: number): Fold[] {
  const sorted = [...obs].sort((a, b) => a.t - b.t || a.id - b.id);
  const n = sorted.length;
  const out: Fold[] = [];
  if (n === 0) return out;
  const starts: number[] = [];
  for (let k = 1; k <= folds; k++) starts.push(sorted[Math.min(n - 1, Math.floor((k * n) / (folds + 1)))].t);
  for (let k = 0; k < starts.length; k++) {
    const testFrom = starts[k];
    const testTo = k + 1 < starts.length ? starts[k + 1] : Infinity;
    if (k > 0 && testFrom === starts[k - 1]) continue; // ties collapsed two windows into one
    const train = sorted.filter((r) => r.t + r.horizonMin * 60_000 <= testFrom);
    const test = sorted.filter((r) => r.t >= testFrom && r.t < testTo);
    const model = train.length >= minTrain ? ols(train) : null;
    out.push({
      testFrom,
      testTo: Number.isFinite(testTo) ? testTo : sorted[n - 1].t + 1,
      trainIds: train.map((r) => r.id),
      trainOutcomeEnd: train.length ? Math.max(...train.map((r) => r.t + r.horizonMin * 60_000)) : null,
      model,
      testIds: test.map((r) => r.id),
      pred: model ? test.map((r) => predictOne(model, r.x)) : [],
      y: model ? test.map((r) => r.y) : [],
    });
  }
  return out;
}

/** average ranks (ties share their mean rank), 1-based */
export function ranks(v: number[]): number[] {
  const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return NaN;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export const spearman = (a: number[], b: number[]) => pearson(ranks(a), ranks(b));

/** 1 − SSE/SST around the test set's own mean (out-of-sample R²) */
export function r2(pred: number[], y: number[]): number {
  const my = y.reduce((s, x) => s + x, 0) / y.length;
  let sse = 0, sst = 0;
  for (let i = 0; i < y.length; i++) {
    sse += (y[i] - pred[i]) ** 2;
    sst += (y[i] - my) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : NaN;
}

export interface CalibBin {
  /** lower pnl_hat edge (null: −∞) */
  lo: number | null;
  /** upper pnl_hat edge, exclusive (null: +∞) */
  hi: number | null;
  n: number;
  wins: number;
  /** mean normal-tail win_prob of the bin's predictions */
  mean_pred: number;
  /** monotone (pool-adjacent-violators) smoothed win rate used by predict_bc */
  rate: number;
}

/**
 * Bins of equal count by pnl_hat; the realised win rate of each (smoothed
 * (wins + ½)/(n + 1) so no bin claims certainty), made non-decreasing in pnl_hat by
 * pool-adjacent-violators; and the expected calibration error of the normal-tail
 * win_prob: Σ n_b |mean_pred_b − wins_b/n_b| / N.
 */
export function calibrate(pred: number[], win: boolean[], normalWinProb: number[], bins: number): { bins: CalibBin[]; ece: number } {
  const order = pred.map((p, i) => i).sort((a, b) => pred[a] - pred[b]);
  const n = order.length;
  const groups: number[][] = [];
  for (let b = 0; b < bins; b++) {
    const g = order.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
    if (!g.length) continue;
    // equal predictions belong to one bin, so the edges are well defined
    const prev = groups[groups.length - 1];
    if (prev && pred[prev[prev.length - 1]] === pred[g[0]]) prev.push(...g);
    else groups.push(g);
  }
  let ece = 0;
  const raw = groups.map((g) => {
    const wins = g.filter((i) => win[i]).length;
    const meanPred = g.reduce((s, i) => s + normalWinProb[i], 0) / g.length;
    ece += Math.abs(meanPred - wins / g.length) * g.length;
    return { g, wins, meanPred };
  });
  // pool adjacent violators on the smoothed rates, weighted by count
  const blocks: { w: number; v: number; k: number }[] = [];
  for (const r of raw) {
    blocks.push({ w: r.g.length + 1, v: (r.wins + 0.5) / (r.g.length + 1), k: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].v > blocks[blocks.length - 1].v) {
      const b = blocks.pop()!, a = blocks.pop()!;
      blocks.push({ w: a.w + b.w, v: (a.v * a.w + b.v * b.w) / (a.w + b.w), k: a.k + b.k });
    }
  }
  const rates = blocks.flatMap((b) => new Array<number>(b.k).fill(b.v));
  const out = raw.map((r, i) => ({
    lo: i === 0 ? null : pred[r.g[0]],
    hi: i === raw.length - 1 ? null : pred[raw[i + 1].g[0]],
    n: r.g.length,
    wins: r.wins,
    mean_pred: r.meanPred,
    rate: rates[i],
  }));
  return { bins: out, ece: n ? ece / n : NaN };
}
