// `npm run bench:scan:compare`: the scan of this checkout against an older commit's
// watchlist.scan, on the same database and the same minutes, in alternation (A B B A per
// minute, each in a transaction that is rolled back, so both see the same state); then
// the minute is scanned for good and the next one written. Also checks that both write
// the same raw rows. Database: bench/helpers/scan-fixture.ts (its knobs), or an existing
// one kept with BENCH_KEEP=1 passed as COMPARE_URL (this checkout's sql/factors.sql and
// sql/scan.sql are re-applied to it). COMPARE_BASE (default 682cc84: the scan in one
// function), COMPARE_MINUTES (default 6), COMPARE_REPS (A B B A groups per minute, default 2).
// On a shared machine wall time swings with the others' load: besides it, the backend's own
// CPU time per scan (/proc/<pid>/schedstat, when the server runs on this machine) and the
// median of the per-minute ratios are reported. COMPARE_AT=<ts> (with COMPARE_URL) re-scans
// minutes already scanned from ts on instead (p_force, rolled back: step 3 is what differs).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { scanFixture, secs } from './helpers/scan-fixture.ts';

const BASE = process.env.COMPARE_BASE ?? '682cc84';
const MINUTES = Number(process.env.COMPARE_MINUTES ?? 6);
const REPS = Number(process.env.COMPARE_REPS ?? 2);
const root = path.resolve(import.meta.dirname, '..');
const log = (m: string) => console.error(`[bench:scan:compare] ${m}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** the base commit's watchlist.scan(ts, force) as watchlist.scan_base */
function baseScan(): string {
  const text = execFileSync('git', ['-C', root, 'show', `${BASE}:sql/scan.sql`], { encoding: 'utf8' });
  const head = 'create or replace function watchlist.scan(';
  const start = text.indexOf(head);
  const end = text.indexOf('\nend $$;', start);
  if (start < 0 || end < 0) throw new Error(`no watchlist.scan in ${BASE}:sql/scan.sql`);
  return 'create or replace function watchlist.scan_base(' + text.slice(start + head.length, end) + '\nend $$;';
}

async function main() {
  let fx: Awaited<ReturnType<typeof scanFixture>> | null = null;
  let db: pg.Client;
  if (process.env.COMPARE_URL) {
    db = new pg.Client({ connectionString: process.env.COMPARE_URL });
    await db.connect();
    for (const f of ['factors.sql', 'scan.sql']) await db.query(readFileSync(path.join(root, 'sql', f), 'utf8'));
  } else {
    fx = await scanFixture('scan_compare', { warm: 3, timed: MINUTES, log });
    db = fx.db;
  }
  try {
    await db.query(baseScan());
    const { rows: [{ pid }] } = await db.query('select pg_backend_pid() as pid');
    const stat = `/proc/${pid}/schedstat`;
    const cpuMs = () => (existsSync(stat) ? Number(readFileSync(stat, 'utf8').split(' ')[0]) / 1e6 : NaN);
    const at = process.env.COMPARE_AT ? new Date(process.env.COMPARE_AT) : null;
    let atK = 0;
    const next = async () => {
      if (at) return new Date(at.getTime() + 60_000 * atK++);
      const { rows: [{ ts }] } = await db.query(`select max(ts) + interval '1 minute' as ts from watchlist.scan_run`);
      await db.query(`select bench.insert_minute($1)`, [ts]);
      return ts as Date;
    };
    if (!at) for (let i = 0; i < 3; i++) await db.query(`select watchlist.scan($1)`, [await next()]); // warm
    const rowsOf = async (fn: string, ts: Date) => {
      await db.query('begin');
      try {
        await db.query(`select watchlist.${fn}($1, $2)`, [ts, !!at]);
        const { rows } = await db.query(`select coalesce(jsonb_agg(to_jsonb(r) - 'id' - 'created_at' - 'ingested_at'
            order by r.symbol, r.leg_a_exchange, r.leg_b_exchange), '[]') as j
          from watchlist.watch_signal_raw r where r.ts = $1`, [ts]);
        return rows[0].j;
      } finally {
        await db.query('rollback');
      }
    };
    type Times = { total: number[]; step3: number[]; cpu: number[] };
    const times: Record<string, Times> = { base: { total: [], step3: [], cpu: [] }, scan: { total: [], step3: [], cpu: [] } };
    const minuteRatios: Record<keyof Times, number[]> = { total: [], step3: [], cpu: [] };
    let same = true;
    let raws = 0;
    for (let m = 0; m < MINUTES; m++) {
      const ts = await next();
      const a = JSON.stringify(await rowsOf('scan_base', ts));
      const b = JSON.stringify(await rowsOf('scan', ts));
      if (a !== b) {
        same = false;
        log(`minute ${ts.toISOString()}: raw rows differ\n base: ${a.slice(0, 2000)}\n scan: ${b.slice(0, 2000)}`);
      }
      raws = JSON.parse(b).length;
      for (let r = 0; r < REPS; r++) {
        for (const fn of ['scan_base', 'scan', 'scan', 'scan_base']) {
          await db.query('begin');
          const c = cpuMs();
          const t = process.hrtime.bigint();
          const { rows: [{ s }] } = await db.query(`select watchlist.${fn}($1, $2) as s`, [ts, !!at]);
          const total = secs(t) * 1000;
          const cpu = cpuMs() - c;
          await db.query('rollback');
          const k = fn === 'scan' ? 'scan' : 'base';
          times[k].total.push(total);
          times[k].step3.push(s.ms - s.ms_after.series_ms);
          times[k].cpu.push(cpu);
        }
      }
      if (!at) await db.query(`select watchlist.scan($1)`, [ts]);
      const last = (k: string, f: keyof Times) => median(times[k][f].slice(-2 * REPS));
      for (const f of ['total', 'step3', 'cpu'] as const) minuteRatios[f].push(last('scan', f) / last('base', f));
      log(`minute ${ts.toISOString()}: ${raws} raw rows; base step 3 ${last('base', 'step3').toFixed(1)} ms (cpu ${last('base', 'cpu').toFixed(1)} ms), ` +
        `scan step 3 ${last('scan', 'step3').toFixed(1)} ms (cpu ${last('scan', 'cpu').toFixed(1)} ms)`);
    }
    const ratio = (k: keyof Times) => median(times.scan[k]) / median(times.base[k]);
    console.log(`base: ${BASE}`);
    console.log(`base_scan_ms_p50: ${median(times.base.total).toFixed(1)} ms (step 3 ${median(times.base.step3).toFixed(1)} ms)`);
    console.log(`scan_ms_p50: ${median(times.scan.total).toFixed(1)} ms (step 3 ${median(times.scan.step3).toFixed(1)} ms)`);
    console.log(`ratio_total: ${ratio('total').toFixed(3)}`);
    console.log(`ratio_step3: ${ratio('step3').toFixed(3)}`);
    console.log(`base_cpu_ms_p50: ${median(times.base.cpu).toFixed(1)} ms, scan_cpu_ms_p50: ${median(times.scan.cpu).toFixed(1)} ms`);
    console.log(`ratio_cpu: ${ratio('cpu').toFixed(3)}`);
    for (const f of ['total', 'step3', 'cpu'] as const) console.log(`ratio_${f}_median_of_minutes: ${median(minuteRatios[f]).toFixed(3)}`);
    console.log(`raw_rows_per_minute: ${raws}`);
    console.log(`same_raw_rows: ${same}`);
  } finally {
    await db.query('drop function if exists watchlist.scan_base(timestamptz, boolean)').catch(() => {});
    if (fx) await fx.close();
    else await db.end();
  }
}

await main();
