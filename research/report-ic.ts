// `wl report ic`: IC/IR per factor and horizon, quantile returns, and the gate replayed
// on outcomes, written as Markdown + CSV + SVG into a folder and stored in
// watchlist.research_report for the /research page. The ranks, correlations and
// quantiles are SQL (sql/research.sql); this file orders the steps and writes files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Queryable } from './queryable.ts';
import { simulate, type Candidate, type SimSummary } from './backtest.ts';
import { equitySpec, icMeanSpec, icSeriesSpec, quantileSpec, renderSvg } from './charts.ts';

export interface ReportOptions {
  days: number;
  horizons: number[];
  signalTypes: string[];
  bucketMin: number;
  minBucketN: number;
  quantiles?: number;
  out: string;
  until?: Date;
  /** steps done of the total, with a note */
  progress?: (done: number, total: number, note: string) => void;
}

export interface IcSummaryRow {
  horizon_min: number;
  factor: string;
  buckets: number;
  events: number;
  mean_ic: number | null;
  std_ic: number | null;
  ir: number | null;
  t_stat: number | null;
  hit_rate: number | null;
}

export interface ReportResult {
  id: number;
  files: string[];
  icSummary: IcSummaryRow[];
  icBuckets: { horizon_min: number; factor: string; bucket: string; n: number; ic: number | null }[];
  quantiles: { horizon_min: number; factor: string; quantile: number; n: number; lo: number; hi: number; mean_pnl: number; win_rate: number }[];
  strategy: SimSummary[];
  events: number;
}

const n = z.coerce.number();
const nn = z.coerce.number().nullable();

