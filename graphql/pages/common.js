// Shared by the pages: GraphQL over fetch and websockets, the trader credential,
// number/time formatting as traders read it, and tiny DOM helpers. Plain ES module.
import { createClient } from '/vendor/graphql-ws/client.js';

const TOKEN_KEY = 'wl.traderToken';
export const getToken = () => sessionStorage.getItem(TOKEN_KEY) || '';
export const setToken = (t) => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY));
const authHeaders = () => (getToken() ? { authorization: `Bearer ${getToken()}` } : {});

/** POST /graphql; throws the first error's message (with the SQLSTATE when PostgreSQL refused). */
export async function gql(query, variables = {}) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new Error(e.extensions?.code ? `${e.message} [${e.extensions.code}]` : e.message);
  }
  return body.data;
}

let wsClient = null;
function ws() {
  wsClient ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => authHeaders(),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: { connected: () => setLive(true), closed: () => setLive(false) },
  });
  return wsClient;
}
function setLive(on) {
  const dot = document.getElementById('live-dot');
  if (dot) {
    dot.className = on ? 'live on' : 'live off';
    dot.title = on ? 'live updates connected' : 'live updates disconnected (retrying)';
  }
}

/** Subscribe over graphql-ws; onData receives each event's data. Returns an unsubscribe function. */
export function subscribe(query, onData) {
  return ws().subscribe({ query }, { next: (m) => m.data && onData(m.data), error: (e) => console.error('subscription', e), complete: () => {} });
}

// ---- formatting -------------------------------------------------------------
const num = (x) => (x === null || x === undefined || x === '' ? null : Number(x));
export const dash = '—';


/** a trade as traders name it: T#42, linked to its detail page */
export function tradeRef(id) {
  return id == null ? dash : el('a', { href: `/trade?id=${encodeURIComponent(id)}`, class: 'ref trade-ref' }, `T#${id}`);
}
/** a watchlist event: E#17 */
export const eventRef = (id) => (id == null ? dash : el('span', { class: 'ref event-ref' }, `E#${id}`));
/**
 * The prediction a trade was opened on: the re-check's (on live books, just before the
 * orders) when it ran, else the gate's (from the event). Its pnl_hat is what take-profit
 * is measured against (sql/rules.sql take_profit_pnl).
 */
export function openedOn(t) {
  const r = t.recheck?.pnl_hat;
  return r != null ? { pnl: r, win: t.recheck.win_prob, by: 're-check' } : { pnl: t.pnlHat, win: t.winProb, by: 'gate' };
}
/** a funding rate with the interval it is paid over: "0.0100% / 8h" */
export function fundingRate(rate, hours) {
  const r = pct(rate, 4);
  return r === dash ? dash : `${r} / ${hours == null ? '?' : `${Number(hours)}h`}`;
}

