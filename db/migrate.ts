// `wl migrate`: committed migrations (graphile-migrate), graphile-worker's own
// schema, then every idempotent definition under sql/ re-applied in order.
// graphile-migrate's afterAllMigrations only runs when a migration ran, so the
// sql/ step is ours and runs every time.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrate as gmMigrate } from 'graphile-migrate';
import { Logger } from 'graphile-migrate';
import { runMigrations as workerMigrations } from 'graphile-worker';
import { createRequire } from 'node:module';
import { repoRoot } from './config.ts';

// graphile-migrate keeps its pool alive briefly after use and exits the process
// on a pool error: release it as soon as migrating is done.
const { clearAllPools } = createRequire(import.meta.url)('graphile-migrate/dist/pgReal.js') as { clearAllPools: () => void };

const sqlDir = path.join(repoRoot, 'sql');
// roles before anything that grants; grants after everything they grant on;
// ensure_trigger (defer_ddl.sql) before any file that declares a trigger; the shared
// rules (rules.sql) before the views that call them; the API's comments (api.sql) after
// everything they describe, so theirs are the ones in force
const FIRST = ['roles.sql', 'defer_ddl.sql', 'rules.sql'];
const LAST = ['api.sql', 'grants.sql'];

export async function sqlFiles(): Promise<string[]> {
  const all = (await readdir(sqlDir)).filter((f) => f.endsWith('.sql')).sort();
  const middle = all.filter((f) => !FIRST.includes(f) && !LAST.includes(f));
  return [...FIRST.filter((f) => all.includes(f)), ...middle, ...LAST.filter((f) => all.includes(f))];
}

export async function applySqlDir(url: string, log: (m: string) => void = () => {}) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    // one applier at a time per database; roles are cluster-wide and guarded in SQL
    await client.query(`select pg_advisory_xact_lock(hashtext('wl:apply-sql'))`);
    await client.query('set local check_function_bodies = off');
    await client.query(`set local client_min_messages = warning`);
    const files = await sqlFiles();
    for (const f of files) {
      const text = await readFile(path.join(sqlDir, f), 'utf8');
      try {
        await client.query(text);
      } catch (e) {
        throw new Error(`sql/${f}: ${(e as Error).message}`, { cause: e });
      }
    }
    // triggers on the writer's tables last, so their locks last only until this commit (sql/defer_ddl.sql)
    await client.query('select watchlist.run_deferred_ddl()');
    await client.query('commit');
    log(`applied sql/ (${files.length} files)`);
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

const quietLogger = (log: (m: string) => void) =>
  new Logger(() => (level: string, message: string) => {
    if (level === 'error' || level === 'warning') log(`graphile-migrate ${level}: ${message}`);
    else if (/migration/i.test(message)) log(message.replace(/^graphile-migrate: /, ''));
  });

/** what follows the committed migrations: graphile-worker's schema, then sql/ (also graphile-migrate's hook, .gmrc) */
export async function applyDefinitions(url: string, log: (m: string) => void = () => {}) {
  await workerMigrations({ connectionString: url, logger: undefined });
  await applySqlDir(url, log);
}

export async function migrateDatabase(url: string, log: (m: string) => void = () => {}) {
  // committed migrations only: migrations/current.sql is work in progress (npm run migrate:watch)
  await gmMigrate({
    connectionString: url,
    migrationsFolder: path.join(repoRoot, 'migrations'),
    logger: quietLogger(log),
  } as never);
  clearAllPools();
  await applyDefinitions(url, log);
}
