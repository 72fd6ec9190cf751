// /watchlist/db: page through the signal, trade, audit and venue tables, newest first,
// 10 rows by default, with filters on whatever the API lets you filter (columns are
// discovered from the GraphQL schema, so new columns just appear). JSON cells are
// collapsed to a one-line summary and expand on click.
import { dash, el, gql, header, renderTable, showError, utc } from '/pages/common.js';

const $ = (id) => document.getElementById(id);

// order: the default, newest first where the table has an increasing id or a time the API can order by
const TABLES = {
  raw: { group: 'Signals and outcomes', label: 'watch_signal_raw (minutes)', field: 'allWatchSignalRaws', type: 'WatchSignalRaw', order: 'TS_DESC' },
  event: { group: 'Signals and outcomes', label: 'watch_signal_event', field: 'allWatchSignalEvents', type: 'WatchSignalEvent', order: 'START_TS_DESC' },
  outcome: { group: 'Signals and outcomes', label: 'future_outcome', field: 'allFutureOutcomes', type: 'FutureOutcome', order: 'ROW_ID_DESC' },
  wl_outcome: { group: 'Signals and outcomes', label: 'watchlist_outcome', field: 'allWatchlistOutcomes', type: 'WatchlistOutcome', order: 'ROW_ID_DESC' },
  rejected: { group: 'Signals and outcomes', label: 'watch_signal_raw_rejected', field: 'allWatchSignalRawRejecteds', type: 'WatchSignalRawRejected', order: 'ROW_ID_DESC' },
  trade: { group: 'Trades', label: 'live_trade_signal (trades and gate decisions)', field: 'allLiveTradeSignals', type: 'LiveTradeSignal', order: 'ROW_ID_DESC' },
  order: { group: 'Trades', label: 'live_trade_order', field: 'allLiveTradeOrders', type: 'LiveTradeOrder', order: 'ROW_ID_DESC' },
  fill: { group: 'Trades', label: 'live_trade_fill', field: 'allLiveTradeFills', type: 'LiveTradeFill', order: 'ROW_ID_DESC' },
  sample: { group: 'Trades', label: 'live_trade_spread_sample', field: 'allLiveTradeSpreadSamples', type: 'LiveTradeSpreadSample', order: 'TS_DESC' },
  exit: { group: 'Trades', label: 'live_trade_exit', field: 'allLiveTradeExits', type: 'LiveTradeExit', order: 'ROW_ID_DESC' },
  error: { group: 'Trades', label: 'live_trade_error', field: 'allLiveTradeErrors', type: 'LiveTradeError', order: 'ROW_ID_DESC' },
  manual: { group: 'Trades', label: 'manual_order', field: 'allManualOrders', type: 'ManualOrder', order: 'ROW_ID_DESC' },
  action: { group: 'Audit', label: 'trader_action (levers pulled)', field: 'allTraderActions', type: 'TraderAction', order: 'ROW_ID_DESC' },
  config_audit: { group: 'Audit', label: 'strategy_config_audit (setting changes)', field: 'allStrategyConfigAudits', type: 'StrategyConfigAudit', order: 'ROW_ID_DESC' },
  model_activation: { group: 'Audit', label: 'pnl_model_activation', field: 'allPnlModelActivations', type: 'PnlModelActivation', order: 'ROW_ID_DESC' },
  funnel: { group: 'Audit', label: 'v_signal_funnel (gate decisions per day)', field: 'allVSignalFunnels', type: 'VSignalFunnel', order: 'DAY_DESC' },
  foreign: { group: 'Audit', label: 'venue_foreign_activity', field: 'allVenueForeignActivities', type: 'VenueForeignActivity', order: 'ROW_ID_DESC' },
  health: { group: 'Venues', label: 'venue_health', field: 'allVenueHealths', type: 'VenueHealth', order: 'VENUE_ASC' },
  preflight: { group: 'Venues', label: 'venue_preflight', field: 'allVenuePreflights', type: 'VenuePreflight', order: 'VENUE_ASC' },
  position: { group: 'Venues', label: 'venue_position', field: 'allVenuePositions', type: 'VenuePosition', order: 'VENUE_ASC' },
  balance: { group: 'Venues', label: 'venue_balance', field: 'allVenueBalances', type: 'VenueBalance', order: 'VENUE_ASC' },
};
const OPS = {
  equalTo: '=', notEqualTo: '≠', greaterThanOrEqualTo: '≥', lessThanOrEqualTo: '≤', greaterThan: '>', lessThan: '<', includes: 'contains',
};
const SCALARS = new Set(['String', 'Int', 'Float', 'BigInt', 'BigFloat', 'Boolean', 'Datetime', 'JSON', 'Date']);

