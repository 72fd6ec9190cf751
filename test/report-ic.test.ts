// `wl report ic` (issue 11 item 4) on a fixture small enough to check by hand:
// two 60-minute buckets of five events each, horizon 240.
//   bucket 1: spread 1..5 %, pnl_total 1..5 ‰          → Spearman IC  1
//   bucket 2: spread 1..5 %, pnl_total 2,-1,4,3,5 ‰     → ranks 2,1,4,3,5: 1 − 6·4/120 = 0.8
//   drift ratio falls where spread rises                 → IC −1 and −0.8
//   mean IC 0.9, std (sample) 0.1414, IR 6.364, t = 0.9/(0.1414/√2) = 9, hit rate 100 %
// quintiles of spread (two events each, one per bucket): mean pnl 1.5, 0.5, 3.5, 3.5, 5 ‰
// gate (pnl_hat = spread, win_prob 0.95; pnl_hat > 0.013): spreads 2..5 % admitted in both
// buckets except bucket 2's 5 % (same symbol as bucket 1's, still held): 7 trades
//   pnl 2,3,4,5,-1,4,3 ‰ → total 20 ‰, mean 2.857 ‰, win rate 6/7, max drawdown 1 ‰
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { seedEvents, type FixtureEvent } from './helpers/research-fixture.ts';
import { runReport, type ReportResult } from '../research/report-ic.ts';

let db: TestDb;
const out = mkdtempSync(path.join(os.tmpdir(), 'wl-report-'));
const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const b1 = hour - 6 * 3_600_000;
const b2 = b1 + 3_600_000;
const Y2 = [2, -1, 4, 3, 5];

function fixture(): FixtureEvent[] {
  const ev: FixtureEvent[] = [];
  for (const [b, t0] of [[1, b1], [2, b2]] as const) {
    for (let k = 1; k <= 5; k++) {
      const spread = k / 100;
      const y = (b === 1 ? k : Y2[k - 1]) / 1000;
      ev.push({
        start: new Date(t0 + k * 60_000),
        symbol: b === 2 && k === 5 ? 'S1_5/USDT:USDT' : `S${b}_${k}/USDT:USDT`,
        factors: { raw_slope_3m: 0, raw_drift_ratio: 1 - k / 10, spread_log_short_over_long: spread, raw_crossings_1h: 2, raw_best_buy_high_sell_low: spread },
        outcomes: { 240: y },
        pred: { 240: { pnl_hat: spread, win_prob: 0.95 } },
      });
    }
  }
  return ev;
}

let r: ReportResult;
beforeAll(async () => {
  db = await freshDb();
  await seedEvents(db, fixture());
  r = await runReport(db, { days: 1, horizons: [240], signalTypes: ['B'], bucketMin: 60, minBucketN: 5, out });
});
afterAll(async () => {
  await db.close();
  rmSync(out, { recursive: true, force: true });
});

const row = (f: string) => r.icSummary.find((x) => x.factor === f)!;

describe('wl report ic', () => {
  it('IC per bucket, mean IC, IR, t and hit rate match the hand computation', () => {
    const spread = r.icBuckets.filter((x) => x.factor === 'spread_log_short_over_long');
    expect(spread.map((x) => [x.bucket, x.n])).toEqual([[new Date(b1).toISOString(), 5], [new Date(b2).toISOString(), 5]]);
    expect(spread[0].ic).toBeCloseTo(1, 12);
    expect(spread[1].ic).toBeCloseTo(0.8, 12);
    const s = row('spread_log_short_over_long');
    expect(s.buckets).toBe(2);
    expect(s.events).toBe(10);
    expect(s.mean_ic).toBeCloseTo(0.9, 12);
    expect(s.std_ic).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(s.ir).toBeCloseTo(0.9 / (Math.SQRT2 / 10), 9);
    expect(s.t_stat).toBeCloseTo(9, 9);
    expect(s.hit_rate).toBe(1);
    expect(row('raw_drift_ratio').mean_ic).toBeCloseTo(-0.9, 12);
    expect(row('raw_drift_ratio').hit_rate).toBe(0);
    expect(row('pnl_hat').mean_ic).toBeCloseTo(0.9, 12);
    // a constant factor has no rank correlation
    expect(row('raw_crossings_1h').mean_ic).toBeNull();
  });

  it('quantile returns and the simulated gate match the hand computation', () => {
    const q = r.quantiles.filter((x) => x.factor === 'spread_log_short_over_long');
    expect(q.map((x) => x.n)).toEqual([2, 2, 2, 2, 2]);
    const want = [1.5, 0.5, 3.5, 3.5, 5];
    q.forEach((x, i) => expect(x.mean_pnl).toBeCloseTo(want[i] / 1000, 12));
    expect(q[1].win_rate).toBe(0.5);
    const [s] = r.strategy;
    expect(s).toMatchObject({ horizonMin: 240, candidates: 10, trades: 7 });
    expect(s.totalPnl).toBeCloseTo(0.02, 12);
    expect(s.meanPnl).toBeCloseTo(0.02 / 7, 12);
    expect(s.winRate).toBeCloseTo(6 / 7, 12);
    expect(s.maxDrawdown).toBeCloseTo(0.001, 12);
  });

  it('writes Markdown, CSV and SVG files and stores the report for /research', async () => {
    for (const f of ['report.md', 'ic_summary.csv', 'ic_by_bucket.csv', 'quantile_returns.csv', 'strategy_trades.csv', 'strategy_summary.csv',
      'ic_mean.svg', 'ic_by_bucket.svg', 'quantile_returns.svg', 'strategy_equity.svg']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const csv = readFileSync(path.join(out, 'ic_summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('horizon_min,factor,buckets,events,mean_ic,std_ic,ir,t_stat,hit_rate');
    const line = csv.find((l) => l.startsWith('240,spread_log_short_over_long,'))!.split(',');
    expect(Number(line[4])).toBeCloseTo(0.9, 12);
    expect(readFileSync(path.join(out, 'strategy_trades.csv'), 'utf8').trim().split('\n')).toHaveLength(8);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| 240 | spread_log_short_over_long | 2 | 10 | 0.9000 | 0.1414 | 6.3640 | 9.0000 | 100.0 % |');
    expect(md).toContain('| 240 | 10 | 7 | 85.7 % | 0.0029 | 0.0200 | 0.0010 |');
    for (const f of ['ic_mean.svg', 'quantile_returns.svg', 'strategy_equity.svg', 'ic_by_bucket.svg']) {
      const svg = readFileSync(path.join(out, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toMatch(/<path|<line|<rect/);
    }
    expect(readFileSync(path.join(out, 'ic_mean.svg'), 'utf8')).toContain('spread_log_short_over_long');
    const { rows } = await db.query('select id, params, summary, markdown, charts from watchlist.v_research_latest');
    expect(rows[0].id).toBe(String(r.id));
    expect(rows[0].markdown).toBe(md);
    expect(Object.keys(rows[0].charts).sort()).toEqual(['ic_by_bucket', 'ic_mean', 'quantile_returns', 'strategy_equity']);
    expect(rows[0].summary.strategy[0].trades).toBe(7);
  });
});
