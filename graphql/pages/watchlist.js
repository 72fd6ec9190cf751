// /watchlist: the pairs the scanner flagged in the last minutes, with their factors
// and predictions per horizon, and a 12h spread chart of a chosen pair with its
// events marked. Reads GraphQL only; new events arrive by subscription.
import { createChart, createSeriesMarkers, LineSeries } from '/vendor/lightweight-charts.mjs';
import { age, bps, dash, el, eventRef, fundingRate, gql, header, pct, renderTable, showError, subscribe, timeCell, tradeRef } from '/pages/common.js';

const $ = (id) => document.getElementById(id);
const WINDOW_MIN = 15; // a pair stays listed this long after its last triggered minute

const LIST_QUERY = `query Watchlist($since: Datetime!) {
  raws: allWatchSignalRaws(filter: { ts: { greaterThanOrEqualTo: $since } }, orderBy: TS_DESC, first: 1000) {
    nodes {
      ts symbol signalType typeClass spreadRel fundingRate nextFundingTime
      range1H range12H volatility slope3M crossings1H driftRatio sweepImpact
      legAExchange legBExchange legAFundingRate legBFundingRate legAFundingIntervalHours legBFundingIntervalHours
      legANextFundingTime legBNextFundingTime meta
    }
  }
  openEvents: allWatchSignalEvents(filter: { status: { equalTo: "open" } }, orderBy: START_TS_DESC, first: 500) {
    nodes { rowId symbol legAExchange legBExchange startTs lastTriggerTs nTriggers }
  }
}`;

const SERIES_QUERY = `query PairSeries($symbol: String!, $short: String!, $long: String!, $since: Datetime!) {
  series: pairSpreadSeries(pSymbol: $symbol, pShortVenue: $short, pLongVenue: $long, pHours: 12, first: 2000) { nodes { ts spread } }
  events: allWatchSignalEvents(
    filter: { symbol: { equalTo: $symbol }, legAExchange: { equalTo: $short }, legBExchange: { equalTo: $long }, startTs: { greaterThanOrEqualTo: $since } }
    orderBy: START_TS_ASC, first: 200
  ) { nodes { rowId signalType startTs endTs status durationSec nTriggers } }
}`;

export const FORCE_ENTER = `mutation ForceEnter($symbol: String!, $short: String!, $long: String!, $note: String) {
  forceEnter(input: { pSymbol: $symbol, pShort: $short, pLong: $long, pNote: $note }) { result }
}`;

let rows = [];
let selected = null;
let isTrader = false;
let chart = null;
let series = null;
let markers = null;

const keyOf = (r) => `${r.symbol}|${r.legAExchange}|${r.legBExchange}`;
const horizonsOf = (list) => [...new Set(list.flatMap((r) => Object.keys(r.meta?.pnl_regression ?? {})))].map(Number).sort((a, b) => a - b);

function predictionCell(r, h) {
  const p = r.meta?.pnl_regression?.[String(h)];
  if (!p || p.pnl_hat == null) return el('span', { class: 'muted', title: p?.reason ?? 'no prediction' }, dash);
  return el('span', { class: p.pnl_hat > 0 ? 'pos' : 'neg', title: p.model_version ? `model ${p.model_version}` : '' }, `${bps(p.pnl_hat, 0)} · ${pct(p.win_prob, 0)}`);
}

