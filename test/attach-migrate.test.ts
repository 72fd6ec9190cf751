// Good neighbour on a shared server: `wl migrate` on a database the writer owns and
// keeps inserting into (every 100 ms) loses no row and blocks no insert for more than
// a second; another database on the same server (hummingbot_api) is left untouched.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../db/migrate.ts';
import { withDatabase } from '../db/config.ts';
import { FixtureWriter } from './helpers/writer.ts';

const serverUrl = inject('pgServerUrl');
const name = `wl_t_attmig_${process.pid}`;
const other = `hb_api_t_${process.pid}`;
const url = withDatabase(serverUrl, name);
const otherUrl = withDatabase(serverUrl, other);

async function admin<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try { return await f(c); } finally { await c.end(); }
}

/** everything about a database a migrate could change: its catalog entry, objects, privileges, rows */
async function fingerprint(dbUrl: string, dbName: string) {
  const db = await admin((c) => c.query(`select datname, datdba::regrole::text as owner, datacl::text, datconnlimit, datallowconn from pg_database where datname = $1`, [dbName]));
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const objs = await c.query(`select n.nspname, c.relname, c.relkind, c.relowner::regrole::text as owner, c.relacl::text
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by 1, 2`);
    const schemas = await c.query(`select nspname, nspowner::regrole::text, nspacl::text from pg_namespace order by 1`);
    const procs = await c.query(`select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog', 'information_schema')`);
    const rows = await c.query(`select * from public.bot_runs order by id`);
    return { db: db.rows, objs: objs.rows, schemas: schemas.rows, procs: procs.rows, rows: rows.rows };
  } finally {
    await c.end();
  }
}

/** samples whether pid waits on a lock; longest() is the longest continuous wait seen (ms) */
async function lockWaitSampler(pid: number) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let longest = 0;
  let since: number | null = null;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const { rows } = await c.query(`select wait_event_type = 'Lock' as w from pg_stat_activity where pid = $1`, [pid]);
      const now = performance.now();
      if (rows[0]?.w) {
        since ??= now;
        longest = Math.max(longest, Math.round(now - since));
      } else since = null;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    longest: () => longest,
    reset: () => { longest = 0; since = null; },
    stop: async () => { stop = true; await loop; await c.end(); },
  };
}

beforeAll(async () => {
  await admin(async (c) => {
    for (const d of [name, other]) {
      await c.query(`drop database if exists ${d}`);
      await c.query(`create database ${d}`);
    }
  });
  const o = new pg.Client({ connectionString: otherUrl });
  await o.connect();
  await o.query(`create table public.bot_runs (id serial primary key, name text); insert into public.bot_runs (name) values ('hb-1'), ('hb-2')`);
  await o.end();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(await readFile(path.join(import.meta.dirname, 'fixtures', 'legacy-watchlist.sql'), 'utf8'));
  await new FixtureWriter(c).ensureDay(new Date());
  await c.end();
});
afterAll(async () => {
  await admin(async (c) => {
    for (const d of [name, other]) await c.query(`drop database if exists ${d} with (force)`);
  });
});

describe('migrating a writer-owned database while the writer inserts', () => {
  it('loses no row, blocks no insert for more than a second, and leaves another database on the server untouched', async () => {
    const otherBefore = await fingerprint(otherUrl, other);
    const writerClient = new pg.Client({ connectionString: url });
    await writerClient.connect();
    const w = new FixtureWriter(writerClient);
    const latencies: number[] = [];
    let sent = 0;
    let stop = false;
    const errors: string[] = [];
    const loop = (async () => {
      const q = { name: 'okx', bid: 101, ask: 101.1 };
      const l = { name: 'binance', bid: 98.9, ask: 99 };
      while (!stop) {
        const t0 = performance.now();
        try {
          await w.raw({ symbol: 'LOAD/USDT:USDT', ts: new Date(), high: q, low: l });
          sent++;
        } catch (e) {
          errors.push((e as Error).message);
        }
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // the writer's longest wait on a lock, sampled from pg_stat_activity every 10 ms
    const writerPid = (await writerClient.query('select pg_backend_pid() as p')).rows[0].p;
    const waits = await lockWaitSampler(writerPid);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    await migrateDatabase(url);
    const firstWait = waits.longest();
    waits.reset();
    await migrateDatabase(url); // a second migrate (every `wl up`) re-applies sql/
    const againWait = waits.longest();
    await waits.stop();
    const migrateMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await loop;
    const stored = (await writerClient.query(`select count(*)::int n from watchlist.watch_signal_raw where symbol = 'LOAD/USDT:USDT'`)).rows[0].n;
    await writerClient.end();
    const max = Math.max(...latencies);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`writer during migrate: ${sent} inserts in ${(migrateMs / 1000).toFixed(1)} s of migrating, ` +
      `insert latency max ${max.toFixed(0)} ms, p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)].toFixed(0)} ms`);
    console.log(`writer waited on a lock at most ${firstWait} ms during the first migrate, ${againWait} ms during the re-migrate`);
    expect(errors).toEqual([]);
    expect(stored).toBe(sent);
    expect(sent).toBeGreaterThan(5);
    expect(max).toBeLessThan(1000);
    expect(firstWait).toBeLessThan(1000);
    // re-applying sql/ on every start holds no lock against the writer's inserts
    expect(againWait).toBeLessThan(100);
    expect(await fingerprint(otherUrl, other)).toEqual(otherBefore);
  });

  it("a re-migrate (every start) takes no lock on the writer's tables: it finishes while a writer transaction is open on both", async () => {
    const w = new pg.Client({ connectionString: url });
    await w.connect();
    try {
      await w.query('begin');
      await new FixtureWriter(w).raw({ symbol: 'TX/USDT:USDT', ts: new Date(), high: { name: 'okx', bid: 101, ask: 101.1 }, low: { name: 'binance', bid: 98.9, ask: 99 } });
      await w.query(`update watchlist.watch_signal_event set reason = reason where false`);
      await w.query(`lock table watchlist.watch_signal_event in row exclusive mode`);
      const t0 = performance.now();
      const done = await Promise.race([
        migrateDatabase(url).then(() => 'migrated'),
        new Promise((r) => setTimeout(() => r('blocked'), 10_000)),
      ]);
      console.log(`re-migrate with a writer transaction open: ${done} after ${(performance.now() - t0).toFixed(0)} ms`);
      expect(done).toBe('migrated');
    } finally {
      await w.query('rollback').catch(() => {});
      await w.end();
    }
  });

  it("partition rolling follows the writer's naming where it has one, and ours elsewhere", async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = (await c.query('select watchlist.roll_partitions() as r')).rows[0].r;
      const parts = async (t: string) => (await c.query(
        `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass order by 1`, [`watchlist.${t}`])).rows.map((x) => x.relname as string);
      const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
      for (const t of ['watch_signal_raw', 'watchlist_series_agg']) {
        const names = await parts(t);
        expect(names.filter((n) => /_p\d{8}$/.test(n))).toEqual([]);
        expect(names).toEqual(expect.arrayContaining([`${t}_${day(0)}`, `${t}_${day(1)}`]));
      }
      expect(await parts('market_snapshot')).toContain(`market_snapshot_p${day(0)}`);
      expect(r.created.some((n: string) => /^watch_signal_raw_p/.test(n))).toBe(false);
    } finally {
      await c.end();
    }
  });
});

