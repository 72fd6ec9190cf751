// A fresh database per test file, cloned from the migrated template.
import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { withDatabase } from '../../db/config.ts';

export interface TestDb {
  name: string;
  url: string;
  serverUrl: string;
  pool: pg.Pool;
  query: pg.Pool['query'];
  close(): Promise<void>;
}

export async function freshDb(): Promise<TestDb> {
  const serverUrl = inject('pgServerUrl');
  const template = inject('templateDb');
  const name = `wl_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  // cloning needs the template idle; concurrent clones of one template are retried
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${template}`);
      break;
    } catch (e) {
      if (attempt > 50 || !/being accessed by other users/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on('error', (e) => console.error(`test pool (${name}): ${e.message}`));
  return {
    name,
    url,
    serverUrl,
    pool,
    query: pool.query.bind(pool) as pg.Pool['query'],
    async close() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      // pool.end() resolves before the server has seen every Terminate: a forced drop
      // racing those would hit a client still closing (an uncaught 57P01). Wait for
      // the sessions to go; force only what a test left behind.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
