// /trade?id=N: one trade from signal to exit: what it was opened on (gate and
// re-check predictions), both legs, every order and fill, its errors, the spread
// samples with the entry, the exact take-profit threshold and the exit, and the
// prediction against what was realised. The chart stays after the close.
import { createChart, createSeriesMarkers, LineSeries, LineStyle } from '/vendor/lightweight-charts.mjs';
import {
  bps, dash, duration, el, eventRef, gql, header, openedOn, pct, qty, renderTable, showError, signed, subscribe, timeCell, tradeRef, usdt, utc,
} from '/pages/common.js';

const $ = (id) => document.getElementById(id);
const PAGE = 2000; // the server's largest page
const MAX_SAMPLES = 20_000; // two weeks of minutes

const TRADE_QUERY = `query Trade($id: BigInt!) {
  t: liveTradeSignalByRowId(rowId: $id) {
    rowId eventId kind symbol signalType status reason createdAt openedAt closedAt heldSeconds horizonMin pnlHat winProb threshold recheck payload
    legShortExchange legLongExchange notionalUsdt leverage entrySpread entryFeesUsdt entryQty takeProfitPnl takeProfitSpread
    liveTradeExitBySignalId { reason requestedAt closedAt spreadPnl feesUsdt fundingUsdt realizedPnlUsdt realizedPnlFrac pnlHat fundingSources feesUnconverted }
    orders: liveTradeOrdersBySignalId(orderBy: ROW_ID_ASC, first: 200) { nodes {
      rowId leg purpose exchange side reduceOnly amount notionalUsdt status filledQty avgPrice fee feeCurrency clientOrderId exchangeOrderId submittedAt updatedAt error attempt } }
    fills: liveTradeFillsBySignalId(orderBy: ROW_ID_ASC, first: 1000) { nodes { rowId orderId exchange tradeId ts price qty fee feeCurrency feeUsdt synthetic } }
  }
  errors: allLiveTradeErrors(filter: { signalId: { equalTo: $id } }, orderBy: TS_DESC, first: 100) { nodes { rowId ts stage venue errorClass message } }
}`;

const SAMPLES_QUERY = `query TradeSamples($id: BigInt!, $first: Int!, $offset: Int!) {
  s: allLiveTradeSpreadSamples(filter: { signalId: { equalTo: $id } }, orderBy: TS_DESC, first: $first, offset: $offset) {
    totalCount nodes { ts spread pnlEst fundingAccrued takeProfitSpread }
  }
}`;

const kv = (target, pairs) => target.replaceChildren(...pairs.flatMap(([k, v, id]) => [el('dt', {}, k), el('dd', { id }, v ?? dash)]));

function renderFacts(t) {
  const g = { pnl: t.pnlHat, win: t.winProb };
  const r = t.recheck?.pnl_hat != null ? { pnl: t.recheck.pnl_hat, win: t.recheck.win_prob } : null;
  const forced = t.threshold?.forced === true;
  $('trade-title').replaceChildren(tradeRef(t.rowId), ` ${t.symbol} · short ${t.legShortExchange} / long ${t.legLongExchange} `,
    el('span', { class: `badge ${t.status}` }, t.status), forced ? el('span', { class: 'badge opening', title: 'force-entered by a trader' }, 'forced') : '');
  kv($('trade-facts'), [
    ['Event', eventRef(t.eventId)],
    ['Kind', forced ? `forced by ${t.payload?.forced_by ?? 'a trader'}` : t.kind === 'manual' ? 'manual' : 'automatic (gate)'],
    ['Signal at', utc(t.createdAt)],
    ['Opened', utc(t.openedAt)],
    ['Closed', utc(t.liveTradeExitBySignalId?.closedAt ?? t.closedAt)],
    ['Held', duration(t.heldSeconds)],
    ['Notional per leg', t.notionalUsdt == null ? dash : `${usdt(t.notionalUsdt)} at ${t.leverage ?? 1}x`],
    ['Quantity per leg', t.entryQty == null ? dash : `${qty(t.entryQty)} ${t.symbol.split('/')[0]}`],
    ['Entry spread', bps(t.entrySpread), 'entry-spread'],
    ['Entry fees', t.entryFeesUsdt == null ? dash : usdt(t.entryFeesUsdt)],
    ['Gate prediction', `${bps(g.pnl)} · win ${pct(g.win, 1)} (${t.horizonMin ?? '?'}m horizon)`, 'gate-pred'],
    ['Re-check prediction', r ? `${bps(r.pnl)} · win ${pct(r.win, 1)}` : el('span', { class: 'muted' }, t.recheck ? `none (${t.recheck.fail ?? 'failed'})` : 'not run'), 'recheck-pred'],
    ['Take-profit when pnl_est ≥', `${bps(t.takeProfitPnl)} (ratio × ${openedOn(t).by} pnl_hat)`, 'tp-pnl'],
    ['Take-profit exit spread ≤', `${bps(t.takeProfitSpread)} (newest sample's fees and funding)`, 'tp-spread'],
  ]);
}