/** a fraction as basis points: 0.0123 → "123.0 bps" */
export function bps(x, digits = 1) {
  const v = num(x);
  return v === null || Number.isNaN(v) ? dash : `${(v * 1e4).toFixed(digits)} bps`;
}
/** a fraction as percent: 0.953 → "95.30%" */
export function pct(x, digits = 2) {
  const v = num(x);
  return v === null || Number.isNaN(v) ? dash : `${(v * 100).toFixed(digits)}%`;
}
/** USDT with 2 decimals and thousands separators */
export function usdt(x, { unit = true } = {}) {
  const v = num(x);
  if (v === null || Number.isNaN(v)) return dash;
  const s = (Math.round(v * 100) / 100 || 0).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }); // no "-0.00"
  return unit ? `${s} USDT` : s;
}
/** a base quantity without float noise */
export function qty(x) {
  const v = num(x);
  return v === null ? dash : String(Number(v.toPrecision(8)));
}
/** 2026-01-05 10:00:00 UTC */
export function utc(ts) {
  if (!ts) return dash;
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? dash : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
/** a duration in seconds: 3725 → "1h 02m" */
export function duration(seconds) {
  const s = num(seconds);
  if (s === null) return dash;
  const a = Math.abs(Math.round(s));
  const d = Math.floor(a / 86400), h = Math.floor((a % 86400) / 3600), m = Math.floor((a % 3600) / 60);
  if (d) return `${d}d ${String(h).padStart(2, '0')}h`;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(a % 60).padStart(2, '0')}s`;
  return `${a}s`;
}
/** "3m 05s ago" / "in 2h 00m" */
export function age(ts, now = Date.now()) {
  if (!ts) return dash;
  const diff = (now - new Date(ts).getTime()) / 1000;
  return diff >= 0 ? `${duration(diff)} ago` : `in ${duration(-diff)}`;
}
/** time cell: UTC on top, relative age beneath (re-rendered by tickAges) */
export function timeCell(ts) {
  if (!ts) return el('span', { class: 'muted' }, dash);
  return el('span', { class: 'time', title: new Date(ts).toISOString() }, utc(ts), el('br'), el('small', { class: 'age', 'data-ts': ts }, age(ts)));
}
export function tickAges() {
  for (const n of document.querySelectorAll('.age[data-ts]')) n.textContent = age(n.dataset.ts);
}
/** a signed value with the class pos/neg for colour */
export function signed(text, value, step = 1e-8) {
  const v = num(value) === null ? null : Math.round(num(value) / step) * step; // colour what is shown, not float noise
  return el('span', { class: v === null ? 'muted' : v > 0 ? 'pos' : v < 0 ? 'neg' : '' }, text);
}

// ---- DOM ----------------------------------------------------------------------
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

/**
 * Render rows into a table: columns = [{ label, cell: (row) => Node|string, class? }].
 * Replaces the target's content; `empty` is shown when there are no rows.
 */
export function renderTable(target, columns, rows, { empty = 'none', rowClass } = {}) {
  const table = el('table', {},
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.class }, c.label)))),
    el('tbody', {}, rows.length
      ? rows.map((r) => el('tr', { class: rowClass?.(r) }, columns.map((c) => el('td', { class: c.class }, c.cell(r)))))
      : el('tr', {}, el('td', { colspan: columns.length, class: 'muted empty' }, empty))),
  );
  target.replaceChildren(table);
  return table;
}

export function showError(target, e) {
  target.replaceChildren(el('div', { class: 'error' }, String(e?.message ?? e)));
}

export const NAV = [
  ['/live_trading', 'Live trading'], ['/trades', 'Trades & profit'], ['/watchlist', 'Watchlist'],
  ['/settings', 'Settings'], ['/watchlist/db', 'DB browser'], ['/research', 'Research'],
];

const MODE_WORDS = {
  live: 'LIVE: real orders, real money',
  sandbox: "SANDBOX: the exchange's demo/testnet, no real money",
  shadow: 'SHADOW: real books, simulated fills',
  paper: 'PAPER: simulated market and fills',
};

/** Header bar: navigation, how each venue trades, the kill switch, the trader credential, the live dot. */
export async function header(active, onRoleChange) {
  const input = el('input', { type: 'password', id: 'trader-token', placeholder: 'trader token', autocomplete: 'off', size: 18 });
  const role = el('span', { id: 'role', class: 'role' }, '…');
  const refresh = async () => {
    try {
      const { viewerRole } = await gql('{ viewerRole }');
      role.textContent = viewerRole === 'wl_trader' ? 'trader' : 'read-only';
      role.className = viewerRole === 'wl_trader' ? 'role trader' : 'role';
      if (getToken() && viewerRole !== 'wl_trader') role.textContent = 'read-only (token rejected)';
      onRoleChange?.(viewerRole === 'wl_trader');
    } catch (e) {
      role.textContent = `error: ${e.message}`;
    }
  };
  const save = el('button', { type: 'submit', id: 'token-save' }, 'Use token');
  const clear = el('button', { type: 'button', id: 'token-clear', onclick: () => { setToken(''); input.value = ''; reconnect(); refresh(); } }, 'Forget');
  const form = el('form', { class: 'auth', onsubmit: (ev) => { ev.preventDefault(); setToken(input.value.trim()); input.value = ''; reconnect(); refresh(); } },
    input, save, clear, role);
  const nav = el('nav', {},
    NAV.map(([href, label]) => el('a', { href, class: href === active ? 'active' : undefined }, label)),
    el('span', { id: 'live-dot', class: 'live off', title: 'live updates' }, '●'));
  const state = el('div', { class: 'state' },
    el('span', { id: 'mode-badges', class: 'mode-badges' }, el('span', { class: 'muted' }, 'venues …')),
    el('a', { id: 'kill-badge', class: 'kill-badge', href: '/live_trading#manual', title: 'kill switch (levers on Live trading)' }, 'kill switch …'));
  const hdr = el('header', {}, nav, state, form);
  document.body.prepend(hdr);
  await Promise.all([refresh(), tradingState()]);
  void venueBanners(hdr);
  void demoBanner(hdr);
  setInterval(tickAges, 1000);
  setInterval(tradingState, 15_000);
  subscribe('subscription { liveTrade { type } }', ({ liveTrade }) => {
    if (liveTrade?.type === 'config') void tradingState();
  });
}

/** how each venue trades (watchlist.venue_mode, written by the worker at start) and the kill switch level */
export async function tradingState() {
  const box = document.getElementById('mode-badges');
  const kill = document.getElementById('kill-badge');
  try {
    const d = await gql(`{ allVenueModes(orderBy: PRIMARY_KEY_ASC, first: 50) { nodes { venue mode marketsLoaded } }
      killSwitch: strategyConfigByKey(key: "kill_switch") { value updatedAt updatedBy } }`);
    const modes = d.allVenueModes.nodes;
    box.replaceChildren(...(modes.length
      ? modes.map((m) => el('span', {
          class: `mode-badge ${m.mode}`, 'data-venue': m.venue, 'data-mode': m.mode,
          title: `${m.venue}: ${MODE_WORDS[m.mode] ?? m.mode}${m.marketsLoaded ? '' : ' (markets not loaded at start)'}`,
        }, `${m.venue} ${m.mode.toUpperCase()}${m.marketsLoaded ? '' : ' (!)'}`))
      : [el('span', { class: 'mode-badge none', title: 'watchlist.venue_mode is empty: start one with wl up / wl worker' }, 'no worker running')]));
    const level = Number(d.killSwitch?.value ?? 0);
    kill.textContent = level === 0 ? 'kill switch off' : level === 1 ? 'KILL SWITCH 1: no new entries' : 'KILL SWITCH 2: flattening';
    kill.className = `kill-badge level${level}`;
    kill.dataset.level = String(level);
    if (d.killSwitch?.updatedAt) kill.title = `kill switch level ${level}, set ${utc(d.killSwitch.updatedAt)} by ${d.killSwitch.updatedBy}`;
  } catch (e) {
    box.replaceChildren(el('span', { class: 'neg' }, `venues: ${e.message}`));
  }
}

/** `wl up --demo`: what the user is looking at (shown only in a demo) */
async function demoBanner(hdr) {
  try {
    const r = await fetch('/demo.json', { cache: 'no-cache' });
    const d = r.ok ? await r.json() : null;
    if (!d?.demo) return;
    const tp = d.takeProfitPct;
    const hold = d.maxHoldMinutes;
    hdr.after(el('div', { id: 'demo-banner', class: 'banner demo' },
      'DEMO (wl up --demo): every venue is PAPER on a simulated market at demo pace, where one venue\'s price jumps away ' +
      'from the others and reverts within minutes. What to watch on /live_trading: each minute the scanner\'s events appear under ' +
      'Recent signals; a fresh one whose prediction clears the thresholds is admitted and opens a hedged pair within seconds ' +
      '(short the high venue, long the low one); Active trades shows its exit estimate sampled every minute, and the trade ' +
      `closes at take-profit${tp != null ? ` (the demo sets it at ${tp} % of the predicted PnL)` : ''} ` +
      `once the spread has come back, or at the demo's ${hold != null ? `${hold}-minute ` : ''}max hold when it does not. ` +
      'Expect several trades and a first take-profit within about ten minutes. The hours of history backfilled at ' +
      'start are history: their events show as ignored (stale_event) because they were never tradeable, not because anything failed.'));
  } catch {
    // no demo endpoint (an older server): no note
  }
}

/** under the header: SANDBOX when venues run on the exchanges' demo/testnet; venues not traded and why */
async function venueBanners(hdr) {
  try {
    const { allVenuePreflights } = await gql('{ allVenuePreflights(first: 500) { nodes { venue check ok detail environment } } }');
    const rows = allVenuePreflights?.nodes ?? [];
    const banners = [];
    if (rows.some((r) => r.environment === 'sandbox')) {
      banners.push(el('div', { id: 'sandbox-banner', class: 'banner sandbox' }, "SANDBOX: venues are the exchanges' demo/testnet environments; no real money moves"));
    }
    const failed = rows.filter((r) => !r.ok);
    if (failed.length) {
      banners.push(el('div', { id: 'preflight-banner', class: 'banner failed' },
        `Not traded (preflight failed): ${failed.map((r) => `${r.venue} ${r.check}: ${r.detail}`).join(' · ')}`));
    }
    hdr.after(...banners);
  } catch {
    // a page without the preflight table (older database) shows no banner
  }
}

function reconnect() {
  // the websocket's role comes from connectionParams at connect time
  if (wsClient) wsClient.terminate?.();
}
