// Issue 9 item 2: the trading loop never shares fate with the API.
//  - `wl up` runs the worker and the API as separate supervised processes: a killed
//    API is restarted (the worker keeps its pid), and Ctrl-C still stops everything.
//  - ten heavy anonymous readers hold at most the anonymous pool's connections, and
//    the trader's mutation does not queue behind them; one client cannot run more
//    than its share of requests at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { freePort, spawnWl } from './helpers/proc.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { anonymousLoad, HEAVY_QUERY, populateSnapshots, postGraphql, traderLoop } from '../bench/helpers/isolation-load.ts';
import { percentile } from '../bench/helpers/db.ts';

const TOKEN = 'isolation-test-token-0123456789';
let db: TestDb;
const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-iso-'));
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('wl up: worker and API are separate, supervised processes', () => {
  it('a killed API is restarted with back-off while the worker runs on; SIGINT stops all', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const up = spawnWl(['up'], { DATABASE_URL: db.url, WL_LOGINS_FILE: path.join(dir, 'logins.json'), PORT: String(port), WL_BACKFILL_HOURS: '0', WL_VENUE_MODE: 'paper' });
    try {
      await up.waitFor(/ready\./, 120_000);
      const m = up.output().match(/worker pid (\d+), api pid (\d+)/);
      expect(m, 'wl up names its child processes').toBeTruthy();
      const [workerPid, apiPid] = [Number(m![1]), Number(m![2])];
      expect(workerPid).not.toBe(up.child.pid);
      expect(apiPid).not.toBe(workerPid);
      process.kill(apiPid, 'SIGKILL');
      await up.waitFor(/api exited \(signal SIGKILL\); restarting in 1 s/, 10_000);
      // the API answers again, from a new process; the worker never stopped
      for (let i = 0; ; i++) {
        const r = await postGraphql(port, '{ __typename }').catch(() => null);
        if (r?.status === 200) break;
        if (i > 90) throw new Error('API did not come back');
        await sleep(1000);
      }
      expect(alive(apiPid)).toBe(false);
      expect(alive(workerPid)).toBe(true);
      up.child.kill('SIGINT');
      expect(await up.exited()).toBe(0);
      await sleep(500);
      expect(alive(workerPid)).toBe(false);
    } catch (e) {
      console.error(up.output().slice(-5000));
      if (up.child.exitCode === null) up.child.kill('SIGKILL');
      throw e;
    }
  });
});

describe('API pools and per-client limits', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    await populateSnapshots(db.pool, 400_000);
    srv = await startServer({ url: db.url, port: 0, traderToken: TOKEN, graphiql: false });
  }, 180_000);
  afterAll(async () => {
    await srv?.stop();
  });

  it('ten heavy anonymous readers use at most the anonymous pool; the trader keeps its own connections and its latency', { timeout: 120_000 }, async () => {
    const probe = await postGraphql(srv.port, HEAVY_QUERY);
    expect(probe.status).toBe(200);
    expect(probe.body).toContain('"allMarketSnapshots"');
    const load = anonymousLoad(srv.port, 10);
    await sleep(1500);
    const trader = traderLoop(srv.port, TOKEN, 300);
    let maxAnonymousSessions = 0;
    for (let i = 0; i < 16; i++) {
      const { rows } = await db.query(
        `select count(*) filter (where state = 'active' and backend_type = 'client backend' and usename = current_user and query ilike '%market_snapshot%' and query not ilike '%pg_stat_activity%')::int as n
         from pg_stat_activity where datname = current_database()`,
      );
      maxAnonymousSessions = Math.max(maxAnonymousSessions, rows[0].n);
      await sleep(500);
    }
    const t = await trader.stop();
    const a = await load.stop();
    expect(a.ok).toBeGreaterThan(0);
    expect(t.errors).toEqual([]);
    expect(t.ms.length).toBeGreaterThan(5);
    // anonymous readers never hold more than the anonymous pool (3) at once
    expect(maxAnonymousSessions).toBeLessThanOrEqual(3);
    // generous for a loaded CI machine; the bench reports the real figure
    expect(percentile(t.ms, 99)).toBeLessThan(2000);
  });

  it('one client gets at most its share of concurrent anonymous requests (429 beyond it)', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => postGraphql(srv.port, HEAVY_QUERY, { localAddress: '127.0.0.99' })));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused[0].body).toContain('TOO_MANY_REQUESTS');
    // the trader is never refused for concurrency
    const traders = await Promise.all(Array.from({ length: 6 }, () => postGraphql(srv.port, '{ __typename }', { token: TOKEN, localAddress: '127.0.0.99' })));
    expect(traders.every((r) => r.status === 200)).toBe(true);
  });
});
