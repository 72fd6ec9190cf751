// The migrations workflow graphile-migrate intends: .gmrc for its CLI, work in progress
// in migrations/current.sql (ignored by `wl migrate`), the rehash tool keeping
// committed files byte-identical and re-chaining an edited one so graphile-migrate
// accepts it.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate as gmMigrate, watch as gmWatch } from 'graphile-migrate';
import { freshDb, type TestDb } from './helpers/db.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { COMMITTED_DIR, rehashMigrations } from '../db/rehash-migrations.ts';
import { withDatabase } from '../db/config.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'node_modules', '.bin');
const applyDefinitions = `"${process.execPath}" "${path.join(root, 'db', 'apply-definitions.ts')}"`;
const tmpDirs: string[] = [];
let db: TestDb;

function tempMigrations() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-migrations-'));
  tmpDirs.push(dir);
  cpSync(COMMITTED_DIR, path.join(dir, 'committed'), { recursive: true });
  return dir;
}

async function emptyDatabase(serverUrl: string) {
  const name = `wl_t_gm_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return withDatabase(serverUrl, name);
}

async function one<T>(url: string, sql: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows[0] as T;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await freshDb();
});

afterAll(async () => {
  await db?.close();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('.gmrc and migrations/current.sql', () => {
  it('configure graphile-migrate for the folder `wl migrate` uses, with the same steps after it', async () => {
    const { getSettings } = (await import('graphile-migrate/dist/commands/_common.js')) as unknown as {
      getSettings: (o: { configFile?: string }) => Promise<Record<string, unknown>>;
    };
    const cwd = process.cwd();
    process.chdir(root); // graphile-migrate reads ./.gmrc
    let settings: Record<string, any>;
    try {
      settings = await getSettings({});
    } finally {
      process.chdir(cwd);
    }
    expect(path.resolve(root, settings.migrationsFolder)).toBe(path.join(root, 'migrations'));
    for (const hook of ['afterAllMigrations', 'afterCurrent']) {
      expect(settings[hook], hook).toEqual([{ _: 'command', command: 'node db/apply-definitions.ts' }]);
    }
    // a commit resets current.sql to exactly what is shipped
    expect(readFileSync(path.join(root, 'migrations', 'current.sql'), 'utf8')).toBe(`${settings.blankMigrationContent.trim()}\n`);
  });

  it('`graphile-migrate watch --once` with the shipped current.sql changes nothing, and `wl migrate` still runs', async () => {
    const before = await one<{ n: number }>(db.url, `select count(*)::int n from graphile_migrate.migrations`);
    await run(path.join(bin, 'graphile-migrate'), ['watch', '--once'], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DATABASE_URL: db.url },
      timeout: 120_000,
    });
    await migrateDatabase(db.url);
    const after = await one<{ n: number; fn: string | null }>(
      db.url, `select count(*)::int n, to_regprocedure('watchlist.viewer_role()')::text fn from graphile_migrate.migrations`);
    expect(after).toEqual({ n: before.n, fn: 'watchlist.viewer_role()' });
  });

  it('runs work in progress from current.sql, re-applies sql/ after it, and `wl migrate` leaves it alone', async () => {
    const dir = tempMigrations();
    writeFileSync(path.join(dir, 'current.sql'),
      'create table if not exists watchlist.wip_probe (id int primary key);\ndrop function if exists watchlist.viewer_role();\n');
    await gmWatch({ connectionString: db.url, migrationsFolder: dir, afterCurrent: [{ _: 'command', command: applyDefinitions }] } as never, true);
    // the table from current.sql, and the function it dropped back from sql/ (afterCurrent)
    expect(await one(db.url, `select to_regclass('watchlist.wip_probe')::text t, to_regprocedure('watchlist.viewer_role()')::text fn`))
      .toEqual({ t: 'watchlist.wip_probe', fn: 'watchlist.viewer_role()' });
    await migrateDatabase(db.url); // committed migrations only: nothing to run, current.sql not re-run
    expect(await one(db.url, `select count(*)::int n from graphile_migrate.migrations where filename like '%current%'`)).toEqual({ n: 0 });
  });
});

describe('db/rehash-migrations.ts (npm run migrations:rehash / migrations:check)', () => {
  it('leaves the committed migrations byte-identical', async () => {
    const dir = tempMigrations();
    const files = readdirSync(path.join(dir, 'committed')).sort();
    expect(files.length).toBeGreaterThanOrEqual(11);
    expect(await rehashMigrations(path.join(dir, 'committed'), { write: true })).toEqual([]);
    for (const f of files) {
      expect(readFileSync(path.join(dir, 'committed', f), 'utf8'), f).toBe(readFileSync(path.join(COMMITTED_DIR, f), 'utf8'));
    }
    expect(await rehashMigrations(COMMITTED_DIR, { write: false })).toEqual([]);
  });

  it('re-chains an edited migration and every later one so graphile-migrate applies them', async () => {
    const dir = tempMigrations();
    const files = readdirSync(path.join(dir, 'committed')).sort();
    const edited = files[files.length - 2];
    const full = path.join(dir, 'committed', edited);
    writeFileSync(full, `${readFileSync(full, 'utf8')}\ncreate table if not exists watchlist.rechain_probe (id int);\n`);
    const url = await emptyDatabase(db.serverUrl);
    await expect(gmMigrate({ connectionString: url, migrationsFolder: dir } as never)).rejects.toThrow(/[Hh]ash/);
    expect(await rehashMigrations(path.join(dir, 'committed'), { write: false })).toEqual(files.slice(-2));
    expect(await rehashMigrations(path.join(dir, 'committed'), { write: true })).toEqual(files.slice(-2));
    await gmMigrate({ connectionString: url, migrationsFolder: dir } as never);
    expect(await one(url, `select to_regclass('watchlist.rechain_probe')::text t, count(*)::int n from graphile_migrate.migrations`))
      .toEqual({ t: 'watchlist.rechain_probe', n: files.length });
  });
});
