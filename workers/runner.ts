// The graphile-worker runner behind `wl worker` and `wl up`.
import pg from 'pg';
import { run, type Runner } from 'graphile-worker';
import { taskList } from './tasks/index.ts';
import { crontab } from './crontab.ts';

export async function startWorker(opts: { url: string; concurrency?: number; cron?: boolean }): Promise<Runner> {
  // our own pool, so a connection killed during shutdown (Ctrl-C reaches
  // postgres too) is logged instead of crashing the process
  const pgPool = new pg.Pool({ connectionString: opts.url, max: (opts.concurrency ?? 8) + 4 });
  pgPool.on('error', (e) => process.stderr.write(`worker pool: ${e.message}\n`));
  pgPool.on('connect', (c) => c.on('error', (e) => process.stderr.write(`worker client: ${e.message}\n`)));
  const runner = await run({
    pgPool,
    concurrency: opts.concurrency ?? Number(process.env.WL_WORKER_CONCURRENCY || 8),
    noHandleSignals: true, // the CLI owns signals so postgres stops after the worker
    pollInterval: 1000,
    taskList,
    crontab: opts.cron === false ? '' : crontab,
  });
  // a crash may have left trades half-open or half-closed: reconcile before anything else
  await runner.addJob('reconcile', {}, { jobKey: 'reconcile:start', priority: -10 });
  const stop = runner.stop.bind(runner);
  runner.stop = async () => {
    await stop();
    await pgPool.end();
  };
  return runner;
}
