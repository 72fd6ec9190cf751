// The graphile-worker runner behind `wl worker` (and so `wl up`'s worker child).
// Resilience: our own pool with error listeners (db/pool.ts); graphile-worker's
// cron and LISTEN loops reconnect on their own; start-up retries a lost
// connection; when the pool stops without being asked (graphile-worker shuts a
// pool down when it cannot record a job's outcome), `onFatal` is told so the
// process can exit for its supervisor to restart it. A restarted worker unlocks
// the jobs its dead predecessor held (`unlockPools`), instead of leaving them
// locked for graphile-worker's four hours.
import { EventEmitter } from 'node:events';
import { makeWorkerUtils, run, type Runner, type WorkerEvents } from 'graphile-worker';
import { makePool, retryOnConnectionLoss } from '../db/pool.ts';
import { connectionBudget, safeConcurrency } from '../db/budget.ts';
import { taskList } from './tasks/index.ts';
import { crontab } from './crontab.ts';
import { workerLogger } from './worker-logger.ts';

const WEDGED_MS = 60_000;
/** a checkout that waits longer fails (and graphile-worker retries) instead of hanging forever */
const CONNECT_TIMEOUT_MS = 30_000;
/** cron schedules every minute: two and a half minutes without a beat is a stalled worker */
const STALLED_MS = Number(process.env.WL_WORKER_STALL_MS || 150_000);
/** the job loop polls every second: a minute in which every fetch failed is a poisoned worker (see below) */
const FETCH_STALLED_MS = Number(process.env.WL_WORKER_FETCH_STALL_MS || 60_000);

export interface WorkerOptions {
  url: string;
  concurrency?: number;
  cron?: boolean;
  /** worker pool ids of dead processes whose locked jobs to release before starting */
  unlockPools?: string[];
  /** the pool id graphile-worker locks jobs with (for a successor to unlock) */
  onPool?: (id: string) => void;
  /** the runner stopped on its own (not through stop()) */
  onFatal?: (e: unknown) => void;
  /** pool size; default the worker's share of the connection budget (db/budget.ts) */
  poolMax?: number;
}

