// /live_trading: what is open, what it is worth now, what the venues hold, and the
// trader's levers. Reads GraphQL only; live through subscriptions.
import { createChart, createSeriesMarkers, LineSeries, LineStyle } from '/vendor/lightweight-charts.mjs';
import {
  bps, dash, duration, el, eventRef, gql, header, openedOn, pct, qty, renderTable, showError, signed, subscribe, timeCell, tradeRef, usdt, utc,
} from '/pages/common.js';
import { LIVE_SUBSCRIPTION, ERROR_SUBSCRIPTION, MAIN_QUERY, MANUAL_TRADE, REQUEST_CLOSE, SET_KILL_SWITCH, samplesQuery } from '/pages/live_queries.js';

const $ = (id) => document.getElementById(id);
const MANUAL_SYMBOL = 'BTC/USDT:USDT';
const MANUAL_NOTIONAL = '20';
const SAMPLE_BATCH = 10;
let isTrader = false;
let last = null;
const charts = new Map(); // signal id → { chart, series, card }

const badge = (s) => el('span', { class: `badge ${s ?? ''}` }, s ?? dash);
const pair = (t) => el('span', {}, el('span', { class: 'neg', title: 'short' }, t.legShortExchange ?? '?'), ' / ', el('span', { class: 'pos', title: 'long' }, t.legLongExchange ?? '?'));
/** the prediction a trade was opened on, labelled with where it came from (gate or re-check) */
const predCell = (t, withWin = true) => {
  const p = openedOn(t);
  return el('span', { title: `${p.by} prediction` }, withWin ? `${bps(p.pnl)} · ${pct(p.win, 1)} ` : `${bps(p.pnl)} `, el('small', {}, p.by));
};

function renderActive(rows) {
  $('active-count').textContent = String(rows.length);
  renderTable($('active'), [
    { label: 'Trade', cell: (t) => tradeRef(t.rowId) },
    { label: 'Symbol', cell: (t) => el('b', {}, t.symbol) },
    { label: 'Short / long', cell: pair },
    { label: 'Opened', cell: (t) => timeCell(t.openedAt ?? t.createdAt) },
    { label: 'Predicted pnl · win (opened on)', cell: (t) => predCell(t), class: 'num' },
    { label: 'Entry spread', cell: (t) => bps(t.entrySpread), class: 'num' },
    { label: 'Exit spread now', cell: (t) => bps(t.latestSample?.spread), class: 'num' },
    { label: 'pnl_est', cell: (t) => signed(bps(t.latestSample?.pnlEst), t.latestSample?.pnlEst), class: 'num' },
    { label: 'pnl_est (USDT)', cell: (t) => (t.latestSample?.pnlEst == null || t.notionalUsdt == null ? dash : signed(usdt(t.latestSample.pnlEst * t.notionalUsdt, { unit: false }), t.latestSample.pnlEst * t.notionalUsdt, 0.01)), class: 'num' },
    { label: 'Take-profit when pnl_est ≥', cell: (t) => bps(t.takeProfitPnl), class: 'num' },
    { label: 'i.e. exit spread ≤', cell: (t) => bps(t.takeProfitSpread), class: 'num' },
    { label: 'Held', cell: (t) => duration(t.heldSeconds), class: 'num' },
    { label: 'Status', cell: (t) => badge(t.status) },
    { label: '', cell: (t) => el('button', {
        class: 'danger close-trade', disabled: !isTrader || t.status !== 'open', 'data-id': t.rowId,
        title: isTrader ? 'close both legs at market' : 'needs the trader credential',
        onclick: () => closeTrade(t),
      }, 'Close') },
  ], rows, { empty: 'no active trades' });
}