const state = { table: 'raw', order: null, size: 10, page: 0, filters: [], schema: {} };

const unwrap = (t) => (t.ofType ? unwrap(t.ofType) : t);

async function describe(key) {
  if (state.schema[key]) return state.schema[key];
  const t = TABLES[key];
  const d = await gql(`query($t: String!, $f: String!, $o: String!) {
    type: __type(name: $t) { fields { name type { kind name ofType { kind name ofType { kind name } } } } }
    filter: __type(name: $f) { inputFields { name type { name inputFields { name } } } }
    order: __type(name: $o) { enumValues { name } }
  }`, { t: t.type, f: `${t.type}Filter`, o: `${t.type}OrderBy` });
  const columns = d.type.fields
    .filter((f) => f.name !== 'id' && SCALARS.has(unwrap(f.type).name) && unwrap(f.type).kind === 'SCALAR')
    .map((f) => ({ name: f.name, type: unwrap(f.type).name }));
  const filterable = (d.filter?.inputFields ?? [])
    .filter((f) => !['and', 'or', 'not'].includes(f.name) && f.type.inputFields?.some((o) => o.name === 'equalTo'))
    .map((f) => ({ name: f.name, ops: f.type.inputFields.map((o) => o.name).filter((o) => OPS[o]) }));
  const orders = (d.order?.enumValues ?? []).map((e) => e.name).filter((n) => n !== 'NATURAL' && !n.startsWith('PRIMARY_KEY'));
  return (state.schema[key] = { columns, filterable, orders, types: Object.fromEntries(columns.map((c) => [c.name, c.type])) });
}

