// One PostgreSQL for the whole run (embedded in a fresh folder, or DATABASE_URL's
// server), with a migrated template database every test file clones.
import type { TestProject } from 'vitest/node';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../db/free-port.ts';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../db/embedded.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { withDatabase } from '../db/config.ts';
import { DEFAULT_SYMBOLS, DEFAULT_VENUES } from '../workers/sim/universe.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  let serverUrl: string;
  let stop: () => Promise<void> = async () => {};
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-test-pg-'));
    chmodSync(dir, 0o755); // the postgres OS user (when run as root) must reach it
    const handle = await startEmbedded({ dataDir: path.join(dir, 'data'), port: await freePort(), persistent: false });
    serverUrl = handle.url;
    stop = async () => {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const templateDb = `wl_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDb}`);
  await admin.query(`create database ${templateDb}`);
  await migrateDatabase(withDatabase(serverUrl, templateDb));
  // as if a paper worker with the default venues had started: the gate admits only
  // venues a worker runs (a test that builds venues publishes its own set)
  const t = new pg.Client({ connectionString: withDatabase(serverUrl, templateDb) });
  await t.connect();
  await t.query('select watchlist.record_worker_venues($1, $2::jsonb)', ['test-template', JSON.stringify(
    DEFAULT_VENUES.map((v) => ({ venue: v.name, mode: 'paper', markets_loaded: true, symbols: DEFAULT_SYMBOLS.map((x) => x.symbol) })))]);
  await t.end();
  await admin.end();
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);
  return async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    const { rows } = await c.query(`select datname from pg_database where datname like 'wl\\_t\\_%' or datname = $1`, [templateDb]);
    for (const r of rows) await c.query(`drop database if exists ${pg.escapeIdentifier(r.datname)} with (force)`);
    await c.end();
    await stop();
  };
}
