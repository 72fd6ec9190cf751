// `wl doctor`: server settings beside the plan's recommendations, changing nothing.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import pg from 'pg';
import { spawnWl } from './helpers/proc.ts';
import { withDatabase } from '../db/config.ts';
import { judge, type ServerFacts } from '../cli/doctor.ts';

const serverUrl = inject('pgServerUrl');
const name = `wl_t_doctor_${process.pid}`;
const url = withDatabase(serverUrl, name);
const admin = async (sql: string) => {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try { return await c.query(sql); } finally { await c.end(); }
};
beforeAll(async () => {
  await admin(`drop database if exists ${name}`);
  await admin(`create database ${name}`);
});
afterAll(async () => {
  await admin(`drop database if exists ${name} with (force)`);
});

describe('wl doctor', () => {
  it('prints version, max_connections, free slots, shared_buffers, wal_compression, log_min_duration_statement with recommendations, and changes nothing', async () => {
    const settings = `select name, setting, source from pg_settings order by name`;
    const before = (await admin(settings)).rows;
    const p = spawnWl(['doctor'], { DATABASE_URL: url });
    await p.waitFor(/nothing was changed/, 60_000);
    const out = p.output();
    const max = (await admin(`show max_connections`)).rows[0].max_connections;
    expect(out).toMatch(/^version\s+16\.\d+/m);
    expect(out).toMatch(new RegExp(`^max_connections\\s+${max}\\s+(ok|WARN)\\s+< 30`, 'm'));
    expect(out).toMatch(/^free connection slots\s+\d+ \(\d+ in use, \d+ reserved\)/m);
    expect(out).toMatch(/^shared_buffers\s+\S+\s+(ok|WARN)\s+~512MB/m);
    expect(out).toMatch(/^wal_compression\s+\S+\s+(ok|WARN)\s+on/m);
    expect(out).toMatch(/^log_min_duration_statement\s+.+(ok|WARN)/m);
    expect(out).toMatch(/^watchlist mode\s+not migrated/m);
    // read-only: no migration, no setting changed
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query(`select count(*)::int n from pg_namespace where nspname in ('watchlist', 'graphile_migrate', 'graphile_worker')`)).rows[0].n).toBe(0);
    await c.end();
    expect((await admin(settings)).rows).toEqual(before);
  });

  it('judges a small shared server against the plan', () => {
    const f: ServerFacts = { server_version_num: 161000, server_version: '16.10', max_connections: 25, superuser_reserved_connections: 3,
      reserved_connections: 0, connections_in_use: 20, shared_buffers_bytes: 512 * 1024 * 1024, shared_buffers: '512MB',
      wal_compression: 'off', log_min_duration_statement_ms: -1, attach_mode: true };
    const rows = Object.fromEntries(judge(f).map((r) => [r.setting, r]));
    expect(rows['free connection slots'].value).toBe('2 (20 in use, 3 reserved)');
    expect(rows['max_connections'].ok).toBe(true);
    expect(rows['shared_buffers'].ok).toBe(true);
    expect(rows['wal_compression'].ok).toBe(false);
    expect(rows['log_min_duration_statement']).toMatchObject({ value: '-1 (off)', ok: false });
    expect(rows['watchlist mode'].value).toBe('attach (external writer)');
    expect(judge({ ...f, max_connections: 100, connections_in_use: 97 }).find((r) => r.setting === 'free connection slots')!.ok).toBe(false);
  });
});
