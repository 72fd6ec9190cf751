// /watchlist/db: page through watch_signal_raw, watch_signal_event and the outcome
// tables, 10 rows by default, with filters on whatever the API lets you filter
// (columns are discovered from the GraphQL schema, so new columns just appear).
import { dash, el, gql, header, renderTable, showError, utc } from '/pages/common.js';

const $ = (id) => document.getElementById(id);

const TABLES = {
  raw: { label: 'watch_signal_raw (minutes)', field: 'allWatchSignalRaws', type: 'WatchSignalRaw', order: 'TS_DESC' },
  event: { label: 'watch_signal_event', field: 'allWatchSignalEvents', type: 'WatchSignalEvent', order: 'START_TS_DESC' },
  outcome: { label: 'future_outcome', field: 'allFutureOutcomes', type: 'FutureOutcome', order: 'ROW_ID_DESC' },
  wl_outcome: { label: 'watchlist_outcome', field: 'allWatchlistOutcomes', type: 'WatchlistOutcome', order: 'ROW_ID_DESC' },
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

function cellOf(col, v) {
  if (v === null || v === undefined) return el('span', { class: 'muted' }, dash);
  if (col.type === 'Datetime') return el('span', { title: v }, utc(v));
  if (col.type === 'JSON') {
    const s = JSON.stringify(v);
    return el('span', { class: 'muted', title: JSON.stringify(v, null, 2).slice(0, 4000) }, s.length > 80 ? `${s.slice(0, 80)}…` : s);
  }
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
  $('table').replaceChildren(...Object.entries(TABLES).map(([k, t]) => el('option', { value: k }, t.label)));
  $('table').value = state.table;
  $('table').addEventListener('change', async (e) => {
    state.table = e.target.value;
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
