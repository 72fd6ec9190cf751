// The graphile-worker runner behind `wl worker` and `wl up`.
import { run, type Runner } from 'graphile-worker';
import { taskList } from './tasks/index.ts';
import { crontab } from './crontab.ts';

export async function startWorker(opts: { url: string; concurrency?: number; cron?: boolean }): Promise<Runner> {
  return run({
    connectionString: opts.url,
    concurrency: opts.concurrency ?? Number(process.env.WL_WORKER_CONCURRENCY || 8),
    noHandleSignals: true, // the CLI owns signals so postgres stops after the worker
    pollInterval: 1000,
    taskList,
    crontab: opts.cron === false ? '' : crontab,
  });
}
