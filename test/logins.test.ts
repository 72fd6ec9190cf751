// Issue 9 item 8: least privilege at the connection. The embedded cluster's superuser
// password is random (0600 file in the data folder), an old cluster on the literal
// `postgres` is moved to a random one on its next start; the API logs in as
// wl_graphql (nothing of its own, only SET ROLE wl_reader / wl_trader) and the
// worker as wl_worker (wl_writer's rights, no DDL, no superuser).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { freePort } from './helpers/proc.ts';
import { SUPERUSER_PASSWORD_FILE, embeddedUrl, startEmbedded } from '../db/embedded.ts';
import { ensureLogins } from '../db/logins.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-logins-'));
chmodSync(dir, 0o755);
let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function canConnect(url: string) {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function as<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: Error & { code?: string }) => e.code ?? e.message);

describe('embedded superuser password', () => {
  it('is random at initdb, kept 0600 in the data folder; a legacy cluster on `postgres` is moved to a random one', { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, 'pg');
    const port = await freePort();
    let h = await startEmbedded({ dataDir, port });
    const file = path.join(dataDir, SUPERUSER_PASSWORD_FILE);
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const pw = readFileSync(file, 'utf8').trim();
      expect(pw.length).toBeGreaterThanOrEqual(24);
      expect(pw).not.toBe('postgres');
      expect(await canConnect(h.url)).toBe(true);
      expect(await canConnect(embeddedUrl(port, 'postgres'))).toBe(false);
      // make it a cluster of the old kind: the literal password, no file
      await as(h.url, (c) => c.query(`alter role postgres password 'postgres'`));
    } finally {
      await h.stop();
    }
    rmSync(file);
    h = await startEmbedded({ dataDir, port });
    try {
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const pw = readFileSync(file, 'utf8').trim();
      expect(pw).not.toBe('postgres');
      expect(h.url).toBe(embeddedUrl(port, pw));
      expect(await canConnect(h.url)).toBe(true);
      expect(await canConnect(embeddedUrl(port, 'postgres'))).toBe(false);
    } finally {
      await h.stop();
    }
  });
});

describe('login roles', () => {
  it('wl_graphql has no rights of its own and only becomes wl_reader / wl_trader; wl_worker writes but cannot change the schema', async () => {
    process.env.WL_LOGINS_FILE = path.join(dir, 'logins.json');
    try {
      const urls = await ensureLogins(db.url);
      expect(statSync(process.env.WL_LOGINS_FILE).mode & 0o777).toBe(0o600);
      // per database, so installations (and test files) sharing a server keep their own passwords
      expect(new URL(urls.graphql).username).toBe(`wl_graphql_${db.name}`);
      expect(new URL(urls.worker).username).toBe(`wl_worker_${db.name}`);
      // idempotent: a second run keeps the passwords that work
      const again = await ensureLogins(db.url);
      expect(again).toEqual(urls);

      await as(urls.graphql, async (c) => {
        const { rows } = await c.query(`select rolsuper, rolcreaterole, rolinherit from pg_roles where rolname = current_user`);
        expect(rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolinherit: false });
        expect(await errorOf(c.query('select count(*) from watchlist.live_trade_signal'))).toBe('42501');
        await c.query('set role wl_reader');
        await c.query('select count(*) from watchlist.live_trade_signal');
        expect(await errorOf(c.query('select watchlist.set_kill_switch(1)'))).toBe('42501');
        expect(await errorOf(c.query('set role wl_writer'))).toBe('42501');
        expect(await errorOf(c.query('set role postgres'))).toBe('42501');
        await c.query('reset role');
      });
      await as(urls.worker, async (c) => {
        const { rows } = await c.query(`select rolsuper from pg_roles where rolname = current_user`);
        expect(rows[0].rolsuper).toBe(false);
        await c.query(`select count(*) from graphile_worker._private_jobs`);
        await c.query(`select watchlist.venue_report('okx', true)`);
        expect(await errorOf(c.query('create table watchlist.x (a int)'))).toBe('42501');
        expect(await errorOf(c.query('drop table watchlist.live_trade_error'))).toBe('42501');
        expect(await errorOf(c.query(`alter role current_user superuser`))).toBe('42501');
      });
    } finally {
      delete process.env.WL_LOGINS_FILE;
    }
  });
});