function renderList(data) {
  const latest = new Map();
  for (const r of data.raws.nodes) if (!latest.has(keyOf(r))) latest.set(keyOf(r), r); // newest first
  const open = new Map(data.openEvents.nodes.map((e) => [`${e.symbol}|${e.legAExchange}|${e.legBExchange}`, e]));
  rows = [...latest.values()].sort((a, b) => (b.spreadRel ?? 0) - (a.spreadRel ?? 0));
  const horizons = horizonsOf(rows);
  $('wl-count').textContent = String(rows.length);
  $('wl-note').textContent = `pairs flagged in the last ${WINDOW_MIN} minutes · newest minute first per pair`;
  const factor = (label, get, fmt = (v) => (v == null ? dash : Number(v).toFixed(3))) => ({ label, cell: (r) => fmt(get(r)), class: 'num' });
  renderTable($('watchlist'), [
    { label: 'Symbol', cell: (r) => el('b', {}, r.symbol) },
    { label: 'Type', cell: (r) => r.typeClass ?? r.signalType },
    { label: 'Short / long', cell: (r) => el('span', {}, el('span', { class: 'neg' }, r.legAExchange ?? '?'), ' / ', el('span', { class: 'pos' }, r.legBExchange ?? '?')) },
    { label: 'Spread', cell: (r) => bps(r.spreadRel), class: 'num' },
    factor('Range 1h', (r) => r.range1H, (v) => bps(v, 0)),
    factor('Range 12h', (r) => r.range12H, (v) => bps(v, 0)),
    factor('Vol', (r) => r.volatility, (v) => bps(v, 1)),
    factor('Slope 3m', (r) => r.slope3M, (v) => bps(v, 2)),
    factor('Cross 1h', (r) => r.crossings1H, (v) => (v == null ? dash : String(Math.round(v)))),
    factor('Drift', (r) => r.driftRatio, (v) => (v == null ? dash : Number(v).toFixed(2))),
    ...horizons.map((h) => ({ label: `pnl_hat · win ${h}m`, cell: (r) => predictionCell(r, h), class: 'num' })),
    { label: 'Funding short / long (per interval)', cell: (r) => `${fundingRate(r.legAFundingRate, r.legAFundingIntervalHours)} · ${fundingRate(r.legBFundingRate, r.legBFundingIntervalHours)}`, class: 'num' },
    { label: 'Next funding', cell: (r) => { const t = r.nextFundingTime ?? r.legANextFundingTime; return t ? el('span', { title: t }, age(t)) : dash; } },
    { label: 'Event', cell: (r) => { const e = open.get(keyOf(r)); return e ? el('span', {}, eventRef(e.rowId), ' ', el('span', { class: 'badge open' }, `open ${age(e.startTs).replace(' ago', '')}`)) : el('span', { class: 'muted' }, dash); } },
    { label: 'Seen', cell: (r) => timeCell(r.ts) },
    { label: '', cell: (r) => { const e = open.get(keyOf(r)); return el('button', {
        class: 'buy force-enter', 'data-symbol': r.symbol, 'data-short': r.legAExchange, 'data-long': r.legBExchange,
        disabled: !isTrader || !e,
        title: !isTrader ? 'needs the trader credential' : !e ? 'no open event for this pair: nothing to enter on' : `force-enter: short ${r.legAExchange}, long ${r.legBExchange}`,
        onclick: (ev) => { ev.stopPropagation(); void forceEnter(r); },
      }, 'Enter'); } },
  ], rows, { empty: `nothing flagged in the last ${WINDOW_MIN} minutes`, rowClass: (r) => (selected && keyOf(r) === keyOf(selected) ? 'selected' : undefined) });
  const trs = $('watchlist').querySelectorAll('tbody tr');
  rows.forEach((r, i) => {
    trs[i].style.cursor = 'pointer';
    trs[i].addEventListener('click', () => showPair(r));
  });
  if (!selected && rows.length) showPair(rows[0]);
}

async function forceEnter(r) {
  const out = $('enter-result');
  const label = `Force-enter ${r.symbol}: short ${r.legAExchange} / long ${r.legBExchange} (skips the prediction thresholds; the re-check on live books, the pre-send checks and the audit still apply)`;
  if (!confirm(`${label}?`)) return;
  out.textContent = `${r.symbol}: sending…`;
  try {
    const d = await gql(FORCE_ENTER, { symbol: r.symbol, short: r.legAExchange, long: r.legBExchange, note: 'watchlist page' });
    out.replaceChildren(el('span', { class: 'pos' }, `${r.symbol} short ${r.legAExchange} / long ${r.legBExchange}: accepted as `), tradeRef(d.forceEnter.result),
      el('span', { class: 'muted' }, ' (the worker re-checks it on live books; follow it on Live trading)'));
  } catch (e) {
    out.replaceChildren(el('span', { class: 'neg' }, `${r.symbol}: ${e.message}`));
  }
}