function renderClosed(rows) {
  renderTable($('closed'), [
    { label: 'Trade', cell: (t) => tradeRef(t.rowId) },
    { label: 'Symbol', cell: (t) => t.symbol },
    { label: 'Short / long', cell: pair },
    { label: 'Closed', cell: (t) => timeCell(t.closedAt ?? t.liveTradeExitBySignalId?.closedAt) },
    { label: 'Exit', cell: (t) => t.liveTradeExitBySignalId?.reason ?? t.reason ?? dash },
    { label: 'Predicted (opened on)', cell: (t) => predCell(t, false), class: 'num' },
    { label: 'Realised', cell: (t) => signed(bps(t.liveTradeExitBySignalId?.realizedPnlFrac), t.liveTradeExitBySignalId?.realizedPnlFrac), class: 'num' },
    { label: 'Realised (USDT)', cell: (t) => signed(usdt(t.liveTradeExitBySignalId?.realizedPnlUsdt, { unit: false }), t.liveTradeExitBySignalId?.realizedPnlUsdt), class: 'num' },
    { label: 'Status', cell: (t) => badge(t.status) },
  ], rows, { empty: 'none yet' });
}

function renderPositions(d) {
  const key = (v, s) => `${v}\u0000${s}`;
  const m = new Map();
  for (const p of d.positions.nodes) m.set(key(p.venue, p.symbol), { venue: p.venue, symbol: p.symbol, venueSize: Number(p.sizeBase), pos: p, expected: 0 });
  for (const e of d.expected.nodes) {
    const k = key(e.venue, e.symbol);
    const r = m.get(k) ?? { venue: e.venue, symbol: e.symbol, venueSize: 0, pos: null, expected: 0 };
    r.expected = Number(e.expectedSizeBase ?? 0);
    m.set(k, r);
  }
  const rows = [...m.values()]
    .filter((r) => r.venueSize !== 0 || r.expected !== 0)
    .sort((a, b) => a.venue.localeCompare(b.venue) || a.symbol.localeCompare(b.symbol));
  const tol = (r) => 1e-9 * Math.max(1, Math.abs(r.expected), Math.abs(r.venueSize));
  const mismatch = (r) => Math.abs(r.venueSize - r.expected) > tol(r);
  renderTable($('positions'), [
    { label: 'Venue', cell: (r) => r.venue },
    { label: 'Symbol', cell: (r) => r.symbol },
    { label: 'Venue reports (base)', cell: (r) => signed(qty(r.venueSize), r.venueSize), class: 'num' },
    { label: 'DB expects (base)', cell: (r) => signed(qty(r.expected), r.expected), class: 'num' },
    { label: 'Diff (base)', cell: (r) => (mismatch(r) ? el('b', { class: 'neg' }, qty(r.venueSize - r.expected)) : el('span', { class: 'muted' }, '0')), class: 'num' },
    { label: 'Entry (USDT)', cell: (r) => (r.pos?.entryPrice ? qty(r.pos.entryPrice) : dash), class: 'num' },
    { label: 'uPnL (USDT)', cell: (r) => signed(usdt(r.pos?.unrealizedPnl, { unit: false }), r.pos?.unrealizedPnl, 0.01), class: 'num' },
    { label: 'Fetched', cell: (r) => timeCell(r.pos?.fetchedAt) },
  ], rows, { empty: 'flat everywhere', rowClass: (r) => (mismatch(r) ? 'mismatch' : undefined) });
}

