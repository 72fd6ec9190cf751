// A throwaway migrated database for a benchmark: a new database on DATABASE_URL's
// server, or an embedded PostgreSQL in a temp folder. Returns a pool and cleanup.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../db/free-port.ts';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../../db/embedded.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { withDatabase } from '../../db/config.ts';
import { makePool } from '../../db/pool.ts';

export async function benchDatabase(name: string): Promise<{ url: string; pool: pg.Pool; close(): Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-bench-'));
    chmodSync(dir, 0o755);
    const h = await startEmbedded({ dataDir: path.join(dir, 'data'), port: await freePort(), persistent: false });
    serverUrl = h.url;
    stopServer = async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const db = `wl_bench_${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${db}`);
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = withDatabase(serverUrl, db);
  await migrateDatabase(url);
  const pool = makePool('bench', { connectionString: url, max: 8 });
  return {
    url,
    pool,
    async close() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
      await stopServer();
    },
  };
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** venue names a bench writes into raw rows must be known to the raw guard (sql/raw_guard.sql) */
export async function registerVenues(pool: pg.Pool | pg.ClientBase, names: string[]) {
  const { rows } = await pool.query(`select to_regclass('watchlist.known_venue') is not null as ok`);
  if (rows[0].ok) {
    await pool.query(`insert into watchlist.known_venue (venue, source) select unnest($1::text[]), 'bench' on conflict do nothing`, [names]);
  }
}
