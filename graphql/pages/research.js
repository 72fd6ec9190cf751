// /research: the newest stored `wl report ic` (research_report) and the calibration of
// live trades (v_trade_calibration). Reads GraphQL only. Charts are SVG rendered by the
// report command; they are shown as images (data: URLs), so nothing in them can run.
import { dash, el, gql, header, pct, renderTable, showError, utc } from '/pages/common.js';

const $ = (id) => document.getElementById(id);
const f4 = (x) => (x === null || x === undefined || !Number.isFinite(Number(x)) ? dash : Number(x).toFixed(4));
const ratio = (x) => (x === null || x === undefined ? dash : pct(x, 1));

const QUERY = `{
  reports: allResearchReports(orderBy: PRIMARY_KEY_DESC, first: 1) { nodes { rowId createdAt params summary charts } }
  calibration: allVTradeCalibrations(first: 20) {
    nodes { winProbFrom winProbTo trades meanWinProb realizedWinRate meanPnlHat meanRealizedPnlFrac meanOutcomePnlTotal meanError }
  }
}`;

const chart = (svg, alt) => el('img', { class: 'research-chart', alt, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });

async function load() {
  let d;
  try {
    d = await gql(QUERY);
  } catch (e) {
    showError($('report-error'), e);
    return;
  }
  const report = d.reports?.nodes?.[0];
  renderTable($('calibration'), [
    { label: 'win_prob', cell: (r) => `${Number(r.winProbFrom).toFixed(1)}–${Number(r.winProbTo).toFixed(1)}` },
    { label: 'trades', cell: (r) => r.trades, class: 'num' },
    { label: 'mean win_prob', cell: (r) => ratio(r.meanWinProb), class: 'num' },
    { label: 'realised win rate', cell: (r) => ratio(r.realizedWinRate), class: 'num' },
    { label: 'mean pnl_hat', cell: (r) => f4(r.meanPnlHat), class: 'num' },
    { label: 'mean realised', cell: (r) => f4(r.meanRealizedPnlFrac), class: 'num' },
    { label: 'mean outcome', cell: (r) => f4(r.meanOutcomePnlTotal), class: 'num' },
    { label: 'mean error', cell: (r) => f4(r.meanError), class: 'num' },
  ], d.calibration?.nodes ?? [], { empty: 'no finished live trades yet' });
  if (!report) {
    $('report-meta').textContent = 'no report yet: run `wl report ic --days 7 --out reports`';
    return;
  }
  const p = report.params ?? {};
  const s = report.summary ?? {};
  $('report-meta').textContent = `report #${report.rowId} of ${utc(report.createdAt)}`;
  $('params').textContent = `types ${(p.signal_types ?? []).join(', ')} · horizons ${(p.horizons ?? []).join(', ')} min · ` +
    `${p.from ? utc(p.from) : dash} – ${p.until ? utc(p.until) : dash} · ${s.events ?? 0} events · ` +
    `buckets ${p.bucket_min} min (≥ ${p.min_bucket_n} events)`;
  renderTable($('ic-summary'), [
    { label: 'horizon', cell: (r) => r.horizon_min, class: 'num' },
    { label: 'factor', cell: (r) => r.factor },
    { label: 'buckets', cell: (r) => r.buckets, class: 'num' },
    { label: 'events', cell: (r) => r.events, class: 'num' },
    { label: 'mean IC', cell: (r) => f4(r.mean_ic), class: 'num' },
    { label: 'std IC', cell: (r) => f4(r.std_ic), class: 'num' },
    { label: 'IR', cell: (r) => f4(r.ir), class: 'num' },
    { label: 't', cell: (r) => f4(r.t_stat), class: 'num' },
    { label: 'hit rate', cell: (r) => ratio(r.hit_rate), class: 'num' },
  ], s.ic_summary ?? [], { empty: 'no bucket had enough events' });
  renderTable($('quantiles'), [
    { label: 'horizon', cell: (r) => r.horizon_min, class: 'num' },
    { label: 'factor', cell: (r) => r.factor },
    { label: 'quantile', cell: (r) => r.quantile, class: 'num' },
    { label: 'n', cell: (r) => r.n, class: 'num' },
    { label: 'from', cell: (r) => f4(r.lo), class: 'num' },
    { label: 'to', cell: (r) => f4(r.hi), class: 'num' },
    { label: 'mean pnl', cell: (r) => f4(r.mean_pnl), class: 'num' },
    { label: 'win rate', cell: (r) => ratio(r.win_rate), class: 'num' },
  ], s.quantiles ?? []);
  renderTable($('strategy'), [
    { label: 'horizon', cell: (r) => r.horizonMin, class: 'num' },
    { label: 'candidates', cell: (r) => r.candidates, class: 'num' },
    { label: 'trades', cell: (r) => r.trades, class: 'num' },
    { label: 'win rate', cell: (r) => ratio(r.winRate), class: 'num' },
    { label: 'mean pnl', cell: (r) => f4(r.meanPnl), class: 'num' },
    { label: 'total pnl', cell: (r) => f4(r.totalPnl), class: 'num' },
    { label: 'max drawdown', cell: (r) => f4(r.maxDrawdown), class: 'num' },
  ], s.strategy ?? []);
  renderTable($('models'), [
    { label: 'type', cell: (r) => r.signal_type },
    { label: 'horizon', cell: (r) => r.horizon_min, class: 'num' },
    { label: 'version', cell: (r) => r.version },
    { label: 'prior', cell: (r) => (r.is_prior ? 'yes' : 'no') },
    { label: 'OOS R²', cell: (r) => f4(r.oos_r2), class: 'num' },
    { label: 'OOS IC', cell: (r) => f4(r.oos_ic), class: 'num' },
    { label: 'calibration error', cell: (r) => f4(r.calib_error), class: 'num' },
  ], s.models ?? []);
  const c = report.charts ?? {};
  $('charts-ic').replaceChildren(...[c.ic_mean && chart(c.ic_mean, 'mean IC by factor'), c.ic_by_bucket && chart(c.ic_by_bucket, 'IC per bucket')].filter(Boolean));
  $('charts-q').replaceChildren(...[c.quantile_returns && chart(c.quantile_returns, 'quantile returns')].filter(Boolean));
  $('charts-s').replaceChildren(...[c.strategy_equity && chart(c.strategy_equity, 'simulated equity')].filter(Boolean));
}

await header('/research');
await load();