function renderOutcome(t) {
  const x = t.liveTradeExitBySignalId;
  const p = openedOn(t);
  if (!x) {
    kv($('trade-outcome'), [['Exit', el('span', { class: 'muted' }, t.status === 'ignored' ? `not traded: ${t.reason ?? dash}` : 'not yet')]]);
    return;
  }
  kv($('trade-outcome'), [
    ['Exit reason', x.reason, 'exit-reason'],
    ['Exit requested', utc(x.requestedAt)],
    ['Exit done', utc(x.closedAt)],
    ['Predicted pnl', `${bps(x.pnlHat ?? p.pnl)} (${p.by})`, 'predicted'],
    ['Realised pnl', signed(bps(x.realizedPnlFrac), x.realizedPnlFrac), 'realised-frac'],
    ['Realised − predicted', x.realizedPnlFrac == null ? dash : signed(bps(x.realizedPnlFrac - (x.pnlHat ?? p.pnl)), x.realizedPnlFrac - (x.pnlHat ?? p.pnl)), 'realised-minus'],
    ['Realised PnL', signed(usdt(x.realizedPnlUsdt), x.realizedPnlUsdt, 0.01), 'realised-usdt'],
    ['Spread PnL', bps(x.spreadPnl)],
    ['Fees', x.feesUsdt == null ? dash : usdt(x.feesUsdt), 'exit-fees'],
    ['Funding', x.fundingUsdt == null ? dash : signed(usdt(x.fundingUsdt), x.fundingUsdt, 0.01)],
    ['Funding source', x.fundingSources ? Object.entries(x.fundingSources).map(([k, v]) => `${k}: ${v}`).join(', ') : dash],
    ['Fees not in USDT', x.feesUnconverted ? JSON.stringify(x.feesUnconverted) : 'none'],
  ]);
}

function renderLegs(t) {
  const orders = new Map(t.orders.nodes.map((o) => [o.rowId, o]));
  const legs = ['short', 'long'].map((leg) => {
    const fs = t.fills.nodes.filter((f) => orders.get(f.orderId)?.leg === leg);
    const agg = (purpose) => {
      const xs = fs.filter((f) => orders.get(f.orderId)?.purpose === purpose);
      const q = xs.reduce((a, f) => a + Number(f.qty), 0);
      return { q, px: q ? xs.reduce((a, f) => a + Number(f.price) * Number(f.qty), 0) / q : null };
    };
    return { leg, exchange: leg === 'short' ? t.legShortExchange : t.legLongExchange, open: agg('open'), close: agg('close'),
      fees: fs.reduce((a, f) => a + Number(f.feeUsdt ?? 0), 0), n: fs.length };
  });
  renderTable($('legs'), [
    { label: 'Leg', cell: (l) => el('span', { class: l.leg === 'short' ? 'neg' : 'pos' }, l.leg) },
    { label: 'Venue', cell: (l) => l.exchange },
    { label: 'Opened qty', cell: (l) => qty(l.open.q), class: 'num' },
    { label: 'Avg open price (USDT)', cell: (l) => qty(l.open.px), class: 'num' },
    { label: 'Closed qty', cell: (l) => qty(l.close.q), class: 'num' },
    { label: 'Avg close price (USDT)', cell: (l) => qty(l.close.px), class: 'num' },
    { label: 'Fees (USDT)', cell: (l) => usdt(l.fees, { unit: false }), class: 'num' },
    { label: 'Fills', cell: (l) => l.n, class: 'num' },
  ], legs);
}

