// `wl up` and `wl worker`: the long-running commands.
import type { Command } from 'commander';
import pg from 'pg';
import { startWorker } from '../workers/runner.ts';
import { followSupervisor, supervise, tellSupervisor } from './supervise.ts';
import { closeSharedVenues, configureVenues, sharedVenues, venueNamesFromEnv } from '../workers/venues/registry.ts';
import { config, redact, repoRoot } from '../db/config.ts';
import path from 'node:path';
import { makePool } from '../db/pool.ts';
import { openAs, openMigrated } from './db.ts';
import { backfill } from './backfill.ts';
import { isStopping, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';

interface RunOptions {
  venues?: string;
  demo?: boolean;
}

/** venues from --venues / WL_VENUES; paper unless keys are in the environment */
async function startVenues(url: string, o: RunOptions) {
  if (o.venues) process.env.WL_VENUES = o.venues;
  if (o.demo) process.env.WL_SIM_DEMO = '1';
  configureVenues({ url });
  onShutdown('venues', closeSharedVenues);
  const set = await sharedVenues();
  log(`venues: ${set.venues.map((v) => v.name).join(', ')} (${set.sim ? 'paper, simulated market' + (o.demo ? ', demo pace' : '') : 'exchange'})`);
  return set;
}

/** a fresh paper install gets history at once, so 1h/12h factors exist from the first minute */
async function firstStartHistory(url: string, simulated: boolean) {
  const hours = Number(process.env.WL_BACKFILL_HOURS ?? 12);
  if (!simulated || !(hours > 0)) return;
  const pool = makePool('backfill', { connectionString: url, max: 2 });
  try {
    const { rows } = await pool.query('select exists (select 1 from watchlist.market_snapshot) as any');
    if (rows[0].any) return;
    log(`empty database: backfilling ${hours}h of simulated market history (WL_BACKFILL_HOURS=0 skips)`);
    const s = await backfill(pool, { hours, progress: () => {} });
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
      followSupervisor(() => void shutdown(0));
      tellSupervisor({ type: 'ready' });
      log(`worker running: collect_market, scan, monitor every minute; reconcile every 3 min; venues ${venueNamesFromEnv().join(',')}`);
    });

  program
    .command('up')
    .description('database + migrations + workers + GraphQL and pages: the whole product')
    .option('--venues <list>', 'exchanges to use (default WL_VENUES or binance,okx,bybit,bitget); live where keys are set')
    .option('--demo', 'paper market at demo pace (dislocations revert in minutes) and a 30-minute max hold, to see the whole loop quickly')
    .action(async (o: RunOptions) => {
      if (o.demo) {
        // a demo's config (30-minute max hold) and simulated trades must never leak
        // into a real installation: it runs paper-only on an embedded database of its own
        if (config.databaseUrl) throw new Error('--demo runs on its own embedded database: unset DATABASE_URL');
        process.env.WL_VENUE_MODE = 'paper';
        config.dataDir = process.env.WL_DEMO_DATA_DIR || path.join(repoRoot, '.data', 'demo');
        config.embeddedPort = Number(process.env.WL_DEMO_PG_PORT || config.embeddedPort + 10);
      }
      const db = await openMigrated();
      const set = await startVenues(db.url, o);
      if (o.demo) {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await c.query(`select watchlist.set_config('trade.max_hold_hours', '0.5', 'wl up --demo')`);
        await c.end();
        log(`demo: paper venues only, database in ${config.dataDir}, trade.max_hold_hours = 0.5`);
      }
      await firstStartHistory(db.url, set.sim !== null);
      // the trading loop and the API never share a process: each is a supervised child
      // (`wl worker`, `wl serve`) connecting as its own login role
      const worker = supervise({ name: 'worker', args: ['worker'], env: { WL_ATTACH_DATABASE_URL: db.logins.worker } });
      onShutdown('worker', worker.stop);
      const api = supervise({ name: 'api', args: ['serve'], env: { WL_ATTACH_DATABASE_URL: db.logins.graphql } });
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
      log(`ready. database ${redact(db.url)}. Ctrl-C stops everything.`);
    });
}