function renderHealth(d) {
  renderTable($('health'), [
    { label: 'Venue', cell: (h) => h.venue },
    { label: 'State', cell: (h) => badge(h.status) },
    { label: 'Errors in a row', cell: (h) => h.consecutiveErrors, class: 'num' },
    { label: 'Back-off until', cell: (h) => (h.backoffUntil && Date.parse(h.backoffUntil) > Date.now() ? timeCell(h.backoffUntil) : el('span', { class: 'muted' }, dash)) },
    { label: 'Last ok', cell: (h) => timeCell(h.lastOkAt) },
    { label: 'Last error', cell: (h) => (h.lastError ? el('span', { title: h.lastError }, h.lastError.slice(0, 60)) : dash), class: 'wrap' },
  ], d.health.nodes, { empty: 'no venue calls yet' });
  const stale = (t) => !t.latestSample || Date.now() - Date.parse(t.latestSample.ts) > 3 * 60_000;
  renderTable($('samples-health'), [
    { label: 'Trade', cell: (t) => el('span', {}, tradeRef(t.rowId), ` ${t.symbol}`) },
    { label: 'Last sample', cell: (t) => timeCell(t.latestSample?.ts) },
    { label: 'Sampler', cell: (t) => (t.status !== 'open' ? el('span', { class: 'muted' }, t.status) : stale(t) ? el('b', { class: 'warn' }, 'late') : el('span', { class: 'pos' }, 'ok')) },
  ], d.active.nodes, { empty: 'no trades to monitor' });
}

function renderOrders(rows) {
  renderTable($('orders'), [
    { label: '#', cell: (o) => o.rowId, class: 'num' },
    { label: 'Trade', cell: (o) => (o.signalId ? tradeRef(o.signalId) : o.manualOrderId ? `manual #${o.manualOrderId}` : dash) },
    { label: 'Purpose', cell: (o) => `${o.purpose}${o.leg ? ` · ${o.leg}` : ''}` },
    { label: 'Venue', cell: (o) => o.exchange },
    { label: 'Symbol', cell: (o) => o.symbol },
    { label: 'Side', cell: (o) => el('span', { class: o.side === 'buy' ? 'pos' : 'neg' }, o.side + (o.reduceOnly ? ' (reduce)' : '')) },
    { label: 'Amount (base)', cell: (o) => qty(o.amount), class: 'num' },
    { label: 'Notional (USDT)', cell: (o) => usdt(o.notionalUsdt, { unit: false }), class: 'num' },
    { label: 'Status', cell: (o) => badge(o.status) },
    { label: 'Filled (base)', cell: (o) => qty(o.filledQty), class: 'num' },
    { label: 'Avg price (USDT)', cell: (o) => qty(o.avgPrice), class: 'num' },
    { label: 'Fee', cell: (o) => (o.fee == null ? dash : `${qty(o.fee)} ${o.feeCurrency ?? ''}`), class: 'num' },
    { label: 'Venue order id', cell: (o) => o.exchangeOrderId ?? el('span', { class: 'muted' }, o.clientOrderId) },
    { label: 'Updated', cell: (o) => timeCell(o.updatedAt ?? o.submittedAt) },
    { label: 'Error', cell: (o) => o.error ?? '', class: 'wrap' },
  ], rows, { empty: 'no orders yet' });
}

function renderManualOrders(rows) {
  renderTable($('manual-orders'), [
    { label: '#', cell: (m) => m.rowId, class: 'num' },
    { label: 'At', cell: (m) => timeCell(m.createdAt) },
    { label: 'Venue · symbol', cell: (m) => el('span', {}, m.venue, el('br'), el('small', {}, m.symbol)) },
    { label: 'Action', cell: (m) => m.action.replace('_', ' ') },
    { label: 'Notional', cell: (m) => usdt(m.notionalUsdt), class: 'num' },
    { label: 'Status', cell: (m) => badge(m.status) },
    { label: 'By', cell: (m) => m.actor ?? dash },
    { label: 'Error', cell: (m) => m.error ?? '', class: 'wrap' },
  ], rows, { empty: 'none' });
}

