// `wl preflight` as an operator runs it: a child process against a real database, paper
// venues (one given a simulated hedge-mode account): one table, exit code 1 when a venue
// fails, the failure recorded so trading skips that venue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWl } from './helpers/proc.ts';
import { freshDb } from './helpers/db.ts';
import type { TestDb } from './helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db?.close();
});

const run = async (env: Record<string, string>) => {
  const p = spawnWl(['preflight'], { DATABASE_URL: db.url, WL_VENUE_MODE: 'paper', WL_VENUES: 'binance,okx', WL_BACKFILL_HOURS: '0', ...env });
  const code = await p.exited();
  return { code, out: p.output() };
};

describe('wl preflight', () => {
  it('a venue that fails: prints the table, exits 1, and the venue is recorded not tradeable', async () => {
    const { code, out } = await run({ WL_SIM_HEDGE_MODE: 'okx' });
    expect(out).toMatch(/venue\s+env\s+check\s+result\s+detail/);
    expect(out).toMatch(/okx\s+paper\s+position_mode\s+FAILED\s+hedge mode/);
    expect(out).toMatch(/binance\s+paper\s+paper\s+ok/);
    expect(out).toMatch(/preflight: okx \(paper\) NOT TRADED/);
    expect(code).toBe(1);
    const { rows } = await db.query(`select watchlist.venue_tradeable('okx') as okx, watchlist.venue_tradeable('binance') as binance`);
    expect(rows[0]).toEqual({ okx: false, binance: true });
  }, 120_000);

  it('every venue passes: exit 0, and the earlier failure is cleared', async () => {
    const { code, out } = await run({});
    expect(out).toMatch(/binance: tradeable, okx: tradeable/);
    expect(code).toBe(0);
    expect((await db.query(`select watchlist.venue_tradeable('okx') as ok`)).rows[0].ok).toBe(true);
  }, 120_000);
});
