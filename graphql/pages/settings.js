// /settings: the strategy settings from the registry (watchlist.v_settings), changed
// through its one validated, audited setter (watchlist.set_config), with the audit
// trail beside them; and the kill switch (watchlist.set_kill_switch, which also
// closes and flattens at level 2, so it is never set as a plain setting here).
import { dash, el, gql, header, renderTable, showError, timeCell, tradingState } from '/pages/common.js';
import { SET_KILL_SWITCH } from '/pages/live_queries.js';

const $ = (id) => document.getElementById(id);
let isTrader = false;
let last = null;

const QUERY = `query Settings {
  viewerRole
  settings: allVSettings(first: 500) { nodes { key type unit value defaultValue domain needsRestart description updatedAt updatedBy } }
  audit: allStrategyConfigAudits(orderBy: ROW_ID_DESC, first: 50) { nodes { rowId key oldValue newValue changedAt changedBy note } }
  killSwitch: strategyConfigByKey(key: "kill_switch") { value updatedAt updatedBy }
}`;

export const SET_CONFIG = `mutation SetConfig($key: String!, $value: JSON, $note: String) {
  setConfig(input: { pKey: $key, pValue: $value, pNote: $note }) { clientMutationId }
}`;

const json = (v) => (v === undefined ? dash : JSON.stringify(v));
const KILL_KEY = 'kill_switch'; // its own lever: level 2 also closes every trade

function renderSettings(rows) {
  const find = $('settings-find').value.trim().toLowerCase();
  const shown = rows.filter((r) => !find || r.key.toLowerCase().includes(find) || (r.description ?? '').toLowerCase().includes(find));
  renderTable($('settings'), [
    { label: 'Setting', cell: (r) => el('b', {}, r.key) },
    { label: 'Value', cell: (r) => (r.key === KILL_KEY
        ? el('span', {}, json(r.value), ' ', el('small', {}, '(buttons above)'))
        : el('input', { class: 'setting', 'data-key': r.key, value: json(r.value), disabled: !isTrader, title: isTrader ? 'JSON: 0.8, true, "text", ["a", "b"], null' : 'needs the trader credential' })) },
    { label: '', cell: (r) => (r.key === KILL_KEY ? '' : el('button', { class: 'save-setting', 'data-key': r.key, disabled: !isTrader, onclick: () => save(r) }, 'Save')) },
    { label: 'Unit', cell: (r) => r.unit ?? dash },
    { label: 'Accepts', cell: (r) => r.domain, class: 'wrap' },
    { label: 'Default', cell: (r) => json(r.defaultValue) },
    { label: 'Applies', cell: (r) => (r.needsRestart ? el('span', { class: 'warn' }, 'after a restart') : 'at once') },
    { label: 'What it does', cell: (r) => r.description ?? '', class: 'wrap' },
    { label: 'Changed', cell: (r) => el('span', {}, timeCell(r.updatedAt), el('br'), el('small', {}, r.updatedBy ?? '')) },
  ], shown, { empty: 'no setting matches' });
}

function renderAudit(rows) {
  renderTable($('audit'), [
    { label: 'At', cell: (a) => timeCell(a.changedAt) },
    { label: 'Setting', cell: (a) => a.key },
    { label: 'Old', cell: (a) => json(a.oldValue) },
    { label: 'New', cell: (a) => json(a.newValue) },
    { label: 'By', cell: (a) => a.changedBy },
    { label: 'Note', cell: (a) => a.note ?? '', class: 'wrap' },
  ], rows, { empty: 'no changes yet' });
}

function renderKill(k) {
  const level = Number(k?.value ?? 0);
  $('kill-state').textContent = level === 0 ? 'off' : level === 1 ? '1 · no new entries' : '2 · flatten all';
  $('kill-state').className = level === 0 ? 'pos' : 'neg';
  for (const b of document.querySelectorAll('#kill-controls button')) b.disabled = !isTrader;
  $('kill-note').textContent = isTrader ? 'every change is confirmed and audited' : 'read-only: enter the trader token to enable';
}

async function save(r) {
  const input = document.querySelector(`input.setting[data-key="${CSS.escape(r.key)}"]`);
  const out = $('settings-result');
  let value;
  try {
    value = JSON.parse(input.value);
  } catch {
    out.replaceChildren(el('span', { class: 'neg' }, `${r.key}: ${input.value} is not JSON (strings need quotes: "okx")`));
    return;
  }
  if (!confirm(`Set ${r.key} from ${json(r.value)} to ${json(value)}?`)) return;
  let msg;
  try {
    await gql(SET_CONFIG, { key: r.key, value, note: 'settings page' });
    msg = el('span', { class: 'pos' }, `${r.key}: ${json(r.value)} → ${json(value)} saved${r.needsRestart ? ' (applies after a restart)' : ''}`);
  } catch (e) {
    msg = el('span', { class: 'neg' }, `${r.key}: ${e.message}`);
  }
  // the table is reloaded (inputs back to the stored values) before the answer shows, so
  // nothing typed after the answer appears is overwritten by the reload
  await load();
  out.replaceChildren(msg);
}

async function killSwitch(level) {
  const labels = { 0: 'Turn the kill switch OFF', 1: 'Kill switch 1: stop new entries', 2: 'Kill switch 2: stop entries and FLATTEN every open trade' };
  if (!confirm(`${labels[level]}?`)) return;
  try {
    await gql(SET_KILL_SWITCH, { level, note: 'settings page' });
    $('settings-result').replaceChildren(el('span', { class: 'pos' }, `kill switch set to ${level}`));
  } catch (e) {
    $('settings-result').replaceChildren(el('span', { class: 'neg' }, `kill switch: ${e.message}`));
  }
  await Promise.all([load(), tradingState()]);
}

async function load() {
  try {
    const d = await gql(QUERY);
    last = d;
    isTrader = d.viewerRole === 'wl_trader';
    renderSettings(d.settings.nodes);
    renderAudit(d.audit.nodes);
    renderKill(d.killSwitch);
  } catch (e) {
    showError($('settings'), e);
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  for (const b of document.querySelectorAll('#kill-controls button')) b.addEventListener('click', () => killSwitch(Number(b.dataset.kill)));
  $('settings-find').addEventListener('input', () => last && renderSettings(last.settings.nodes));
  $('settings-filter').addEventListener('submit', (ev) => ev.preventDefault());
  await header('/settings', () => void load());
  await load();
});