function csv(rows: Record<string, unknown>[], cols: string[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = v instanceof Date ? v.toISOString() : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

const f4 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4));
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)} %`);
function mdTable(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export async function runReport(db: Queryable, o: ReportOptions): Promise<ReportResult> {
  const until = o.until ?? new Date();
  const from = new Date(until.getTime() - o.days * 86_400_000);
  const q = o.quantiles ?? 5;
  const total = 6;
  let step = 0;
  const tick = (note: string) => o.progress?.(++step, total, note);
  const args = [o.signalTypes, o.horizons, from, until];

  const { rows: bucketRows } = await db.query(
    `select horizon_min, factor, bucket, n, ic from watchlist.research_ic($1, $2, $3, $4, $5, $6)`,
    [...args, o.bucketMin, o.minBucketN],
  );
  const icBuckets = bucketRows.map((r: Record<string, unknown>) => ({
    horizon_min: n.parse(r.horizon_min), factor: String(r.factor), bucket: (r.bucket as Date).toISOString(), n: n.parse(r.n), ic: nn.parse(r.ic),
  }));
  tick(`IC of ${icBuckets.length} (horizon, factor, bucket) cells`);

  // mean IC, IR = mean / std over buckets, t = mean / (std / √buckets), hit rate = share of buckets with IC > 0
  const { rows: sumRows } = await db.query(
    `select horizon_min, factor, count(ic)::int as buckets, sum(n) filter (where ic is not null)::int as events,
       avg(ic) as mean_ic, stddev_samp(ic) as std_ic,
       avg(ic) / nullif(stddev_samp(ic), 0) as ir,
       avg(ic) / nullif(stddev_samp(ic) / sqrt(count(ic)), 0) as t_stat,
       avg((ic > 0)::int::float8) as hit_rate
     from watchlist.research_ic($1, $2, $3, $4, $5, $6) group by 1, 2 order by 1, 2`,
    [...args, o.bucketMin, o.minBucketN],
  );
  const icSummary: IcSummaryRow[] = sumRows.map((r: Record<string, unknown>) => ({
    horizon_min: n.parse(r.horizon_min), factor: String(r.factor), buckets: n.parse(r.buckets), events: n.parse(r.events ?? 0),
    mean_ic: nn.parse(r.mean_ic), std_ic: nn.parse(r.std_ic), ir: nn.parse(r.ir), t_stat: nn.parse(r.t_stat), hit_rate: nn.parse(r.hit_rate),
  }));
  tick('IC summary');

  const { rows: qRows } = await db.query(
    `select horizon_min, factor, quantile, n, lo, hi, mean_pnl, win_rate from watchlist.research_quantiles($1, $2, $3, $4, $5)`,
    [...args, q],
  );
  const quantiles = qRows.map((r: Record<string, unknown>) => ({
    horizon_min: n.parse(r.horizon_min), factor: String(r.factor), quantile: n.parse(r.quantile), n: n.parse(r.n),
    lo: n.parse(r.lo), hi: n.parse(r.hi), mean_pnl: n.parse(r.mean_pnl), win_rate: n.parse(r.win_rate),
  }));
  tick('quantile returns');

  const { rows: rules } = await db.query(`select watchlist.cfg_num('trade.pnl_hat_min') as pnl_hat_min, watchlist.cfg_num('trade.win_prob_min') as win_prob_min,
      watchlist.cfg_num('trade.cooldown_min') as cooldown_min, watchlist.cfg_num('trade.max_active') as max_active, watchlist.cfg_num('trade.daily_cap') as daily_cap`);
  const gate = { pnlHatMin: n.parse(rules[0].pnl_hat_min), winProbMin: n.parse(rules[0].win_prob_min), cooldownMin: n.parse(rules[0].cooldown_min), maxActive: n.parse(rules[0].max_active), dailyCap: n.parse(rules[0].daily_cap) };
  const { rows: dRows } = await db.query(
    `select event_id, symbol, short_ex, long_ex, start_ts, horizon_min, pnl_total, pnl_hat, win_prob
     from watchlist.model_dataset($1, $2, $3, $4) order by start_ts, event_id`,
    args,
  );
  const strategy: SimSummary[] = [];
  const tradeRows: Record<string, unknown>[] = [];
  for (const h of o.horizons) {
    const cands: Candidate[] = dRows.filter((r: { horizon_min: number }) => r.horizon_min === h).map((r: Record<string, unknown>) => ({
      eventId: n.parse(r.event_id), symbol: String(r.symbol), shortEx: String(r.short_ex), longEx: String(r.long_ex),
      t: (r.start_ts as Date).getTime(), horizonMin: h, pnlHat: nn.parse(r.pnl_hat), winProb: nn.parse(r.win_prob), pnlTotal: n.parse(r.pnl_total),
    }));
    const sim = simulate(cands, gate);
    strategy.push({ horizonMin: h, ...sim.summary });
    for (const t of sim.trades) {
      tradeRows.push({ horizon_min: h, event_id: t.eventId, t: new Date(t.t).toISOString(), symbol: t.symbol, short_ex: t.shortEx, long_ex: t.longEx,
        pnl_hat: t.pnlHat, win_prob: t.winProb, pnl_total: t.pnlTotal, cum_pnl: t.cumPnl });
    }
  }
  const events = new Set(dRows.map((r: { event_id: unknown }) => String(r.event_id))).size;
  tick(`gate replayed on ${dRows.length} outcomes`);

  const mainH = o.horizons.includes(240) ? 240 : o.horizons[0];
  const charts: Record<string, string> = {
    ic_mean: await renderSvg(icMeanSpec(icSummary)),
    ic_by_bucket: await renderSvg(icSeriesSpec(icBuckets, mainH)),
    quantile_returns: await renderSvg(quantileSpec(quantiles, mainH)),
    strategy_equity: await renderSvg(equitySpec(tradeRows as { horizon_min: number; t: string; cum_pnl: number }[])),
  };
  tick('charts');

  const params = { days: o.days, from: from.toISOString(), until: until.toISOString(), horizons: o.horizons, signal_types: o.signalTypes,
    bucket_min: o.bucketMin, min_bucket_n: o.minBucketN, quantiles: q, gate };
  const { rows: models } = await db.query(
    `select signal_type, horizon_min, version, is_prior, oos_r2, oos_ic, calib_error from watchlist.pnl_model
     where active and signal_type = any ($1::text[]) and horizon_min = any ($2::int[]) order by 1, 2`,
    [o.signalTypes, o.horizons],
  );
  const md = [
    `# IC/IR and backtest report`,
    ``,
    `Events of type ${o.signalTypes.join(', ')} decided ${from.toISOString()} – ${until.toISOString()} (${o.days} days): ` +
      `${events} events with outcomes, ${dRows.length} (event, horizon) rows. Factors are the raw row at each event's decision time ` +
      `(start_ts); the label is future_outcome.pnl_total. IC is Spearman per ${o.bucketMin}-minute bucket of decision time ` +
      `(buckets with fewer than ${o.minBucketN} events left out); IR = mean IC / std IC; t = mean / (std / √buckets); ` +
      `hit rate = share of buckets with IC > 0. Overlapping horizons make neighbouring buckets correlated: read t with care.`,
    ``,
    `## IC summary`,
    ``,
    mdTable(['horizon', 'factor', 'buckets', 'events', 'mean IC', 'std IC', 'IR', 't', 'hit rate'],
      icSummary.map((r) => [r.horizon_min, r.factor, r.buckets, r.events, f4(r.mean_ic), f4(r.std_ic), f4(r.ir), f4(r.t_stat), pct(r.hit_rate)])),
    ``,
    `![mean IC](ic_mean.svg)`,
    ``,
    `![IC by bucket](ic_by_bucket.svg)`,
    ``,
    `## Quantile returns (mean pnl_total by factor ${q}-tile)`,
    ``,
    mdTable(['horizon', 'factor', 'quantile', 'n', 'from', 'to', 'mean pnl', 'win rate'],
      quantiles.map((r) => [r.horizon_min, r.factor, r.quantile, r.n, f4(r.lo), f4(r.hi), f4(r.mean_pnl), pct(r.win_rate)])),
    ``,
    `![quantile returns](quantile_returns.svg)`,
    ``,
    `## Simulated gate on outcomes`,
    ``,
    `Admit when the recorded pnl_hat > ${gate.pnlHatMin} and win_prob > ${gate.winProbMin}; one trade per symbol; cooldown ` +
      `${gate.cooldownMin} min per symbol and venue pair after the trade ends; at most ${gate.maxActive} at once and ${gate.dailyCap} per UTC day. ` +
      `Each trade is held to the horizon and earns pnl_total there (no take-profit; fees only as far as pnl_total holds them).`,
    ``,
    mdTable(['horizon', 'candidates', 'trades', 'win rate', 'mean pnl', 'total pnl', 'max drawdown'],
      strategy.map((s) => [s.horizonMin, s.candidates, s.trades, pct(s.winRate), f4(s.meanPnl), f4(s.totalPnl), f4(s.maxDrawdown)])),
    ``,
    `![equity](strategy_equity.svg)`,
    ``,
    `## Active models`,
    ``,
    mdTable(['type', 'horizon', 'version', 'prior', 'OOS R²', 'OOS IC', 'calibration error'],
      models.map((m: Record<string, unknown>) => [String(m.signal_type), n.parse(m.horizon_min), String(m.version), m.is_prior ? 'yes' : 'no',
        f4(nn.parse(m.oos_r2)), f4(nn.parse(m.oos_ic)), f4(nn.parse(m.calib_error))])),
    ``,
  ].join('\n');

  await mkdir(o.out, { recursive: true });
  const files: Record<string, string> = {
    'report.md': md,
    'ic_by_bucket.csv': csv(icBuckets, ['horizon_min', 'factor', 'bucket', 'n', 'ic']),
    'ic_summary.csv': csv(icSummary as unknown as Record<string, unknown>[], ['horizon_min', 'factor', 'buckets', 'events', 'mean_ic', 'std_ic', 'ir', 't_stat', 'hit_rate']),
    'quantile_returns.csv': csv(quantiles, ['horizon_min', 'factor', 'quantile', 'n', 'lo', 'hi', 'mean_pnl', 'win_rate']),
    'strategy_trades.csv': csv(tradeRows, ['horizon_min', 'event_id', 't', 'symbol', 'short_ex', 'long_ex', 'pnl_hat', 'win_prob', 'pnl_total', 'cum_pnl']),
    'strategy_summary.csv': csv(strategy as unknown as Record<string, unknown>[], ['horizonMin', 'candidates', 'trades', 'winRate', 'meanPnl', 'totalPnl', 'maxDrawdown']),
    ...Object.fromEntries(Object.entries(charts).map(([k, v]) => [`${k}.svg`, v])),
  };
  for (const [name, body] of Object.entries(files)) await writeFile(path.join(o.out, name), body);
  const { rows: ins } = await db.query(
    `insert into watchlist.research_report (params, summary, markdown, charts) values ($1, $2, $3, $4) returning id`,
    [JSON.stringify(params), JSON.stringify({ ic_summary: icSummary, quantiles, strategy, models, events }), md, JSON.stringify(charts)],
  );
  tick(`written to ${o.out}`);
  return { id: n.parse(ins[0].id), files: Object.keys(files).map((f) => path.join(o.out, f)), icSummary, icBuckets, quantiles, strategy, events };
}
