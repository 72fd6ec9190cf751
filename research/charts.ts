// Vega-Lite specs of the report's charts, rendered to SVG in Node (vega's headless
// View; no browser, no canvas).
type Row = Record<string, unknown>;
type Spec = Record<string, unknown>;

const base = (title: string, values: Row[]): Spec => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title,
  data: { values },
  config: { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 260 }, legend: { labelLimit: 260 } },
});

export async function renderSvg(spec: Spec): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** mean IC per factor, one bar per horizon, with the IR in the tooltip-free label */
export const icMeanSpec = (rows: { horizon_min: number; factor: string; mean_ic: number | null }[]): Spec => ({
  ...base('Mean Spearman IC by factor and horizon', rows.filter((r) => r.mean_ic !== null)),
  width: 520,
  height: 240,
  mark: 'bar',
  encoding: {
    y: { field: 'factor', type: 'nominal', title: null },
    yOffset: { field: 'horizon_min', type: 'nominal' },
    x: { field: 'mean_ic', type: 'quantitative', title: 'mean IC', scale: { domain: [-1, 1] } },
    color: { field: 'horizon_min', type: 'nominal', title: 'horizon (min)' },
  },
});

export const icSeriesSpec = (rows: { horizon_min: number; factor: string; bucket: string; ic: number | null }[], horizon: number): Spec => ({
  ...base(`IC per time bucket, horizon ${horizon} min`, rows.filter((r) => r.horizon_min === horizon && r.ic !== null)),
  width: 560,
  height: 240,
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'bucket', type: 'temporal', title: 'decision time bucket (UTC)' },
    y: { field: 'ic', type: 'quantitative', title: 'Spearman IC', scale: { domain: [-1, 1] } },
    color: { field: 'factor', type: 'nominal' },
  },
});

export const quantileSpec = (rows: { horizon_min: number; factor: string; quantile: number; mean_pnl: number }[], horizon: number): Spec => ({
  ...base(`Mean pnl_total by factor quintile, horizon ${horizon} min`, rows.filter((r) => r.horizon_min === horizon)),
  mark: 'bar',
  encoding: {
    column: { field: 'factor', type: 'nominal', title: null, header: { labelAngle: 0, labelFontSize: 9 } },
    x: { field: 'quantile', type: 'ordinal', title: 'quintile (1 = lowest)' },
    y: { field: 'mean_pnl', type: 'quantitative', title: 'mean pnl_total' },
    color: { condition: { test: 'datum.mean_pnl < 0', value: '#c0392b' }, value: '#2e86c1' },
  },
  width: 90,
  height: 200,
});

export const equitySpec = (rows: { horizon_min: number; t: string; cum_pnl: number }[]): Spec => ({
  ...base('Simulated gate: cumulative pnl_total of admitted trades', rows),
  width: 560,
  height: 240,
  mark: { type: 'line', interpolate: 'step-after', point: true },
  encoding: {
    x: { field: 't', type: 'temporal', title: 'decision time (UTC)' },
    y: { field: 'cum_pnl', type: 'quantitative', title: 'cumulative pnl (fraction of notional)' },
    color: { field: 'horizon_min', type: 'nominal', title: 'horizon (min)' },
  },
});
