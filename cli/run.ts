// `wl up` and `wl worker`: the long-running commands.
import type { Command } from 'commander';
import { startWorker } from '../workers/runner.ts';
import { redact } from '../db/config.ts';
import { openMigrated } from './db.ts';
import { onShutdown } from './lifecycle.ts';
import { log } from './log.ts';

export function registerRun(program: Command) {
  program
    .command('worker')
    .description('run the graphile-worker jobs (cron, trading, collection)')
    .action(async () => {
      const db = await openMigrated();
      const runner = await startWorker({ url: db.url });
      onShutdown('worker', () => runner.stop());
      log('worker running');
    });

  program
    .command('up')
    .description('database + migrations + workers (+ GraphQL and pages): the whole product')
    .action(async () => {
      const db = await openMigrated();
      const runner = await startWorker({ url: db.url });
      onShutdown('worker', () => runner.stop());
      log('worker running (cron: close_stale_events every minute, roll_partitions 00:05 UTC)');
      log(`psql: psql "${db.url}"`);
      log(`ready. database ${redact(db.url)}. Ctrl-C stops everything.`);
    });
}