function renderOrders(t) {
  renderTable($('orders'), [
    { label: 'Order', cell: (o) => `#${o.rowId}` },
    { label: 'Purpose', cell: (o) => `${o.purpose}${o.leg ? ` · ${o.leg}` : ''}${o.attempt > 1 ? ` · try ${o.attempt}` : ''}` },
    { label: 'Venue', cell: (o) => o.exchange },
    { label: 'Side', cell: (o) => el('span', { class: o.side === 'buy' ? 'pos' : 'neg' }, o.side + (o.reduceOnly ? ' (reduce)' : '')) },
    { label: 'Amount (base)', cell: (o) => qty(o.amount), class: 'num' },
    { label: 'Notional (USDT)', cell: (o) => usdt(o.notionalUsdt, { unit: false }), class: 'num' },
    { label: 'Status', cell: (o) => el('span', { class: `badge ${o.status}` }, o.status) },
    { label: 'Filled (base)', cell: (o) => qty(o.filledQty), class: 'num' },
    { label: 'Avg price (USDT)', cell: (o) => qty(o.avgPrice), class: 'num' },
    { label: 'Fee', cell: (o) => (o.fee == null ? dash : `${qty(o.fee)} ${o.feeCurrency ?? ''}`), class: 'num' },
    { label: 'Client id · venue id', cell: (o) => el('span', {}, o.clientOrderId, el('br'), el('small', {}, o.exchangeOrderId ?? dash)) },
    { label: 'Sent', cell: (o) => timeCell(o.submittedAt) },
    { label: 'Error', cell: (o) => o.error ?? '', class: 'wrap' },
  ], t.orders.nodes, { empty: 'no orders were sent' });
}

function renderFills(t) {
  renderTable($('fills'), [
    { label: 'Fill', cell: (f) => `#${f.rowId}` },
    { label: 'Order', cell: (f) => `#${f.orderId}` },
    { label: 'Venue', cell: (f) => f.exchange },
    { label: 'At', cell: (f) => timeCell(f.ts) },
    { label: 'Price (USDT)', cell: (f) => qty(f.price), class: 'num' },
    { label: 'Qty (base)', cell: (f) => qty(f.qty), class: 'num' },
    { label: 'Fee', cell: (f) => (f.fee == null ? dash : `${qty(f.fee)} ${f.feeCurrency ?? ''}`), class: 'num' },
    { label: 'Fee (USDT)', cell: (f) => (f.feeUsdt == null ? el('span', { class: 'warn' }, 'not converted') : usdt(f.feeUsdt, { unit: false })), class: 'num' },
    { label: 'Venue trade id', cell: (f) => `${f.tradeId}${f.synthetic ? ' (from the average)' : ''}` },
  ], t.fills.nodes, { empty: 'no fills' });
}

function renderErrors(rows) {
  renderTable($('errors'), [
    { label: 'At', cell: (e) => timeCell(e.ts) },
    { label: 'Stage', cell: (e) => e.stage },
    { label: 'Venue', cell: (e) => e.venue ?? dash },
    { label: 'Error', cell: (e) => el('span', {}, e.errorClass ? el('b', {}, `${e.errorClass}: `) : '', e.message), class: 'wrap' },
  ], rows, { empty: 'no errors' });
}

// ---- chart --------------------------------------------------------------------
let chart = null;
const sec = (ts) => Math.floor(Date.parse(ts) / 1000);

