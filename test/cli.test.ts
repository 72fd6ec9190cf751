// The two-command experience: `wl up` starts embedded PostgreSQL, migrates and
// says so; Ctrl-C leaves no postgres behind; a SIGKILL'd run's orphan is handled
// on the next start; `wl migrate` against DATABASE_URL works twice.
import { afterAll, describe, expect, it, inject } from 'vitest';
import { mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, postgresPidsFor, spawnWl } from './helpers/proc.ts';
import { withDatabase } from '../db/config.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-cli-'));
chmodSync(dir, 0o755);
const dataDir = path.join(dir, 'pg');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waitGone = async (pids: number[], ms = 15_000) => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (postgresPidsFor(dataDir).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres still running: ${pids.join(',')}`);
};

describe('wl up', () => {
  // `wl up` starts two child processes (worker, API) besides itself: slower on a busy machine
  it('starts the embedded database, migrates, prints the connection string; SIGINT leaves no postgres', { timeout: 180_000 }, async () => {
    const env = { WL_DATA_DIR: dataDir, WL_PG_PORT: String(await freePort()), PORT: String(await freePort()), DATABASE_URL: '', WL_BACKFILL_HOURS: '0' };
    const up = spawnWl(['up'], env);
    await up.waitFor(/ready\./, 90_000);
    expect(up.output()).toMatch(/embedded PostgreSQL 16/);
    expect(up.output()).toMatch(/Running migration|applied sql/);
    // issue 12 item 3: the banner says per venue how it trades
    expect(up.output()).toMatch(/TRADING MODE per venue: binance PAPER \(simulated market and fills\) · okx PAPER .*· bitget PAPER/);
    // the log tells how to get the URL (it carries the random superuser password), never the password itself
    expect(up.output()).toContain('psql "$(npx wl db url)"');
    const pw = readFileSync(path.join(dataDir, 'wl-superuser.password'), 'utf8').trim();
    expect(up.output()).not.toContain(pw);
    const dbUrl = spawnWl(['db', 'url'], env);
    expect(await dbUrl.exited()).toBe(0);
    const url = dbUrl.output().trim();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query(`select count(*)::int as n from information_schema.tables where table_schema = 'watchlist'`);
    await c.end();
    expect(rows[0].n).toBeGreaterThan(15);
    expect(postgresPidsFor(dataDir).length).toBeGreaterThan(0);
    up.child.kill('SIGINT');
    const code = await up.exited();
    if (code !== 0) console.error(up.output());
    expect(code).toBe(0);
    await waitGone([]);
  });

  it('Ctrl-C (SIGINT to the whole process group, postgres included) prints a few lines, no 57P01 traces (issue 12 item 10)', { timeout: 180_000 }, async () => {
    const env = { WL_DATA_DIR: dataDir, WL_PG_PORT: String(await freePort()), PORT: String(await freePort()), DATABASE_URL: '', WL_BACKFILL_HOURS: '0' };
    const up = spawnWl(['up'], env, { group: true });
    await up.waitFor(/ready\./, 90_000);
    // let the worker's cron, job loop and LISTEN hold their connections
    await new Promise((r) => setTimeout(r, 3000));
    const before = up.output().length;
    process.kill(-up.child.pid!, 'SIGINT');
    const code = await up.exited();
    const after = up.output().slice(before);
    if (code !== 0) console.error(up.output());
    expect(code).toBe(0);
    expect(after).not.toMatch(/57P01|terminating connection due to administrator command/);
    expect(after).not.toMatch(/^\s+at /m); // no stack traces
    expect(after.split('\n').filter(Boolean).length).toBeLessThan(25);
    expect(after).toMatch(/stopped postgres/);
    expect(after).not.toMatch(/exited \(.*\); restarting/); // the children stopped with the group, not crashed
    await waitGone([]);
  });

  it('after a SIGKILL leaves postgres orphaned, the next start takes over and stops cleanly', { timeout: 240_000 }, async () => {
    const env = { WL_DATA_DIR: dataDir, WL_PG_PORT: String(await freePort()), PORT: String(await freePort()), DATABASE_URL: '', WL_BACKFILL_HOURS: '0' };
    const first = spawnWl(['up'], env);
    await first.waitFor(/ready\./, 90_000);
    first.child.kill('SIGKILL');
    await first.exited();
    const orphans = postgresPidsFor(dataDir);
    expect(orphans.length).toBeGreaterThan(0);
    const second = spawnWl(['up'], env);
    await second.waitFor(/ready\./, 90_000);
    expect(second.output()).toMatch(/left running from an earlier run/);
    second.child.kill('SIGTERM');
    const code = await second.exited();
    if (code !== 0) console.error(second.output());
    expect(code).toBe(0);
    await waitGone(orphans);
  });
});

describe('wl migrate with DATABASE_URL', () => {
  it('succeeds twice against another PostgreSQL 16 database', { timeout: 120_000 }, async () => {
    const server = inject('pgServerUrl');
    const name = `wl_t_cli_${process.pid}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const { rows } = await admin.query(`show server_version`);
    await admin.end();
    expect(rows[0].server_version).toMatch(/^16\./);
    const url = withDatabase(server, name);
    for (const round of [1, 2]) {
      const m = spawnWl(['migrate'], { DATABASE_URL: url });
      expect(await m.exited()).toBe(0);
      if (round === 1) expect(m.output()).toMatch(/Running migration/);
      else expect(m.output()).not.toMatch(/Running migration/);
      expect(m.output()).not.toContain(`:${new URL(url).password}@`);
    }
  });
});
