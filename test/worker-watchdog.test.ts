// The CI storm test once left `wl up` with a worker that ran nothing: graphile-worker
// 0.18 caches its task-id lookup as a promise on first use, so when that first query
// fails (a connection cut at start-up) every later job fetch fails with the cached
// error while cron keeps scheduling — no crash, no job, and the cron heartbeat
// content. Whatever makes every fetch fail (here: the jobs table is away for a
// while), the runner's watchdog must ask for a restart; a fresh runner runs the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from 'graphile-worker';
import { freshDb, type TestDb } from './helpers/db.ts';

process.env.WL_WORKER_FETCH_STALL_MS = '3000';
const { startWorker } = await import('../workers/runner.ts');

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pending = async () =>
  (await db.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'close_stale_events'`)).rows[0].n as number;

describe('worker watchdog', () => {
  it('restarts a worker whose every job fetch fails (as with a cached failed task lookup), and the next one runs the job', { timeout: 60_000 }, async () => {
    let fatal: Error | null = null;
    let a: Runner | null = await startWorker({ url: db.url, cron: false, concurrency: 1, poolMax: 4, onFatal: (e) => void (fatal ??= e as Error) });
    let b: Runner | null = null;
    try {
      // the runner's start-up reconcile job must be done first: a job in flight while the
      // table is away fails to record its outcome (graphile-worker does not await that write)
      const t00 = Date.now();
      const busy = async () => (await db.query(
        `select count(*)::int as n from graphile_worker.jobs where locked_at is not null or (task_identifier = 'reconcile' and attempts = 0)`)).rows[0].n as number;
      while ((await busy()) > 0 && Date.now() - t00 < 20_000) await sleep(200);
      expect(await busy()).toBe(0);
      await db.query(`delete from graphile_worker._private_jobs`);
      await db.query(`select graphile_worker.add_job('close_stale_events', '{}'::json, run_at => now() + interval '1 hour')`);
      await db.query(`alter table graphile_worker._private_jobs rename to _private_jobs_away`);
      const t0 = Date.now();
      while (!fatal && Date.now() - t0 < 15_000) await sleep(250);
      await db.query(`alter table graphile_worker._private_jobs_away rename to _private_jobs`);
      expect(fatal, 'the watchdog never asked for a restart').not.toBeNull();
      expect(fatal!.message).toMatch(/every job fetch failed for 3 s .*_private_jobs/);
      await db.query(`update graphile_worker._private_jobs set run_at = now()`);
      await a.stop();
      a = null;

      b = await startWorker({ url: db.url, cron: false, concurrency: 1, poolMax: 4 });
      const t1 = Date.now();
      while ((await pending()) > 0 && Date.now() - t1 < 20_000) await sleep(250);
      expect(await pending()).toBe(0);
    } finally {
      await a?.stop().catch(() => {});
      await b?.stop().catch(() => {});
    }
  });
});
