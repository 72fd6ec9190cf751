// `wl migrate`, `wl db url`: the database commands.
import type { Command } from 'commander';
import pg from 'pg';
import { openDatabase, type Database } from '../db/connect.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { redact } from '../db/config.ts';
import { handleSignals, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';

/** open (embedded or DATABASE_URL), migrate, roll partitions: what every long-running command starts with */
export async function openMigrated(): Promise<Database> {
  handleSignals();
  const db = await openDatabase(log);
  onShutdown('postgres', db.stop);
  await migrateDatabase(db.url, log);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const { rows } = await c.query('select watchlist.roll_partitions() as r');
  await c.end();
  const created = rows[0].r.created as string[];
  log(`partitions ready${created.length ? ` (created ${created.join(', ')})` : ''}`);
  return db;
}

export function registerDbCommands(program: Command) {
  program
    .command('migrate')
    .description('apply committed migrations and re-apply sql/ definitions (idempotent)')
    .action(async () => {
      const db = await openMigrated();
      log(`migrated ${redact(db.url)}`);
      await shutdown(0);
    });

  const dbCmd = program.command('db').description('database helpers');
  dbCmd
    .command('url')
    .description('print the connection string (psql "$(wl db url)")')
    .action(async () => {
      if (process.env.DATABASE_URL) {
        process.stdout.write(process.env.DATABASE_URL + '\n');
        return;
      }
      const { config, withDatabase } = await import('../db/config.ts');
      const { embeddedUrl } = await import('../db/embedded.ts');
      process.stdout.write(withDatabase(embeddedUrl(config.embeddedPort), config.embeddedDbName) + '\n');
    });
}