function renderSignals(d) {
  $('signals-count').textContent = `${d.recentSignals.totalCount} total`;
  renderTable($('signals'), [
    { label: 'Signal', cell: (s) => tradeRef(s.rowId) },
    { label: 'Event', cell: (s) => eventRef(s.eventId) },
    { label: 'At', cell: (s) => timeCell(s.createdAt) },
    { label: 'Symbol · short / long', cell: (s) => el('span', {}, s.symbol, el('br'), pair(s)) },
    { label: 'Gate pnl_hat · win', cell: (s) => (s.pnlHat == null ? dash : `${bps(s.pnlHat, 0)} · ${pct(s.winProb, 0)}`), class: 'num' },
    { label: 'Status', cell: (s) => badge(s.status) },
    { label: 'Ignore reason', cell: (s) => (s.status === 'ignored' ? s.reason ?? dash : el('span', { class: 'muted' }, s.reason ?? '')), class: 'wrap' },
  ], d.recentSignals.nodes, { empty: 'no signals yet' });
}

function renderErrors(rows) {
  renderTable($('errors'), [
    { label: 'At', cell: (e) => timeCell(e.ts) },
    { label: 'Stage', cell: (e) => e.stage },
    { label: 'Venue', cell: (e) => e.venue ?? dash },
    { label: 'Trade', cell: (e) => (e.signalId ? tradeRef(e.signalId) : dash) },
    { label: 'Error', cell: (e) => el('span', {}, e.errorClass ? el('b', {}, `${e.errorClass}: `) : '', e.message), class: 'wrap' },
  ], rows, { empty: 'no errors' });
}

function renderControls(d) {
  const level = Number(d.killSwitch?.value ?? 0);
  const ks = $('kill-state');
  ks.textContent = level === 0 ? 'off' : level === 1 ? '1 · no new entries' : '2 · flatten all';
  ks.className = level === 0 ? 'pos' : 'neg';
  // how each venue trades (watchlist.venue_mode, written by the worker at start)
  $('venue-modes').replaceChildren('Venues: ', ...d.venueModes.nodes.flatMap((m, i) => [
    i ? ' · ' : '',
    el('span', { class: `venue-mode ${m.mode}`, title: m.marketsLoaded ? '' : 'markets not loaded at start' }, `${m.venue} ${m.mode}${m.marketsLoaded ? '' : ' (!)'}`),
  ]));
  // attach mode (README "Attach to an existing watchlist"): the writer's events are traded
  $('ingest-mode').textContent = d.attach?.value === true ? 'attached to the watchlist writer' : 'standalone';
  const venues = Array.isArray(d.venues?.value) ? d.venues.value : [];
  const known = new Set([...venues, ...d.health.nodes.map((h) => h.venue), ...d.positions.nodes.map((p) => p.venue)]);
  const sel = $('venue');
  const current = sel.value;
  const names = [...known].sort();
  if (sel.options.length !== names.length || names.some((n, i) => sel.options[i]?.value !== n)) {
    sel.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    if (names.includes(current)) sel.value = current;
  }
  applyRole();
}

function applyRole() {
  for (const b of document.querySelectorAll('#manual button')) {
    b.disabled = !isTrader;
    b.title = isTrader ? '' : 'needs the trader credential (token field above)';
  }
  $('venue').disabled = !isTrader;
  $('manual-note').textContent = isTrader ? 'trading as trader — every action is confirmed and audited' : 'read-only: enter the trader token to enable';
  for (const b of document.querySelectorAll('button.close-trade')) b.disabled = !isTrader || b.closest('tr')?.querySelector('.badge')?.textContent !== 'open';
}

// ---- charts -----------------------------------------------------------------
const sec = (ts) => Math.floor(Date.parse(ts) / 1000);

