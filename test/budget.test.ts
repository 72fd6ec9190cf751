// Issue 13 item 3: the connection budget. WL_DB_MAX_CONNECTIONS caps the sum of every
// pool and listener `wl up`'s processes open (the supervisor holds none once its
// children run); `wl up` prints the split; a server without room for the budget is
// refused before anything starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { freePort, postgresPidsFor, spawnWl } from './helpers/proc.ts';
import { anonymousLoad, traderLoop } from '../bench/helpers/isolation-load.ts';
import { connectionBudget, safeConcurrency } from '../db/budget.ts';

const TOKEN = 'budget-test-token-0123456789abcdef';
const PARENT = 'wl-budget-test-up'; // the supervisor's own sessions carry this application_name
let db: TestDb;
const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-budget-'));
chmodSync(dir, 0o755); // the embedded server's initdb must reach its data directory
beforeAll(async () => {
  db = await freshDb();
  await fixedModel(db, 0.02); // the re-check predicts 2%: a paper trade opens and stays open
  await setConfig(db, 'trade.monitor_interval_s', 0);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the connection budget', () => {
  it('splits WL_DB_MAX_CONNECTIONS by role, the trader reserved, the worker unable to deadlock its pool', () => {
    for (const total of [9, 10, 12, 16, 20, 29, 60]) {
      const b = connectionBudget({ WL_DB_MAX_CONNECTIONS: String(total) });
      expect(b.worker + b.ledger + b.trader + b.anonymous + b.listen).toBe(total);
      expect(b.trader).toBe(2);
      // every job may hold two connections; LISTEN holds one; one stays free
      expect(2 * b.workerConcurrency + 2).toBeLessThanOrEqual(b.worker);
      expect(b.workerConcurrency).toBeGreaterThanOrEqual(1);
    }
    expect(connectionBudget({})).toMatchObject({ total: 12, worker: 6, workerConcurrency: 2, ledger: 1, trader: 2, anonymous: 2, listen: 1 });
    // WL_WORKER_CONCURRENCY can lower the jobs at once, never raise them past the pool's safe number
    expect(connectionBudget({ WL_WORKER_CONCURRENCY: '8' }).workerConcurrency).toBe(2);
    expect(connectionBudget({ WL_WORKER_CONCURRENCY: '1' }).workerConcurrency).toBe(1);
    expect(safeConcurrency(5)).toBe(1); // the first attempt's 3 jobs on 5 connections could deadlock
    expect(() => connectionBudget({ WL_DB_MAX_CONNECTIONS: '8' })).toThrow(/too small.*at least 9/);
    expect(() => connectionBudget({ WL_DB_MAX_CONNECTIONS: 'twelve' })).toThrow(/WL_DB_MAX_CONNECTIONS must be a whole number/);
  });

  it('wl up under load (readers, trader mutations, minute jobs, an open paper trade) never holds more than WL_DB_MAX_CONNECTIONS', { timeout: 300_000 }, async () => {
    const port = await freePort();
    const up = spawnWl(['up'], {
      DATABASE_URL: `${db.url}?application_name=${PARENT}`,
      WL_LOGINS_FILE: path.join(dir, 'logins.json'),
      PORT: String(port),
      WL_BACKFILL_HOURS: '0',
      WL_VENUE_MODE: 'paper',
      WL_TRADER_TOKEN: TOKEN,
      WL_DB_MAX_CONNECTIONS: '12',
      WL_WORKER_CONCURRENCY: '',
      WL_GRAPHQL_ANON_POOL: '',
      WL_GRAPHQL_TRADER_POOL: '',
    });
    // ours: the login roles' sessions (worker, API) and the supervisor's (its application_name)
    const ours = async () => {
      const { rows } = await db.query(
        `select count(*)::int as n,
                count(*) filter (where application_name = $2 and usename not like 'wl\\_%')::int as parent
           from pg_stat_activity where datname = $1 and (usename like 'wl\\_%' or application_name = $2)`,
        [db.name, PARENT],
      );
      return rows[0] as { n: number; parent: number };
    };
    let most = 0;
    let stopSampling = false;
    let parentAfterReady = 0; // from the moment wl up says ready
    const sampler = (async () => {
      // sampled from the start: the supervisor's start-up pools count too
      while (up.child.exitCode === null && !stopSampling) {
        const ready = /ready\./.test(up.output());
        const o = await ours().catch(() => ({ n: 0, parent: 0 }));
        most = Math.max(most, o.n);
        if (ready) parentAfterReady = Math.max(parentAfterReady, o.parent);
        await sleep(200);
      }
    })();
    try {
      await up.waitFor(/ready\./, 120_000);
      const ev = await insertEvent(db, { symbol: 'BTC/USDT:USDT', high: 'okx', low: 'binance' });
      const t0 = Date.now();
      for (;;) {
        const { rows } = await db.query(`select id from watchlist.live_trade_signal where event_id = $1 and status = 'open'`, [ev]);
        if (rows[0]) break;
        if (Date.now() - t0 > 120_000) throw new Error('the paper trade did not open');
        await sleep(1000);
      }
      // load: eight anonymous readers, the trader's mutation every 200 ms, the minute's
      // jobs (collect, scan, monitor of the open trade) and queued work for the worker
      const readers = anonymousLoad(port, 8);
      const trader = traderLoop(port, TOKEN, 200);
      await db.query(`select graphile_worker.add_job('close_stale_events', '{}'::json) from generate_series(1, 20)`);
      await sleep(15_000); // sampled meanwhile
      const t = await trader.stop();
      const r = await readers.stop();
      stopSampling = true;
      await sampler;
      console.info(`budget: most sessions of ours ${most}; readers ok ${r.ok}, refused ${r.refused}; trader ${t.ms.length} mutations`);
      expect(t.errors).toEqual([]);
      expect(r.ok).toBeGreaterThan(0);
      expect(parentAfterReady, 'the supervisor holds no connection while its children run').toBe(0);
      expect(most).toBeGreaterThan(5);
      expect(most).toBeLessThanOrEqual(12);
      expect(up.output()).toMatch(
        /connections: at most 12 \(WL_DB_MAX_CONNECTIONS\) = worker 6 \(2 jobs at once\) \+ paper ledger 1 \+ API trader 2 \(reserved\) \+ anonymous 2 \+ listen 1/,
      );
    } catch (e) {
      console.error(up.output().split('\n').slice(-80).join('\n'));
      throw e;
    } finally {
      stopSampling = true;
      if (up.child.exitCode === null) {
        up.child.kill('SIGINT');
        expect(await up.exited()).toBe(0);
      }
    }
  });

  it('refuses to start, with a clear message and nothing left running, when the server has fewer free connections than the budget', { timeout: 180_000 }, async () => {
    const dataDir = path.join(dir, 'pg');
    // the embedded server allows 200: a budget of 500 cannot fit
    const up = spawnWl(['up'], {
      DATABASE_URL: '',
      WL_DATA_DIR: dataDir,
      WL_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      WL_BACKFILL_HOURS: '0',
      WL_VENUE_MODE: 'paper',
      WL_DB_MAX_CONNECTIONS: '500',
    });
    // a refusal comes within seconds; a `wl up` that starts anyway is stopped, and fails below
    const code = await Promise.race([up.exited(), sleep(90_000).then(() => 'still running')]);
    if (code === 'still running') {
      up.child.kill('SIGINT');
      await up.exited();
    }
    const out = up.output();
    expect(code, out).not.toBe(0);
    expect(out).toMatch(/not enough free connections on the database server: the product needs 500 \(WL_DB_MAX_CONNECTIONS\), the server has \d+ free \(max_connections 200 − 3 superuser_reserved_connections/);
    expect(out).toMatch(/lower WL_DB_MAX_CONNECTIONS/);
    expect(out).not.toMatch(/Running migration|worker pid/);
    for (let i = 0; i < 50 && postgresPidsFor(dataDir).length > 0; i++) await sleep(200);
    expect(postgresPidsFor(dataDir)).toEqual([]);
  });
});
