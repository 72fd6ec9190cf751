// Issue 9 item 3: the database going away must not stop trading. A real `wl up`
// (paper venues, the test PostgreSQL through DATABASE_URL) with an open trade gets a
// storm of pg_terminate_backend on every session of its database (60 rounds, 0.25 s
// apart). Afterwards `wl up` is still running, the minute's collection writes
// market_snapshot rows again, and the open trade gets a new spread sample.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { freePort, spawnWl } from './helpers/proc.ts';

let db: TestDb;
const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-storm-'));
beforeAll(async () => {
  db = await freshDb();
  await fixedModel(db, 0.02); // the re-check predicts 2%: the trade opens, and stays open (take-profit at 1.6%)
  await setConfig(db, 'trade.monitor_interval_s', 0);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil<T>(what: string, ms: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

describe('a storm of terminated connections against a running wl up', () => {
  it('keeps cron jobs and an open trade’s monitoring going, and wl up running', { timeout: 600_000 }, async () => {
    const loginsFile = path.join(dir, 'logins.json');
    const up = spawnWl(['up'], {
      DATABASE_URL: db.url,
      WL_LOGINS_FILE: loginsFile,
      PORT: String(await freePort()),
      WL_BACKFILL_HOURS: '0',
      WL_VENUE_MODE: 'paper',
    });
    try {
      await up.waitFor(/ready\./, 240_000);
      // least privilege at the connection (item 8): the processes log in as their own roles
      expect(statSync(loginsFile).mode & 0o777).toBe(0o600);
      const roles = await db.query(`select distinct usename from pg_stat_activity where datname = $1 and usename like 'wl\\_%'`, [db.name]);
      expect(roles.rows.map((r) => r.usename).sort()).toEqual(expect.arrayContaining([`wl_graphql_${db.name}`, `wl_worker_${db.name}`]));

      const ev = await insertEvent(db, { symbol: 'BTC/USDT:USDT', high: 'okx', low: 'binance' });
      const signalId = await waitUntil('the trade to open', 90_000, async () => {
        const { rows } = await db.query(`select id from watchlist.live_trade_signal where event_id = $1 and status = 'open'`, [ev]);
        return rows[0]?.id as string | undefined;
      });

      // the storm: every session of the database, 60 times, 0.25 s apart. Jobs keep
      // failing meanwhile (a malformed close_trade fails before it touches anything),
      // so the worker records job outcomes while its connections are cut: what
      // crashed graphile-worker's batchFailJobs before.
      const admin = new pg.Client({ connectionString: db.url });
      admin.on('error', () => {});
      await admin.connect();
      let killed = 0;
      for (let i = 0; i < Number(process.env.WL_STORM_ROUNDS || 60); i++) {
        await admin.query(`select graphile_worker.add_job('close_trade', '{}'::json, max_attempts => 1) from generate_series(1, 5)`);
        const { rows } = await admin.query(
          `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
          [db.name],
        );
        killed += rows[0].n;
        await sleep(250);
      }
      await admin.end();
      expect(killed).toBeGreaterThan(0);
      expect(up.child.exitCode, 'wl up died in the storm').toBeNull();
      const stormEnd = new Date();

      // the cron jobs run again: a later minute's market_snapshot rows
      await waitUntil('collect_market after the storm', 240_000, async () => {
        const { rows } = await db.query(`select count(*)::int as n from watchlist.market_snapshot where collected_at > $1`, [stormEnd]);
        return rows[0].n > 0;
      });
      // and the open trade is still monitored: a spread sample taken after the storm
      await waitUntil('a spread sample after the storm', 180_000, async () => {
        const { rows } = await db.query(
          `select count(*)::int as n from watchlist.live_trade_spread_sample where signal_id = $1 and ts > $2`,
          [signalId, stormEnd],
        );
        return rows[0].n > 0;
      });
      expect(up.child.exitCode).toBeNull();
      const restarts = up.output().match(/exited \(.*restarting in/g) ?? [];
      console.info(`child restarts during the storm: ${restarts.length}`);
    } catch (e) {
      // the storm's own echoes (every killed connection logs) drown the story: leave them out
      const story = up
        .output()
        .split('\n')
        .filter((l) => !/terminating connection due to administrator command|UNLISTEN|Error with notify listener|Worker connected and looking for jobs|^\s+at /.test(l));
      console.error(story.slice(-150).join('\n'));
      const state = await db.query(
        `select application_name, usename, state, wait_event, left(query, 60) as query, now() - state_change as age
           from pg_stat_activity where datname = $1 order by backend_start`, [db.name]).catch((x) => ({ rows: [String(x)] }));
      console.error('sessions of the database after the storm:', JSON.stringify(state.rows));
      const jobs = await db.query(
        `select task_identifier, count(*)::int n, max(attempts) attempts, count(locked_by)::int locked from graphile_worker.jobs group by 1`).catch((x) => ({ rows: [String(x)] }));
      console.error('jobs after the storm:', JSON.stringify(jobs.rows));
      throw e;
    } finally {
      if (process.env.WL_STORM_LOG) (await import('node:fs')).writeFileSync(process.env.WL_STORM_LOG, up.output());
      if (up.child.exitCode === null) {
        up.child.kill('SIGINT');
        const code = await up.exited();
        expect(code).toBe(0);
      }
    }
  });
});
