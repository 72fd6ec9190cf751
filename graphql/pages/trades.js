// /trades: what the trading made (freqtrade's /profit, /daily, /balance and trade list):
// realised PnL in total, per day, per pair and per venue, the venues' balances, and
// every trade with paging and filters. Reads GraphQL only (the psql views of
// sql/live_views.sql and sql/balances.sql, watchlist.trade_history()).
import {
  bps, dash, duration, el, eventRef, gql, header, openedOn, pct, renderTable, showError, signed,
  subscribe, timeCell, tradeRef, usdt, utc,
} from '/pages/common.js';

const $ = (id) => document.getElementById(id);

const SUMMARY_QUERY = `query Profit {
  summary: allVPnlSummaries(first: 1) { nodes {
    trades rollbacks wins losses realizedPnlUsdt feesUsdt fundingUsdt winRate avgPnlFrac avgPnlHat
    bestPnlUsdt worstPnlUsdt firstClosedAt lastClosedAt incomplete } }
  daily: allVPnlDailies(first: 1000) { nodes { day trades rollbacks realizedPnlUsdt feesUsdt fundingUsdt winRate incomplete } }
  byPair: allVPnlByPairs(first: 1000) { nodes { symbol legShortExchange legLongExchange trades rollbacks realizedPnlUsdt avgPnlFrac winRate incomplete } }
  byVenue: allVPnlByVenues(first: 100) { nodes { venue trades rollbacks legPnlUsdt feesUsdt feesUnconverted volumeUsdt } }
  equity: allVVenueEquities(first: 100) { nodes { venue mode currency balanceTotal balanceFree balanceFetchedAt unrealizedPnlUsdt positions equityUsdt } }
}`;

const HISTORY_QUERY = `query History($status: String, $symbol: String, $venue: String, $kind: String, $exit: String, $first: Int!, $offset: Int!) {
  tradeHistory(pStatus: $status, pSymbol: $symbol, pVenue: $venue, pKind: $kind, pExitReason: $exit, first: $first, offset: $offset) {
    totalCount
    nodes {
      rowId eventId kind symbol status reason createdAt openedAt closedAt heldSeconds pnlHat winProb recheck
      legShortExchange legLongExchange notionalUsdt
      liveTradeExitBySignalId { reason closedAt realizedPnlUsdt realizedPnlFrac pnlHat }
    }
  }
}`;

