// Issue 9 item 9 through real `wl up` processes: with Binance keys set (and no network:
// every ccxt request fails), start-up labels binance live, backfills simulated history
// for the paper venues only, and serves the modes over /graphql; when every venue fails
// at start the process exits non-zero with a message and leaves no postgres running.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, postgresPidsFor, repoRoot, spawnWl } from './helpers/proc.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-venue-mode-'));
chmodSync(dir, 0o755);
afterAll(() => {
  // a failing run must not leave its postgres behind (only ours: they serve this temp folder)
  for (const pid of postgresPidsFor(dir)) process.kill(pid, 'SIGINT');
  rmSync(dir, { recursive: true, force: true });
});

const offline = {
  NODE_OPTIONS: `--import=${path.join(repoRoot, 'test', 'helpers', 'offline-ccxt.ts')}`,
  WL_TEST_CCXT_OFFLINE: '1',
  BINANCE_API_KEY: 'not-a-real-key',
  BINANCE_SECRET: 'not-a-real-secret',
  WL_VENUE_MODE: 'auto',
  DATABASE_URL: '',
};

const waitGone = async (dataDir: string, ms = 15_000) => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (postgresPidsFor(dataDir).length === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe('wl up: venue modes', () => {
  it('auto mode with binance keys labels binance live and simulates history for the paper venues only', async () => {
    const dataDir = path.join(dir, 'auto');
    const port = await freePort();
    const env = {
      ...offline,
      WL_DATA_DIR: dataDir,
      WL_PG_PORT: String(await freePort()),
      PORT: String(port),
      WL_VENUES: 'binance,okx,bybit',
      WL_BACKFILL_HOURS: '0.1',
    };
    const up = spawnWl(['up'], env);
    try {
      await up.waitFor(/ready\./, 120_000);
      const out = up.output();
      expect(out).toMatch(/venues: binance live \(markets not loaded\), okx paper, bybit paper \(paper: simulated market\)/);
      expect(out).toMatch(/backfilling 0.1h of simulated market history for okx, bybit/);
      // the log says how to get the URL (it carries the generated password), not the URL
      const dbUrl = spawnWl(['db', 'url'], env);
      expect(await dbUrl.exited()).toBe(0);
      const url = dbUrl.output().trim();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const snaps = await c.query(`select venue, count(*)::int as n from watchlist.market_snapshot group by 1 order by 1`);
        expect(snaps.rows.map((r) => r.venue)).toEqual(['bybit', 'okx']);
      } finally {
        await c.end();
      }
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ allVenueModes(orderBy: PRIMARY_KEY_ASC) { nodes { venue mode requestedMode marketsLoaded } } }' }),
      });
      const body = await res.json();
      expect(body.errors).toBeUndefined();
      expect(body.data.allVenueModes.nodes).toEqual([
        { venue: 'binance', mode: 'live', requestedMode: 'auto', marketsLoaded: false },
        { venue: 'bybit', mode: 'paper', requestedMode: 'auto', marketsLoaded: true },
        { venue: 'okx', mode: 'paper', requestedMode: 'auto', marketsLoaded: true },
      ]);
    } finally {
      up.child.kill('SIGINT');
      await up.exited();
    }
    expect(await waitGone(dataDir)).toBe(true);
  }, 240_000);

  it('every venue failing at start: exits non-zero with a message and stops the embedded PostgreSQL', async () => {
    const dataDir = path.join(dir, 'fail');
    const up = spawnWl(['up'], {
      ...offline,
      WL_DATA_DIR: dataDir,
      WL_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      WL_VENUES: 'binance',
      WL_BACKFILL_HOURS: '0',
    });
    const code = await up.exited();
    expect(code).not.toBe(0);
    expect(up.output()).toMatch(/no venue could start, nothing to collect or trade: .*binance: .*offline/);
    expect(up.output()).toMatch(/stopped postgres/);
    expect(await waitGone(dataDir)).toBe(true);
  }, 180_000);
});