function coerce(type, raw) {
  if (type === 'Int') return parseInt(raw, 10);
  if (type === 'Float') return Number(raw);
  if (type === 'Boolean') return raw === 'true';
  if (type === 'Datetime') {
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.replace(' ', 'T')}Z`); // typed times are UTC
    if (Number.isNaN(d.getTime())) throw new Error(`not a time: ${raw}`);
    return d.toISOString();
  }
  return raw;
}

function filterObject(desc) {
  const out = {};
  for (const f of state.filters) {
    if (f.value === '') continue;
    out[f.field] = { ...(out[f.field] ?? {}), [f.op]: coerce(desc.types[f.field] ?? 'String', f.value) };
  }
  return Object.keys(out).length ? out : undefined; // the filter plugin refuses {} and null: omit it
}

const SUMMARY_CHARS = 60;
// jsonb keeps keys shortest first, so the key that explains a row would often fall past
// the summary's end: these lead when present, the others follow in stored order
const TELLING_KEYS = ['reason', 'error', 'message', 'status', 'ok'];
const telling = (k) => { const i = TELLING_KEYS.indexOf(k); return i < 0 ? TELLING_KEYS.length : i; };

/** one line for a collapsed JSON value: "{6 keys} reason: \"x\", pnl_hat: 0.01…" */
function jsonSummary(v) {
  const parts = Array.isArray(v)
    ? v.map((x) => JSON.stringify(x))
    : Object.entries(v).sort(([a], [b]) => telling(a) - telling(b)).map(([k, x]) => `${k}: ${JSON.stringify(x)}`);
  const body = parts.join(', ');
  const n = parts.length;
  const count = Array.isArray(v) ? `[${n} item${n === 1 ? '' : 's'}]` : `{${n} key${n === 1 ? '' : 's'}}`;
  return `${count} ${body.length > SUMMARY_CHARS ? `${body.slice(0, SUMMARY_CHARS)}…` : body}`.trimEnd();
}

/** an object or array: collapsed to its summary, pretty-printed when opened */
function jsonCell(v) {
  return el('details', { class: 'json-cell' },
    el('summary', { class: 'muted' }, jsonSummary(v)),
    el('pre', { class: 'json' }, JSON.stringify(v, null, 2)));
}

function cellOf(col, v) {
  if (v === null || v === undefined) return el('span', { class: 'muted' }, dash);
  // JSON by value, not by column name: whatever jsonb (or other structured) column a table gains is collapsed too
  if (typeof v === 'object') return jsonCell(v);
  if (col.type === 'JSON') return el('span', { class: 'muted' }, JSON.stringify(v)); // a jsonb scalar: 0.8, "text", true
  if (col.type === 'Datetime') return el('span', { title: v }, utc(v));
  if (col.type === 'Float') return Math.abs(v) < 1e-3 && v !== 0 ? Number(v).toExponential(3) : String(Number(Number(v).toPrecision(6)));
  return String(v);
}

async function load() {
  const t = TABLES[state.table];
  try {
    const desc = await describe(state.table);
    const order = state.order ?? (desc.orders.includes(t.order) ? t.order : desc.orders[0]);
    const fields = desc.columns.map((c) => c.name).join(' ');
    const d = await gql(`query($first: Int!, $offset: Int!, $filter: ${t.type}Filter${order ? `, $order: [${t.type}OrderBy!]` : ''}) {
      rows: ${t.field}(first: $first, offset: $offset, filter: $filter${order ? ', orderBy: $order' : ''}) {
        totalCount nodes { ${fields} }
      }
    }`, { first: state.size, offset: state.page * state.size, filter: filterObject(desc), ...(order ? { order: [order] } : {}) });
    const { totalCount, nodes } = d.rows;
    renderTable($('rows'), desc.columns.map((c) => ({
      label: c.name, cell: (r) => cellOf(c, r[c.name]), class: ['Int', 'Float', 'BigInt', 'BigFloat'].includes(c.type) ? 'num' : undefined,
    })), nodes, { empty: 'no rows match' });
    const from = totalCount ? state.page * state.size + 1 : 0;
    $('page-info').textContent = `rows ${from}–${state.page * state.size + nodes.length} of ${totalCount} · page ${state.page + 1} of ${Math.max(1, Math.ceil(totalCount / state.size))}`;
    $('prev').disabled = state.page === 0;
    $('next').disabled = (state.page + 1) * state.size >= totalCount;
  } catch (e) {
    showError($('rows'), e);
  }
}

async function renderControls() {
  const desc = await describe(state.table);
  const order = $('order');
  order.replaceChildren(...desc.orders.map((o) => el('option', { value: o }, o.toLowerCase().replace(/_/g, ' '))));
  order.value = state.order ?? TABLES[state.table].order;
  renderFilters(desc);
}

function renderFilters(desc) {
  $('filters').replaceChildren(...state.filters.map((f, i) => {
    const field = el('select', { 'data-role': 'field', onchange: (e) => { f.field = e.target.value; renderFilters(desc); } },
      desc.filterable.map((c) => el('option', { value: c.name, selected: c.name === f.field }, c.name)));
    const ops = desc.filterable.find((c) => c.name === f.field)?.ops ?? ['equalTo'];
    if (!ops.includes(f.op)) f.op = ops[0];
    const op = el('select', { 'data-role': 'op', onchange: (e) => (f.op = e.target.value) }, ops.map((o) => el('option', { value: o, selected: o === f.op }, OPS[o])));
    const type = desc.types[f.field];
    const value = el('input', {
      'data-role': 'value', value: f.value, size: 16,
      placeholder: type === 'Datetime' ? 'YYYY-MM-DD HH:MM (UTC)' : type ?? '',
      oninput: (e) => (f.value = e.target.value),
    });
    const remove = el('button', { type: 'button', title: 'remove', onclick: () => { state.filters.splice(i, 1); renderFilters(desc); } }, '×');
    return el('label', { class: 'filter' }, field, op, value, remove);
  }));
}

document.addEventListener('DOMContentLoaded', async () => {
  const params = new URLSearchParams(location.search);
  if (TABLES[params.get('table')]) state.table = params.get('table');
  const groups = [...new Set(Object.values(TABLES).map((t) => t.group))];
  $('table').replaceChildren(...groups.map((g) => el('optgroup', { label: g },
    Object.entries(TABLES).filter(([, t]) => t.group === g).map(([k, t]) => el('option', { value: k }, t.label)))));
  $('table').value = state.table;
  $('table').addEventListener('change', async (e) => {
    state.table = e.target.value;
    history.replaceState(null, '', `?table=${encodeURIComponent(state.table)}`); // a link to the table shown
    state.order = null;
    state.filters = [];
    state.page = 0;
    await renderControls();
    await load();
  });
  $('order').addEventListener('change', (e) => { state.order = e.target.value; state.page = 0; load(); });
  $('size').addEventListener('change', (e) => { state.size = Number(e.target.value); state.page = 0; load(); });
  $('add-filter').addEventListener('click', async () => {
    const desc = await describe(state.table);
    const pref = desc.filterable.find((c) => c.name === 'symbol') ?? desc.filterable[0];
    if (!pref) return;
    state.filters.push({ field: pref.name, op: pref.ops[0], value: '' });
    renderFilters(desc);
  });
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); state.page = 0; load(); });
  $('prev').addEventListener('click', () => { if (state.page > 0) { state.page--; load(); } });
  $('next').addEventListener('click', () => { state.page++; load(); });
  await header('/watchlist/db');
  await renderControls();
  await load();
});