function chartFor(t) {
  let c = charts.get(t.rowId);
  if (c) return c;
  const box = el('div', { class: 'chart', id: `chart-${t.rowId}` });
  const note = el('span', { class: 'muted' });
  const title = el('h3', {}, tradeRef(t.rowId), ` ${t.symbol} `, pair(t), ' ', note);
  const card = el('div', { class: 'chart-card', 'data-id': t.rowId }, title, box);
  $('charts').append(card);
  const chart = createChart(box, {
    autoSize: true,
    layout: { background: { color: '#161c23' }, textColor: '#d8dee6', fontSize: 11 },
    grid: { vertLines: { color: '#222a33' }, horzLines: { color: '#222a33' } },
    timeScale: { timeVisible: true, secondsVisible: false },
    rightPriceScale: { borderColor: '#27303a' },
    localization: { priceFormatter: (p) => `${p.toFixed(1)} bps` },
  });
  // keep the entry and take-profit lines in view, not just the samples
  const levels = [];
  const series = chart.addSeries(LineSeries, {
    color: '#4c9aff', lineWidth: 2, title: 'exit spread',
    autoscaleInfoProvider: (original) => {
      const r = original();
      if (!r || !levels.length) return r;
      return { ...r, priceRange: { minValue: Math.min(r.priceRange.minValue, ...levels), maxValue: Math.max(r.priceRange.maxValue, ...levels) } };
    },
  });
  // the exact exit threshold per sample (its fees and funding): sql/graphql.sql take_profit_spread
  const tpSeries = chart.addSeries(LineSeries, { color: '#3fb67a', lineWidth: 1, lineStyle: LineStyle.Dashed, title: 'take-profit ≤', lastValueVisible: true, priceLineVisible: false });
  const markers = createSeriesMarkers(series, []);
  c = { chart, series, tpSeries, markers, card, note, levels, lines: [] };
  charts.set(t.rowId, c);
  return c;
}

function drawTrade(t, samples) {
  const c = chartFor(t);
  const points = [];
  const tp = [];
  for (const s of [...samples].reverse()) {
    const time = sec(s.ts);
    if (s.spread == null || (points.length && time <= points.at(-1).time)) continue;
    points.push({ time, value: s.spread * 1e4 });
    if (s.takeProfitSpread != null) tp.push({ time, value: s.takeProfitSpread * 1e4 });
  }
  c.series.setData(points);
  c.tpSeries.setData(tp);
  for (const l of c.lines) c.series.removePriceLine(l);
  c.lines = [];
  c.levels.length = 0;
  for (const v of [t.entrySpread, t.takeProfitSpread]) if (v != null) c.levels.push(v * 1e4);
  if (t.entrySpread != null) c.lines.push(c.series.createPriceLine({ price: t.entrySpread * 1e4, color: '#9aa5b1', lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'entry' }));
  // before the first sample there is no take-profit series: the threshold the monitor would use
  if (t.takeProfitSpread != null && !tp.length) c.lines.push(c.series.createPriceLine({ price: t.takeProfitSpread * 1e4, color: '#3fb67a', lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'take-profit ≤' }));
  const marks = [];
  const first = points[0]?.time;
  if (t.openedAt && first) marks.push({ time: Math.max(first, sec(t.openedAt)), position: 'inBar', color: '#9aa5b1', shape: 'circle' }); // labelled by the entry line
  const exitAt = t.closedAt ?? t.liveTradeExitBySignalId?.closedAt;
  if (exitAt && points.length) {
    const time = points.reduce((best, p) => (Math.abs(p.time - sec(exitAt)) < Math.abs(best - sec(exitAt)) ? p.time : best), points[0].time);
    marks.push({ time, position: 'belowBar', color: '#e5534b', shape: 'arrowUp', text: `exit ${t.liveTradeExitBySignalId?.reason ?? ''}`.trim() });
  }
  c.markers.setMarkers(marks.sort((a, b) => a.time - b.time));
  c.note.textContent = points.length ? `· ${points.length} samples` : '· no samples yet';
  c.chart.timeScale().fitContent();
}

async function loadCharts(trades) {
  for (const [id, c] of charts) {
    if (!trades.some((t) => t.rowId === id)) {
      c.chart.remove();
      c.card.remove();
      charts.delete(id);
    }
  }
  if (!trades.length) {
    $('charts').replaceChildren(el('div', { class: 'muted empty' }, 'no active trades'));
    return;
  }
  $('charts').querySelector('.empty')?.remove();
  // a day of minutes per trade: batches of SAMPLE_BATCH keep each request inside the server's cost budget
  const data = {};
  for (let i = 0; i < trades.length; i += SAMPLE_BATCH) {
    Object.assign(data, await gql(samplesQuery(trades.slice(i, i + SAMPLE_BATCH).map((t) => t.rowId))));
  }
  for (const t of trades) drawTrade(t, data[`t${t.rowId}`]?.nodes ?? []);
}

