// bench:isolation — does a flood of anonymous API requests reach the trading loop?
// The worker and the API run as separate supervised processes, each on its own login
// role, exactly as `wl up` runs them (paper venues). Two phases of WL_BENCH_MINUTES
// (default 2) whole minutes each: a baseline with no load, then ten heavy anonymous
// readers (each from its own loopback address; a sort over WL_BENCH_ROWS market
// snapshots, default 300,000, on an unindexed column) running back to back. In both
// the trader toggles the kill switch every 500 ms over HTTP. Reported: trader mutation
// p50/p99, and the lateness of each minute's collect+scan (scan_run: end of the scan
// − the minute it is for), with the load/baseline ratios.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDatabase, percentile } from './helpers/db.ts';
import { anonymousLoad, populateSnapshots, traderLoop } from './helpers/isolation-load.ts';
import { ensureLogins } from '../db/logins.ts';
import { freePort } from '../db/free-port.ts';
import { supervise } from '../cli/supervise.ts';

const MINUTES = Number(process.env.WL_BENCH_MINUTES || 2);
const ROWS = Number(process.env.WL_BENCH_ROWS || 300_000);
const TOKEN = 'bench-isolation-trader-token-000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (m: string) => process.stderr.write(`${new Date().toISOString()} bench: ${m}\n`);

const db = await benchDatabase('isolation');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wl-bench-iso-'));
process.env.WL_LOGINS_FILE = path.join(tmp, 'logins.json');
const logins = await ensureLogins(db.url);
say(`populating ${ROWS} market snapshots`);
await populateSnapshots(db.pool, ROWS);

const port = await freePort();
const common = { WL_VENUE_MODE: 'paper', WL_BACKFILL_HOURS: '0', NODE_ENV: 'production', DATABASE_URL: '' };
const worker = supervise({ name: 'worker', args: ['worker'], env: { ...common, WL_ATTACH_DATABASE_URL: logins.worker } });
const api = supervise({ name: 'api', args: ['serve'], env: { ...common, WL_ATTACH_DATABASE_URL: logins.graphql, PORT: String(port), WL_TRADER_TOKEN: TOKEN } });
await Promise.all([worker.ready, api.ready]);
say(`worker and API running (API on ${port})`);

interface Phase {
  trader: number[];
  traderErrors: number;
  lateness: number[];
  anon?: { ok: number; refused: number; failed: number; ms: number[] };
}

/** run until MINUTES whole minutes have been collected and scanned under the phase's conditions */
async function phase(name: string, withLoad: boolean): Promise<Phase> {
  const load = withLoad ? anonymousLoad(port, 10) : null;
  await sleep(3000); // let the load reach steady state before the first measured minute
  const first = Math.ceil((Date.now() + 1000) / 60_000) * 60_000;
  const last = first + (MINUTES - 1) * 60_000;
  const trader = traderLoop(port, TOKEN, 500);
  say(`${name}: measuring minutes ${new Date(first).toISOString()} … ${new Date(last).toISOString()}`);
  // the minute's job starts at the boundary; allow it 50 s to finish
  while (Date.now() < last + 50_000) {
    const { rows } = await db.pool.query(`select count(*)::int as n from watchlist.scan_run where ts between $1 and $2 and duration_ms is not null`, [
      new Date(first),
      new Date(last),
    ]);
    if (rows[0].n >= MINUTES && Date.now() > last + 5_000) break;
    await sleep(1000);
  }
  const t = await trader.stop();
  const anon = load ? await load.stop() : undefined;
  const { rows } = await db.pool.query(
    `select extract(epoch from started_at + duration_ms * interval '1 ms' - ts)::float8 as late
     from watchlist.scan_run where ts between $1 and $2 order by ts`,
    [new Date(first), new Date(last)],
  );
  const lateness = rows.map((r) => Number(r.late));
  // a minute never scanned counts as late by the whole wait
  while (lateness.length < MINUTES) lateness.push(Number.POSITIVE_INFINITY);
  return { trader: t.ms, traderErrors: t.errors.length, lateness, anon };
}

try {
  const base = await phase('baseline', false);
  const loaded = await phase('load', true);
  await Promise.all([api.stop(), worker.stop()]);
  const p = (xs: number[], q: number) => percentile(xs, q);
  const max = (xs: number[]) => Math.max(...xs);
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'never');
  const lines = [
    `trader_mutation_p50_ms_baseline: ${f(p(base.trader, 50))} ms`,
    `trader_mutation_p99_ms_baseline: ${f(p(base.trader, 99))} ms`,
    `trader_mutation_p50_ms_under_load: ${f(p(loaded.trader, 50))} ms`,
    `trader_mutation_p99_ms_under_load: ${f(p(loaded.trader, 99))} ms`,
    `trader_mutation_p99_ratio: ${f(p(loaded.trader, 99) / p(base.trader, 99), 2)} x`,
    `trader_mutations: ${base.trader.length} baseline, ${loaded.trader.length} under load (${base.traderErrors + loaded.traderErrors} errors)`,
    `collect_scan_lateness_max_s_baseline: ${f(max(base.lateness), 2)} s`,
    `collect_scan_lateness_max_s_under_load: ${f(max(loaded.lateness), 2)} s`,
    `collect_scan_lateness_ratio: ${f(max(loaded.lateness) / max(base.lateness), 2)} x`,
    `anonymous_requests_ok: ${loaded.anon!.ok} requests`,
    `anonymous_request_p50_ms: ${f(p(loaded.anon!.ms, 50))} ms`,
    `anonymous_requests_refused_or_failed: ${loaded.anon!.refused + loaded.anon!.failed} requests`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await Promise.all([api.stop(), worker.stop()]).catch(() => {});
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
}