export async function startWorker(opts: WorkerOptions): Promise<Runner> {
  // the pool is the budget's worker share; concurrency never exceeds what that pool can
  // serve without deadlock (2 × jobs + LISTEN + one spare: see db/budget.ts)
  const budget = connectionBudget();
  const poolMax = opts.poolMax ?? (opts.concurrency ? 2 * opts.concurrency + 2 : budget.worker);
  const concurrency = Math.min(opts.concurrency ?? budget.workerConcurrency, safeConcurrency(poolMax));
  const pgPool = makePool('worker', { connectionString: opts.url, max: poolMax, application_name: 'wl-worker', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  let started: Runner | null = null;
  let stopping = false;
  try {
    if (opts.unlockPools?.length) {
      const ids = opts.unlockPools;
      await retryOnConnectionLoss('unlocking jobs of a dead worker', async () => {
        const utils = await makeWorkerUtils({ pgPool });
        try {
          await utils.forceUnlockWorkers(ids);
        } finally {
          await utils.release();
        }
      });
      process.stderr.write(`${new Date().toISOString()} wl: released jobs locked by the previous worker (${ids.join(', ')})\n`);
    }
    const events: WorkerEvents = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => opts.onPool?.(workerPool.id));
    if (process.env.WL_WORKER_TRACE) traceEvents(events);
    // heartbeat: cron schedules jobs every minute and jobs complete; a worker that does
    // neither for STALLED_MS after a connection storm (cron or the job loop lost without an
    // error) is restarted by the supervisor rather than leaving trades unmonitored
    let lastBeat = Date.now();
    const beat = () => void (lastBeat = Date.now());
    events.on('cron:scheduled', beat);
    events.on('job:complete', beat);
    // graphile-worker 0.18 caches the task-id lookup as a promise on first use; when that
    // first query fails (a connection storm at start-up) the rejected promise stays
    // cached and every later job fetch fails with it, while cron keeps scheduling: the
    // worker looks alive and runs nothing. A worker whose fetches have all failed for
    // FETCH_STALLED_MS exits for a restart, which builds a fresh cache.
    // (Counted only while fetches fail, so long jobs that keep both slots busy are fine.)
    let failingSince: number | null = null;
    let lastFetchError = '';
    const fetched = () => void (failingSince = null);
    events.on('worker:getJob:empty', fetched);
    events.on('job:start', fetched);
    events.on('worker:getJob:error', ({ error }) => {
      failingSince ??= Date.now();
      lastFetchError = String((error as Error)?.message ?? error);
    });
    const runner = (started = await retryOnConnectionLoss('starting the worker', () =>
      run({
        pgPool,
        events,
        logger: workerLogger,
        concurrency,
        noHandleSignals: true, // the CLI owns signals so postgres stops after the worker
        pollInterval: 1000,
        taskList,
        crontab: opts.cron === false ? '' : crontab,
      }),
    ));
    runner.promise.then(
      () => {
        if (!stopping) opts.onFatal?.(new Error('the worker pool stopped on its own'));
      },
      (e) => {
        if (!stopping) opts.onFatal?.(e);
      },
    );
    // A pool whose waiters are never served (every connection checked out and never
    // returned: a client that died mid-query and was not released) wedges the worker
    // without a single error: no job, no cron. Exit for a restart instead.
    let lastAcquire = Date.now();
    pgPool.on('acquire', () => void (lastAcquire = Date.now()));
    const watchdog = setInterval(() => {
      if (stopping) return;
      if (failingSince !== null && Date.now() - failingSince >= FETCH_STALLED_MS) {
        clearInterval(watchdog);
        return void opts.onFatal?.(new Error(`every job fetch failed for ${FETCH_STALLED_MS / 1000} s (${lastFetchError})`));
      }
      if (opts.cron !== false && Date.now() - lastBeat >= STALLED_MS) {
        clearInterval(watchdog);
        return void opts.onFatal?.(new Error(`no cron run and no job finished for ${STALLED_MS / 1000} s`));
      }
      if (pgPool.waitingCount > 0 && Date.now() - lastAcquire >= WEDGED_MS) {
        clearInterval(watchdog);
        opts.onFatal?.(
          new Error(`${pgPool.waitingCount} waiting for a worker connection and none handed out for ${WEDGED_MS / 1000} s (${pgPool.totalCount} open, ${pgPool.idleCount} idle)`),
        );
      }
    }, Math.min(5000, FETCH_STALLED_MS / 2));
    watchdog.unref();
    // a crash may have left trades half-open or half-closed: reconcile before anything else
    await retryOnConnectionLoss('queueing reconcile', () => runner.addJob('reconcile', {}, { jobKey: 'reconcile:start', priority: -10 }));
    const stop = runner.stop.bind(runner);
    runner.stop = async () => {
      stopping = true;
      clearInterval(watchdog);
      try {
        await stop();
      } finally {
        await pgPool.end();
      }
    };
    return runner;
  } catch (e) {
    stopping = true;
    if (started) await started.stop().catch(() => {});
    await pgPool.end().catch(() => {});
    throw e;
  }
}

/** WL_WORKER_TRACE=1: every graphile-worker event on stderr (polling ones counted every 10 s) */
function traceEvents(events: WorkerEvents) {
  const counts = new Map<string, number>();
  const emit = events.emit.bind(events);
  events.emit = ((name: string, ...args: unknown[]) => {
    if (/getJob:(start|empty)|job:(start|success|complete|release)/.test(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
    else process.stderr.write(`${new Date().toISOString()} wl: worker event ${name}\n`);
    return emit(name as never, ...(args as [never]));
  }) as typeof events.emit;
  setInterval(() => {
    process.stderr.write(`${new Date().toISOString()} wl: worker events ${JSON.stringify(Object.fromEntries(counts))}\n`);
    counts.clear();
  }, 10_000).unref();
}
