// Window factors of a minute spread series, written from their definitions (README /
// sql/scan.sql header) as an independent check of the SQL: windows are closed time
// ranges [t − W, t] over the points that exist; nothing is filled in.
export interface Point {
  t: number; // epoch ms
  s: number;
}

export interface Factors {
  slope3m: number | null;
  crossings1h: number;
  driftRatio: number | null;
  range1h: number;
  range12h: number;
  volatility: number | null;
  n1h: number;
}

const MIN = 60_000;

const inWindow = (pts: Point[], t: number, minutes: number) =>
  pts.filter((p) => p.t >= t - minutes * MIN && p.t <= t).sort((a, b) => a.t - b.t);

/** ordinary least squares slope of y on x */
function olsSlope(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/** sign = +1 when the trade's high venue is the series' venue_a, −1 otherwise */
export function referenceFactors(points: Point[], t: number, sign = 1): Factors {
  const w3 = inWindow(points, t, 3);
  const w1 = inWindow(points, t, 60);
  const w12 = inWindow(points, t, 720);
  const oriented = (p: Point) => sign * p.s;

  const slope3m = olsSlope(
    w3.map((p) => (p.t - t) / MIN),
    w3.map(oriented),
  );

  const v = w1.map(oriented);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let crossings = 0;
  let path = 0;
  for (let i = 1; i < v.length; i++) {
    if ((v[i - 1] - mean) * (v[i] - mean) < 0) crossings++;
    path += Math.abs(v[i] - v[i - 1]);
  }
  const net = Math.abs(v[v.length - 1] - v[0]);
  const variance = v.length > 1 ? v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1) : null;
  const range = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

  return {
    slope3m,
    crossings1h: crossings,
    driftRatio: path > 0 ? net / path : null,
    range1h: range(v),
    range12h: range(w12.map(oriented)),
    volatility: variance === null ? null : Math.sqrt(variance),
    n1h: v.length,
  };
}

/** Deterministic PRNG (mulberry32) for synthetic series. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