async function load() {
  try {
    const since = new Date(Date.now() - WINDOW_MIN * 60_000).toISOString();
    renderList(await gql(LIST_QUERY, { since }));
  } catch (e) {
    showError($('watchlist'), e);
  }
}

async function showPair(r) {
  selected = r;
  for (const tr of $('watchlist').querySelectorAll('tbody tr')) tr.classList.remove('selected');
  $('chart-title').textContent = `${r.symbol} · short ${r.legAExchange} / long ${r.legBExchange} · log(short mid / long mid), bps`;
  chart ??= createChart($('pair-chart'), {
    autoSize: true,
    layout: { background: { color: '#161c23' }, textColor: '#d8dee6', fontSize: 11 },
    grid: { vertLines: { color: '#222a33' }, horzLines: { color: '#222a33' } },
    timeScale: { timeVisible: true, secondsVisible: false },
    localization: { priceFormatter: (p) => `${p.toFixed(1)} bps` },
  });
  series ??= chart.addSeries(LineSeries, { color: '#4c9aff', lineWidth: 2, title: 'spread' });
  markers ??= createSeriesMarkers(series, []);
  try {
    const since = new Date(Date.now() - 12 * 3600_000).toISOString();
    const d = await gql(SERIES_QUERY, { symbol: r.symbol, short: r.legAExchange, long: r.legBExchange, since });
    const points = [];
    for (const p of d.series.nodes) {
      const time = Math.floor(Date.parse(p.ts) / 1000);
      if (p.spread != null && (!points.length || time > points.at(-1).time)) points.push({ time, value: p.spread * 1e4 });
    }
    series.setData(points);
    $('chart-title').textContent = `${r.symbol} · short ${r.legAExchange} / long ${r.legBExchange} · log(short mid / long mid), bps · ${points.length} minutes`;
    const snap = (ts) => {
      const t = Math.floor(Date.parse(ts) / 1000);
      return points.reduce((best, p) => (Math.abs(p.time - t) < Math.abs(best - t) ? p.time : best), points[0]?.time ?? t);
    };
    const marks = [];
    for (const e of points.length ? d.events.nodes : []) {
      marks.push({ time: snap(e.startTs), position: 'aboveBar', color: '#d29922', shape: 'arrowDown', text: `open E#${e.rowId}` });
      if (e.endTs) marks.push({ time: snap(e.endTs), position: 'belowBar', color: '#9aa5b1', shape: 'arrowUp', text: `close E#${e.rowId}` });
    }
    markers.setMarkers(marks.sort((a, b) => a.time - b.time));
    chart.timeScale().fitContent();
    renderTable($('pair-events'), [
      { label: 'Event', cell: (e) => eventRef(e.rowId) },
      { label: 'Type', cell: (e) => e.signalType },
      { label: 'Start', cell: (e) => timeCell(e.startTs) },
      { label: 'End', cell: (e) => timeCell(e.endTs) },
      { label: 'Minutes', cell: (e) => (e.durationSec == null ? dash : Math.round(e.durationSec / 60)), class: 'num' },
      { label: 'Triggers', cell: (e) => e.nTriggers ?? dash, class: 'num' },
      { label: 'Status', cell: (e) => el('span', { class: `badge ${e.status}` }, e.status ?? dash) },
    ], d.events.nodes, { empty: `no events in 12h · ${points.length} spread points` });
  } catch (e) {
    showError($('pair-events'), e);
  }
}

let timer = null;
document.addEventListener('DOMContentLoaded', async () => {
  await header('/watchlist', (trader) => {
    isTrader = trader;
    void load();
  });
  await load();
  subscribe('subscription { watchlistSignal { type eventId symbol } }', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });
  setInterval(load, 60_000); // the scanner writes a minute at a time
});