const card = (label, value, id, title) => el('div', { class: 'card', id, title }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
const winRate = (r) => (r.winRate == null ? dash : pct(r.winRate, 1));
const money = (v) => signed(usdt(v), v, 0.01);

function renderSummary(s) {
  if (!s || Number(s.trades) === 0) {
    $('summary').replaceChildren(el('div', { class: 'muted empty' }, 'no finished trade yet'));
    return;
  }
  $('summary').replaceChildren(
    card('Realised PnL', money(s.realizedPnlUsdt), 'sum-pnl', 'Σ realised PnL of finished trades, USDT (fees and funding included)'),
    card('Trades', `${s.trades}${Number(s.rollbacks) ? ` (${s.rollbacks} rollbacks)` : ''}`, 'sum-trades'),
    card('Win rate', `${winRate(s)} · ${s.wins} W / ${s.losses} L`, 'sum-winrate', 'trades with realised PnL > 0 among those whose PnL is known'),
    card('Fees', usdt(s.feesUsdt), 'sum-fees'),
    card('Funding', signed(usdt(s.fundingUsdt), s.fundingUsdt, 0.01), 'sum-funding', 'received (+) or paid (−) while held'),
    card('Mean realised vs predicted', `${bps(s.avgPnlFrac)} vs ${bps(s.avgPnlHat)}`, 'sum-mean', 'mean realised PnL fraction vs mean re-check pnl_hat (the prediction the trade was opened on)'),
    card('Best / worst', el('span', {}, money(s.bestPnlUsdt), ' / ', money(s.worstPnlUsdt)), 'sum-best'),
    card('Incomplete', String(s.incomplete), 'sum-incomplete', 'PnLs with a leg unknown, a fee not yet in USDT, or funding not had'),
    card('Period', el('span', { style: 'font-size:12px' }, utc(s.firstClosedAt), el('br'), utc(s.lastClosedAt)), 'sum-period'),
  );
}

function renderDaily(rows) {
  const sorted = [...rows].sort((a, b) => Date.parse(b.day) - Date.parse(a.day));
  renderTable($('daily'), [
    { label: 'Day (UTC)', cell: (r) => utc(r.day).slice(0, 10) },
    { label: 'Trades', cell: (r) => `${r.trades}${Number(r.rollbacks) ? ` (${r.rollbacks} rb)` : ''}`, class: 'num' },
    { label: 'Realised USDT', cell: (r) => signed(usdt(r.realizedPnlUsdt, { unit: false }), r.realizedPnlUsdt, 0.01), class: 'num' },
    { label: 'Fees USDT', cell: (r) => usdt(r.feesUsdt, { unit: false }), class: 'num' },
    { label: 'Funding USDT', cell: (r) => signed(usdt(r.fundingUsdt, { unit: false }), r.fundingUsdt, 0.01), class: 'num' },
    { label: 'Win rate', cell: winRate, class: 'num' },
    { label: 'Incomplete', cell: (r) => r.incomplete, class: 'num' },
  ], sorted, { empty: 'no finished trade yet' });
}

function renderByPair(rows) {
  const sorted = [...rows].sort((a, b) => Number(b.realizedPnlUsdt ?? 0) - Number(a.realizedPnlUsdt ?? 0));
  renderTable($('by-pair'), [
    { label: 'Symbol', cell: (r) => r.symbol },
    { label: 'Short / long', cell: (r) => `${r.legShortExchange ?? '?'} / ${r.legLongExchange ?? '?'}` },
    { label: 'Trades', cell: (r) => r.trades, class: 'num' },
    { label: 'Realised USDT', cell: (r) => signed(usdt(r.realizedPnlUsdt, { unit: false }), r.realizedPnlUsdt, 0.01), class: 'num' },
    { label: 'Mean realised', cell: (r) => bps(r.avgPnlFrac), class: 'num' },
    { label: 'Win rate', cell: winRate, class: 'num' },
  ], sorted, { empty: 'no finished trade yet' });
}

function renderByVenue(rows) {
  renderTable($('by-venue'), [
    { label: 'Venue', cell: (r) => r.venue },
    { label: 'Trades', cell: (r) => r.trades, class: 'num' },
    { label: 'Leg PnL USDT', cell: (r) => signed(usdt(r.legPnlUsdt, { unit: false }), r.legPnlUsdt, 0.01), class: 'num' },
    { label: 'Fees USDT', cell: (r) => usdt(r.feesUsdt, { unit: false }), class: 'num' },
    { label: 'Fees not in USDT', cell: (r) => r.feesUnconverted, class: 'num' },
    { label: 'Volume USDT', cell: (r) => usdt(r.volumeUsdt, { unit: false }), class: 'num' },
  ], [...rows].sort((a, b) => a.venue.localeCompare(b.venue)), { empty: 'no finished trade yet' });
}

function renderBalances(rows) {
  const unit = (r, v) => (v == null ? dash : `${usdt(v, { unit: false })} ${r.currency ?? 'USDT'}`);
  renderTable($('balances'), [
    { label: 'Venue', cell: (r) => el('span', {}, r.venue, ' ', r.mode ? el('span', { class: `mode-badge ${r.mode}` }, r.mode.toUpperCase()) : '') },
    { label: 'Balance (total)', cell: (r) => unit(r, r.balanceTotal), class: 'num' },
    { label: 'Free', cell: (r) => unit(r, r.balanceFree), class: 'num' },
    { label: 'Unrealised PnL', cell: (r) => signed(usdt(r.unrealizedPnlUsdt), r.unrealizedPnlUsdt, 0.01), class: 'num' },
    { label: 'Equity', cell: (r) => unit(r, r.equityUsdt), class: 'num' },
    { label: 'Positions', cell: (r) => r.positions, class: 'num' },
    { label: 'Reported', cell: (r) => (r.balanceFetchedAt ? timeCell(r.balanceFetchedAt) : el('span', { class: 'muted' }, 'not yet (reconcile reads it every 3 min)')) },
  ], [...rows].sort((a, b) => a.venue.localeCompare(b.venue)), { empty: 'no venue has reported a balance yet' });
}

// ---- history ------------------------------------------------------------------
const hist = { page: 0, size: 25, filters: {} };

function renderHistory(d) {
  const { totalCount, nodes } = d.tradeHistory;
  $('history-count').textContent = `${totalCount} trades`;
  renderTable($('history'), [
    { label: 'Trade', cell: (t) => tradeRef(t.rowId) },
    { label: 'Kind', cell: (t) => (t.kind === 'manual' ? el('span', { class: 'warn', title: 'force-entered' }, 'forced') : 'auto') },
    { label: 'Event', cell: (t) => eventRef(t.eventId) },
    { label: 'Symbol', cell: (t) => t.symbol },
    { label: 'Short / long', cell: (t) => `${t.legShortExchange ?? '?'} / ${t.legLongExchange ?? '?'}` },
    { label: 'Opened', cell: (t) => timeCell(t.openedAt ?? t.createdAt) },
    { label: 'Closed', cell: (t) => timeCell(t.liveTradeExitBySignalId?.closedAt ?? t.closedAt) },
    { label: 'Held', cell: (t) => duration(t.heldSeconds), class: 'num' },
    { label: 'Status', cell: (t) => el('span', { class: `badge ${t.status}` }, t.status) },
    { label: 'Exit', cell: (t) => t.liveTradeExitBySignalId?.reason ?? (t.status === 'ignored' ? t.reason : dash) },
    { label: 'Predicted pnl (opened on)', cell: (t) => { const p = openedOn(t); return el('span', { title: `${p.by} prediction` }, `${bps(p.pnl)} `, el('small', {}, p.by)); }, class: 'num' },
    { label: 'Realised', cell: (t) => signed(bps(t.liveTradeExitBySignalId?.realizedPnlFrac), t.liveTradeExitBySignalId?.realizedPnlFrac), class: 'num' },
    { label: 'Realised USDT', cell: (t) => signed(usdt(t.liveTradeExitBySignalId?.realizedPnlUsdt, { unit: false }), t.liveTradeExitBySignalId?.realizedPnlUsdt, 0.01), class: 'num' },
  ], nodes, { empty: 'no trades match' });
  const from = totalCount ? hist.page * hist.size + 1 : 0;
  const to = Math.min(totalCount, (hist.page + 1) * hist.size);
  const pages = Math.max(1, Math.ceil(totalCount / hist.size));
  $('h-info').textContent = `trades ${from}–${to} of ${totalCount} · page ${hist.page + 1} of ${pages}`;
  $('h-prev').disabled = hist.page === 0;
  $('h-next').disabled = hist.page + 1 >= pages;
}

async function loadHistory() {
  try {
    const f = hist.filters;
    renderHistory(await gql(HISTORY_QUERY, {
      status: f.status || null, symbol: f.symbol || null, venue: f.venue || null, kind: f.kind || null, exit: f.exit || null,
      first: hist.size, offset: hist.page * hist.size,
    }));
  } catch (e) {
    showError($('history'), e);
  }
}

async function loadSummary() {
  try {
    const d = await gql(SUMMARY_QUERY);
    renderSummary(d.summary.nodes[0]);
    renderDaily(d.daily.nodes);
    renderByPair(d.byPair.nodes);
    renderByVenue(d.byVenue.nodes);
    renderBalances(d.equity.nodes);
  } catch (e) {
    showError($('summary'), e);
  }
}

let timer = null;
const reloadSoon = () => {
  clearTimeout(timer);
  timer = setTimeout(() => { void loadSummary(); void loadHistory(); }, 300);
};

document.addEventListener('DOMContentLoaded', async () => {
  // the status choices come from the one definition (watchlist.status_set), not a list here
  try {
    const sets = await gql(`{ allStatusSets(condition: { entity: "trade" }) { nodes { setName status } } }`);
    const order = ['active', 'finished'];
    const rows = sets.allStatusSets.nodes.filter((r) => order.includes(r.setName))
      .sort((a, b) => order.indexOf(a.setName) - order.indexOf(b.setName));
    const statuses = [...new Set(rows.map((r) => r.status)), 'ignored'];
    $('f-status').append(...statuses.map((s) => el('option', { value: s }, s)));
  } catch (e) {
    showError(e);
  }
  $('history-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    hist.filters = {
      status: $('f-status').value, symbol: $('f-symbol').value.trim(), venue: $('f-venue').value.trim(),
      kind: $('f-kind').value, exit: $('f-exit').value,
    };
    hist.size = Number($('f-size').value);
    hist.page = 0;
    void loadHistory();
  });
  $('h-prev').addEventListener('click', () => { hist.page = Math.max(0, hist.page - 1); void loadHistory(); });
  $('h-next').addEventListener('click', () => { hist.page += 1; void loadHistory(); });
  hist.size = Number($('f-size').value);
  await header('/trades');
  await Promise.all([loadSummary(), loadHistory()]);
  // an exit or a status change moves the numbers
  subscribe('subscription { liveTrade { type } }', ({ liveTrade }) => {
    if (liveTrade && ['exit', 'signal_status'].includes(liveTrade.type)) reloadSoon();
  });
  setInterval(loadSummary, 60_000); // balances are re-read by reconcile every few minutes
});
