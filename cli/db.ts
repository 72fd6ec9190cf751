// `wl migrate`, `wl db url`: the database commands.
import type { Command } from 'commander';
import pg from 'pg';
import { openDatabase, type Database } from '../db/connect.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { redact } from '../db/config.ts';
import { ensureLogins, type LoginKind, type LoginUrls } from '../db/logins.ts';
import { handleSignals, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { checkServerRoom, type ConnectionBudget } from '../db/budget.ts';
import type { VenueSet } from '../workers/venues/registry.ts';

/** open (embedded or DATABASE_URL), migrate, roll partitions, login roles: what every long-running command starts with */
export async function openMigrated(opts: { budget?: ConnectionBudget } = {}): Promise<Database & { logins: LoginUrls }> {
  handleSignals();
  const db = await openDatabase(log);
  onShutdown('postgres', db.stop);
  if (opts.budget) {
    // before anything is changed: a server without room for the budget is refused
    const s = await checkServerRoom(db.url, opts.budget);
    log(`server: ${s.free} free connections of max_connections ${s.max_connections}; the product takes at most ${opts.budget.total}`);
  }
  await migrateDatabase(db.url, log);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const { rows } = await c.query('select watchlist.roll_partitions() as r');
  await c.end();
  const created = rows[0].r.created as string[];
  log(`partitions ready${created.length ? ` (created ${created.join(', ')})` : ''}`);
  const logins = await ensureLogins(db.url, log);
  return { ...db, logins };
}

/** a one-shot command's start: the migrated database, a small pool and the configured venues, each closed at shutdown */
export async function openWithVenues(): Promise<{ pool: pg.Pool; set: VenueSet }> {
  const db = await openMigrated();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  onShutdown('pool', () => pool.end());
  const { buildVenues } = await import('../workers/venues/registry.ts');
  const set = await buildVenues({ db: pool });
  onShutdown('venues', () => set.close());
  return { pool, set };
}

/**
 * The connection a worker or API process uses. Under `wl up` the parent has opened
 * and migrated the database and passes the login role's URL (WL_ATTACH_DATABASE_URL);
 * run alone, the command opens and migrates it itself.
 */
export async function openAs(kind: LoginKind): Promise<{ url: string; adminUrl: string | null }> {
  const attached = process.env.WL_ATTACH_DATABASE_URL;
  if (attached) {
    handleSignals();
    return { url: attached, adminUrl: null };
  }
  const db = await openMigrated();
  return { url: db.logins[kind], adminUrl: db.url };
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
      const { embeddedUrl, superuserPassword } = await import('../db/embedded.ts');
      const url = embeddedUrl(config.embeddedPort, superuserPassword(config.dataDir));
      process.stdout.write(withDatabase(url, config.embeddedDbName) + '\n');
    });
}
