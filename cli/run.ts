// `wl up` and `wl worker`: the long-running commands.
import type { Command } from 'commander';
import pg from 'pg';
import { startWorker } from '../workers/runner.ts';
import { followSupervisor, supervise, tellSupervisor } from './supervise.ts';
import { closeSharedVenues, configureVenues, sharedVenues, venueNamesFromEnv } from '../workers/venues/registry.ts';
import { config, redact, repoRoot } from '../db/config.ts';
import path from 'node:path';
import { makePool } from '../db/pool.ts';
import { budgetEnv, connectionBudget, describeBudget } from '../db/budget.ts';
import { openAs, openMigrated } from './db.ts';
import { backfill } from './backfill.ts';
import { isStopping, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { runPreflight } from './preflight.ts';
import { describeModes, modeBanner, recordVenueModes } from '../workers/venues/venue-modes.ts';
import type { VenueSet } from '../workers/venues/registry.ts';
import { applyAttachMode } from './attach.ts';
import { startNotifier } from '../workers/notify/notifier.ts';
import { applyDemoSettings, DEMO_BACKFILL_HOURS, describeDemoSettings } from '../workers/sim/demo.ts';

interface RunOptions {
  venues?: string;
  demo?: boolean;
  sandbox?: boolean;
  attach?: boolean;
}

/** venues from --venues / WL_VENUES; paper unless keys are in the environment */
/** `preflight`: false in the `wl up` supervisor, whose worker child runs it before its first job */
async function startVenues(url: string, o: RunOptions, preflight = true) {
  if (o.venues) process.env.WL_VENUES = o.venues;
  if (o.demo) process.env.WL_SIM_DEMO = '1';
  if (o.sandbox) process.env.WL_VENUE_SANDBOX = '1';
  configureVenues({ url });
  onShutdown('venues', closeSharedVenues);
  let set: VenueSet;
  try {
    set = await sharedVenues();
  } catch (e) {
    // main stops what was started (the embedded PostgreSQL too) and exits non-zero
    throw new Error(`no venue could start, nothing to collect or trade: ${(e as Error).message}`, { cause: e });
  }
  await announceVenueModes(url, set, o);
  if (set.sandbox) log("SANDBOX: exchange venues are the exchanges' demo/testnet environments (*_SANDBOX_* keys); no real money moves");
  if (preflight) await preflightAtStart(url, set);
  return set;
}

/** preflight before the first job: a venue that fails is recorded not tradeable, the rest go on */
async function preflightAtStart(url: string, set: VenueSet) {
  const pool = makePool('preflight', { connectionString: url, max: 2 });
  try {
    const r = await runPreflight(pool, set, process.env, { prune: true });
    log(r.ok ? `preflight: every venue passed` : `preflight: not traded: ${r.failed.join(', ')} (wl preflight shows why)`);
  } finally {
    await pool.end();
  }
}

/** every venue's mode, in the log and in watchlist.venue_mode (pages, GraphQL) */
async function announceVenueModes(url: string, set: VenueSet, o: RunOptions) {
  const paper = set.modes.some((m) => m.mode === 'paper');
  log(`venues: ${describeModes(set.modes)}${paper ? ` (paper: simulated market${o.demo ? ', demo pace' : ''})` : ''}`);
  if (paper && set.modes.some((m) => m.mode !== 'paper')) {
    log('warning: paper and real venues mixed: spreads between a simulated and a real market are not real opportunities');
  }
  const pool = makePool('venue-modes', { connectionString: url, max: 1 });
  try {
    await recordVenueModes(pool, set.requested, set.modes);
  } finally {
    await pool.end();
  }
}

/**
 * A fresh install gets history for its paper venues at once, so 1h/12h factors exist from the
 * first minute (a demo needs only the hour its Type B factors read, so it starts trading sooner).
 */
async function firstStartHistory(url: string, set: VenueSet, demo = false) {
  const hours = Number(process.env.WL_BACKFILL_HOURS ?? (demo ? DEMO_BACKFILL_HOURS : 12));
  const venues = set.modes.filter((m) => m.mode === 'paper').map((m) => m.venue);
  if (venues.length === 0 || !(hours > 0)) return;
  const pool = makePool('backfill', { connectionString: url, max: 2 });
  try {
    const { rows } = await pool.query('select exists (select 1 from watchlist.market_snapshot) as any');
    if (rows[0].any) return;
    log(`empty database: backfilling ${hours}h of simulated market history for ${venues.join(', ')} (WL_BACKFILL_HOURS=0 skips)`);
    const s = await backfill(pool, { hours, venues, progress: () => {} });
    log(`history: ${s.minutes} minutes, ${s.snapshotRows} snapshots, ${s.rawRows} raw signals, ${s.events} events in ${s.seconds.toFixed(0)} s`);
  } finally {
    await pool.end();
  }
}

/** exit for the supervisor when the worker is no longer sound (a lost connection graphile-worker could not handle) */
function exitForRestart(why: string) {
  if (isStopping()) return;
  log(`worker: ${why}; exiting so it is restarted`);
  setTimeout(() => process.exit(1), 10_000).unref(); // a stop that hangs on a dead database
  void shutdown(1);
}

export function registerRun(program: Command) {
  program
    .command('worker')
    .description('run the graphile-worker jobs (cron, trading, collection)')
    .option('--venues <list>', 'exchanges to use (default WL_VENUES or binance,okx,bybit,bitget)')
    .option('--sandbox', "the exchanges' demo/testnet with the *_SANDBOX_* keys (WL_VENUE_SANDBOX=1)")
    .action(async (o: RunOptions) => {
      const { url } = await openAs('worker');
      process.on('unhandledRejection', (e) => exitForRestart(`unhandled ${(e as Error)?.message ?? String(e)}`));
      process.on('uncaughtException', (e) => exitForRestart(`uncaught ${e?.message ?? String(e)}`));
      await startVenues(url, o);
      const runner = await startWorker({
        url,
        unlockPools: (process.env.WL_UNLOCK_WORKER_POOLS ?? '').split(',').filter(Boolean),
        onPool: (id) => tellSupervisor({ type: 'worker_pool', id }),
        onFatal: (e) => exitForRestart(`the job runner stopped (${(e as Error)?.message ?? String(e)})`),
      });
      onShutdown('worker', () => runner.stop());
      const notifier = await startNotifier({ url, log }); // WL_WEBHOOK_URL / WL_TELEGRAM_*: off when unset
      if (notifier) onShutdown('notifier', notifier.stop);
      followSupervisor(() => void shutdown(0));
      tellSupervisor({ type: 'ready' });
      log(`worker running: collect_market, scan, monitor every minute; reconcile every 3 min; venues ${venueNamesFromEnv().join(',')}`);
    });

  program
    .command('up')
    .description('database + migrations + workers + GraphQL and pages: the whole product')
    .option('--venues <list>', 'exchanges to use (default WL_VENUES or binance,okx,bybit,bitget); live where keys are set')
    .option('--sandbox', "the exchanges' demo/testnet with the *_SANDBOX_* keys (WL_VENUE_SANDBOX=1)")
    .option('--attach', 'an external watchlist writer owns the raw rows and events: trade from its events (WL_ATTACH=1)')
    .option('--demo', `paper market at demo pace (dislocations revert in minutes) and demo settings (${describeDemoSettings()}), to see the whole loop quickly`)
    .action(async (o: RunOptions) => {
      if (o.demo) {
        // a demo's settings (workers/sim/demo.ts) and simulated trades must never leak
        // into a real installation: it runs paper-only on an embedded database of its own
        if (config.databaseUrl) throw new Error('--demo runs on its own embedded database: unset DATABASE_URL');
        process.env.WL_VENUE_MODE = 'paper';
        config.dataDir = process.env.WL_DEMO_DATA_DIR || path.join(repoRoot, '.data', 'demo');
        config.embeddedPort = Number(process.env.WL_DEMO_PG_PORT || config.embeddedPort + 10);
      }
      const budget = connectionBudget(); // a bad WL_DB_MAX_CONNECTIONS fails before anything starts
      const db = await openMigrated({ budget });
      await applyAttachMode(db.url, o.attach);
      const set = await startVenues(db.url, o, false);
      if (o.demo) {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await applyDemoSettings(c);
        await c.end();
        log(`demo: paper venues only, database in ${config.dataDir}, ${describeDemoSettings()}`);
      }
      await firstStartHistory(db.url, set, o.demo);
      // the supervisor holds no connection while its children run: the budget is theirs
      // (its other start-up pools and clients are closed where they are used)
      await closeSharedVenues();
      log(describeBudget(budget));
      // the trading loop and the API never share a process: each is a supervised child
      // (`wl worker`, `wl serve`) connecting as its own login role, sized by the budget
      const env = budgetEnv(budget);
      const worker = supervise({ name: 'worker', args: ['worker'], env: { ...env, WL_ATTACH_DATABASE_URL: db.logins.worker } });
      onShutdown('worker', worker.stop);
      const api = supervise({ name: 'api', args: ['serve'], env: { ...env, WL_ATTACH_DATABASE_URL: db.logins.graphql } });
      onShutdown('api', api.stop);
      try {
        await Promise.all([worker.ready, api.ready]);
      } catch (e) {
        log(`error: ${(e as Error).message}`);
        return void (await shutdown(1));
      }
      log(`processes: worker pid ${worker.pid()}, api pid ${api.pid()} (restarted with back-off if they exit)`);
      // the URL carries a password: the log shows how to get it, not the password
      const psql = !db.embedded
        ? 'psql "$DATABASE_URL"'
        : `psql "$(${o.demo ? `WL_DATA_DIR=${config.dataDir} WL_PG_PORT=${config.embeddedPort} ` : ''}npx wl db url)"`;
      log(`psql: ${psql}`);
      // last before "ready", where the eye lands: how each venue trades (the pages' header badges say the same)
      log(modeBanner(set.modes));
      log(`ready. database ${redact(db.url)}. Ctrl-C stops everything.`);
    });
}