async function samplesOf(id) {
  const out = [];
  for (let offset = 0; offset < MAX_SAMPLES; offset += PAGE) {
    const d = await gql(SAMPLES_QUERY, { id, first: PAGE, offset });
    out.push(...d.s.nodes);
    if (out.length >= d.s.totalCount || d.s.nodes.length < PAGE) return { samples: out, total: d.s.totalCount };
  }
  return { samples: out, total: null };
}

function drawChart(t, samples, total) {
  chart?.remove();
  chart = createChart($('trade-chart'), {
    autoSize: true,
    layout: { background: { color: '#161c23' }, textColor: '#d8dee6', fontSize: 11 },
    grid: { vertLines: { color: '#222a33' }, horzLines: { color: '#222a33' } },
    timeScale: { timeVisible: true, secondsVisible: false },
    localization: { priceFormatter: (p) => `${p.toFixed(1)} bps` },
  });
  const spread = chart.addSeries(LineSeries, { color: '#4c9aff', lineWidth: 2, title: 'exit spread' });
  const tp = chart.addSeries(LineSeries, { color: '#3fb67a', lineWidth: 1, lineStyle: LineStyle.Dashed, title: 'take-profit ≤' });
  const pts = [];
  const tps = [];
  for (const s of [...samples].reverse()) {
    const time = sec(s.ts);
    if (s.spread == null || (pts.length && time <= pts.at(-1).time)) continue;
    pts.push({ time, value: s.spread * 1e4 });
    if (s.takeProfitSpread != null) tps.push({ time, value: s.takeProfitSpread * 1e4 });
  }
  spread.setData(pts);
  tp.setData(tps);
  if (t.entrySpread != null) spread.createPriceLine({ price: t.entrySpread * 1e4, color: '#9aa5b1', lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'entry' });
  const marks = [];
  if (pts.length && t.openedAt) marks.push({ time: Math.max(pts[0].time, sec(t.openedAt)), position: 'inBar', color: '#9aa5b1', shape: 'circle' });
  const exitAt = t.liveTradeExitBySignalId?.requestedAt;
  if (exitAt && pts.length) {
    const time = pts.reduce((best, p) => (Math.abs(p.time - sec(exitAt)) < Math.abs(best - sec(exitAt)) ? p.time : best), pts[0].time);
    marks.push({ time, position: 'belowBar', color: '#e5534b', shape: 'arrowUp', text: `exit ${t.liveTradeExitBySignalId.reason}` });
  }
  createSeriesMarkers(spread, marks.sort((a, b) => a.time - b.time));
  chart.timeScale().fitContent();
  $('chart-note').textContent = `exit spread log(short ask / long bid), bps · entry · take-profit threshold (where the monitor's exit fires) · exit · ${pts.length} samples${total != null && total > samples.length ? ` (newest ${samples.length} of ${total})` : ''}`;
  $('trade-chart').dataset.samples = String(pts.length);
}

async function load(id) {
  try {
    const d = await gql(TRADE_QUERY, { id });
    if (!d.t) {
      $('trade-title').textContent = `T#${id}: no such trade`;
      return;
    }
    document.title = `T#${id} ${d.t.symbol} · watchlist`;
    renderFacts(d.t);
    renderOutcome(d.t);
    renderLegs(d.t);
    renderOrders(d.t);
    renderFills(d.t);
    renderErrors(d.errors.nodes);
    const { samples, total } = await samplesOf(id);
    drawChart(d.t, samples, total);
  } catch (e) {
    showError($('trade-facts'), e);
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  const id = new URLSearchParams(location.search).get('id') ?? '';
  await header('/trades');
  if (!/^\d+$/.test(id)) {
    $('trade-title').textContent = 'no trade id: open a trade from Trades & profit or Live trading';
    return;
  }
  await load(id);
  let timer = null;
  subscribe('subscription { liveTrade { type signalId } }', ({ liveTrade }) => {
    if (String(liveTrade?.signalId) !== id) return;
    clearTimeout(timer);
    timer = setTimeout(() => load(id), 300);
  });
});
