// Resolve the database every command talks to: DATABASE_URL, or the embedded
// cluster (started here, stopped on exit) with a `watchlist` database in it.
import pg from 'pg';
import { config, redact, withDatabase } from './config.ts';
import { startEmbedded } from './embedded.ts';

export interface Database {
  url: string;
  embedded: boolean;
  /** a string: what was done instead of stopping (cli/lifecycle.ts logs it) */
  stop(): Promise<void | string>;
}

export async function ensureDatabase(serverUrl: string, name: string) {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await c.query(`create database ${pg.escapeIdentifier(name)}`).catch((e) => {
      if (e.code !== '42P04') throw e; // created concurrently
    });
  } finally {
    await c.end();
  }
}

export async function openDatabase(log: (m: string) => void = () => {}): Promise<Database> {
  if (config.databaseUrl) {
    log(`database: ${redact(config.databaseUrl)} (DATABASE_URL)`);
    return { url: config.databaseUrl, embedded: false, stop: async () => '' }; // not ours: nothing stopped, nothing to say
  }
  log(`database: embedded PostgreSQL 16 in ${config.dataDir}, port ${config.embeddedPort}`);
  const handle = await startEmbedded({ dataDir: config.dataDir, port: config.embeddedPort, log });
  await ensureDatabase(handle.url, config.embeddedDbName);
  return { url: withDatabase(handle.url, config.embeddedDbName), embedded: true, stop: handle.stop };
}
