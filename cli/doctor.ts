// `wl doctor`: the server settings that matter on a small shared PostgreSQL (plan
// "选型": shared_buffers ~512MB, max_connections < 30, wal_compression=on,
// log_min_duration_statement on), beside those recommendations. Reads only: it
// neither migrates nor changes a setting; the server belongs to its administrator.
import type { Command } from 'commander';
import pg from 'pg';
import { openDatabase } from '../db/connect.ts';
import { redact } from '../db/config.ts';
import { handleSignals, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';

export interface ServerFacts {
  server_version_num: number;
  server_version: string;
  max_connections: number;
  superuser_reserved_connections: number;
  reserved_connections: number;
  connections_in_use: number;
  shared_buffers_bytes: number;
  shared_buffers: string;
  wal_compression: string;
  log_min_duration_statement_ms: number;
  attach_mode: boolean | null;
}

export interface DoctorRow { setting: string; value: string; recommended: string; ok: boolean }

const MB = 1024 * 1024;

export async function readServerFacts(c: pg.ClientBase): Promise<ServerFacts> {
  const { rows } = await c.query(`select
      current_setting('server_version_num')::int as server_version_num,
      current_setting('server_version') as server_version,
      current_setting('max_connections')::int as max_connections,
      current_setting('superuser_reserved_connections')::int as superuser_reserved_connections,
      coalesce(current_setting('reserved_connections', true), '0')::int as reserved_connections,
      (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as connections_in_use,
      pg_size_bytes(current_setting('shared_buffers'))::float8 as shared_buffers_bytes,
      current_setting('shared_buffers') as shared_buffers,
      current_setting('wal_compression') as wal_compression,
      current_setting('log_min_duration_statement')::int as log_min_duration_statement_ms,
      to_regprocedure('watchlist.attach_mode()') is not null as migrated`);
  const { migrated, ...facts } = rows[0];
  const attach = migrated ? (await c.query('select watchlist.attach_mode() as on')).rows[0].on === true : null;
  return { ...facts, attach_mode: attach };
}

/** each setting beside the plan's recommendation for a small shared server */
export function judge(f: ServerFacts): DoctorRow[] {
  const free = f.max_connections - f.superuser_reserved_connections - f.reserved_connections - f.connections_in_use;
  return [
    { setting: 'version', value: f.server_version, recommended: 'PostgreSQL 16 (the plan runs 16.10)', ok: f.server_version_num >= 160000 },
    { setting: 'max_connections', value: String(f.max_connections), recommended: '< 30 on the shared server (plan); every product pool counts against it', ok: f.max_connections < 30 },
    { setting: 'free connection slots', value: `${free} (${f.connections_in_use} in use, ${f.superuser_reserved_connections + f.reserved_connections} reserved)`, recommended: 'enough for the product\'s pools and listeners', ok: free > 0 },
    { setting: 'shared_buffers', value: f.shared_buffers, recommended: '~512MB (at most 512MB beside other services)', ok: f.shared_buffers_bytes >= 128 * MB && f.shared_buffers_bytes <= 512 * MB },
    { setting: 'wal_compression', value: f.wal_compression, recommended: 'on (or lz4/zstd)', ok: f.wal_compression !== 'off' },
    { setting: 'log_min_duration_statement', value: f.log_min_duration_statement_ms < 0 ? '-1 (off)' : `${f.log_min_duration_statement_ms} ms`, recommended: 'on (e.g. 500 ms) to find slow SQL', ok: f.log_min_duration_statement_ms >= 0 },
    { setting: 'watchlist mode', value: f.attach_mode === null ? 'not migrated' : f.attach_mode ? 'attach (external writer)' : 'standalone', recommended: 'attach when watchlist_pg_writer.py owns the raw rows and events', ok: true },
  ];
}

export function formatDoctor(rows: DoctorRow[]): string {
  const w = (k: keyof DoctorRow) => Math.max(...rows.map((r) => String(r[k]).length), k.length);
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w('setting'))}  ${b.padEnd(w('value'))}  ${c.padEnd(4)}  ${d}`;
  return [line('setting', 'value', 'ok', 'recommended'), ...rows.map((r) => line(r.setting, r.value, r.ok ? 'ok' : 'WARN', r.recommended))].join('\n');
}

export function registerDoctor(program: Command) {
  program
    .command('doctor')
    .description('print the server settings that matter beside the recommendations (changes nothing)')
    .action(async () => {
      handleSignals();
      const db = await openDatabase(log);
      onShutdown('postgres', db.stop);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        process.stdout.write(formatDoctor(judge(await readServerFacts(c))) + '\n');
        log(`server of ${redact(db.url)}: nothing was changed`);
      } finally {
        await c.end();
      }
      await shutdown(0);
    });
}