// ---- data -------------------------------------------------------------------
let loading = null;
let again = false;
async function load() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    try {
      const d = await gql(MAIN_QUERY);
      last = d;
      isTrader = d.viewerRole === 'wl_trader';
      renderActive(d.active.nodes);
      renderClosed(d.closed.nodes);
      renderPositions(d);
      renderHealth(d);
      renderOrders(d.orders.nodes);
      renderManualOrders(d.manualOrders.nodes);
      renderSignals(d);
      renderErrors(d.errors.nodes);
      renderControls(d);
      await loadCharts(d.active.nodes);
      $('updated').textContent = `updated ${utc(new Date().toISOString())}`;
    } catch (e) {
      showError($('active'), e);
    }
  })();
  await loading;
  loading = null;
  if (again) {
    again = false;
    await load();
  }
}

let timer = null;
const reloadSoon = () => {
  clearTimeout(timer);
  timer = setTimeout(load, 150);
};

// Every live_trade NOTIFY (status, sample, order, exit, config, manual order) carries
// ids only: re-read the page's query (debounced), which also redraws the charts.
const onLiveTrade = ({ liveTrade: e }) => e && reloadSoon();

// ---- actions ----------------------------------------------------------------
async function act(label, run) {
  const out = $('manual-result');
  if (!confirm(`${label}?`)) return;
  out.textContent = `${label}: sending…`;
  try {
    const r = await run();
    out.replaceChildren(el('span', { class: 'pos' }, `${label}: accepted (${r})`));
  } catch (e) {
    out.replaceChildren(el('span', { class: 'neg' }, `${label}: ${e.message}`));
  }
  reloadSoon();
}

function manual(action) {
  const venue = $('venue').value;
  const label = `BTC ${action.replace('_', ' ')} ${MANUAL_NOTIONAL}U on ${venue}`;
  return act(label, async () => {
    const d = await gql(MANUAL_TRADE, { venue, symbol: MANUAL_SYMBOL, action, notional: MANUAL_NOTIONAL });
    return `manual order #${d.manualTrade.result}`;
  });
}

function closeTrade(t) {
  return act(`Close trade #${t.rowId} ${t.symbol} (${t.legShortExchange} / ${t.legLongExchange})`, async () => {
    const d = await gql(REQUEST_CLOSE, { id: t.rowId });
    return `exit #${d.requestClose.result}`;
  });
}

function killSwitch(level) {
  const labels = { 0: 'Turn the kill switch OFF', 1: 'Kill switch 1: stop new entries', 2: 'Kill switch 2: stop entries and FLATTEN every open trade' };
  return act(labels[level], async () => {
    const d = await gql(SET_KILL_SWITCH, { level, note: 'live_trading page' });
    return `level ${d.setKillSwitch.result}`;
  });
}

document.addEventListener('DOMContentLoaded', async () => {
  for (const b of document.querySelectorAll('#manual button[data-action]')) b.addEventListener('click', () => manual(b.dataset.action));
  for (const b of document.querySelectorAll('#manual button[data-kill]')) b.addEventListener('click', () => killSwitch(Number(b.dataset.kill)));
  await header('/live_trading', (trader) => {
    isTrader = trader;
    if (last) applyRole();
    reloadSoon();
  });
  await load();
  subscribe(LIVE_SUBSCRIPTION, onLiveTrade);
  subscribe(ERROR_SUBSCRIPTION, reloadSoon);
  setInterval(load, 30_000); // held times, back-off expiry, and anything a NOTIFY did not cover
});
