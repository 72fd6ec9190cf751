// Issue 9 item 9: auto mode tells the truth. With an exchange's keys set, that venue is
// live (labelled so, recorded in watchlist.venue_mode) and no simulated history is ever
// written for it. Real ccxt classes; every HTTP request fails as a network error.
import { isSandboxed } from '../workers/venues/sandbox.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { goOffline } from './helpers/offline-ccxt.ts';
import { buildVenues, type VenueSet } from '../workers/venues/registry.ts';
import { recordVenueModes, venueModesFor } from '../workers/venues/venue-modes.ts';
import { backfill } from '../cli/backfill.ts';
import { startServer } from '../graphql/server.ts';

let db: TestDb;
let online: () => void;
let set: VenueSet | null = null;
const KEYS = { BINANCE_API_KEY: 'not-a-real-key', BINANCE_SECRET: 'not-a-real-secret' };

beforeAll(async () => {
  db = await freshDb();
  online = goOffline();
});
afterAll(async () => {
  online();
  await db.close();
});
beforeEach(() => db.query('truncate watchlist.market_snapshot, watchlist.venue_mode'));
afterEach(async () => {
  await set?.close();
  set = null;
});

const snapshotVenues = async () =>
  (await db.query(`select distinct venue from watchlist.market_snapshot order by 1`)).rows.map((r) => r.venue);

describe('venue modes', () => {
  it('auto mode with binance keys: binance is live (its start failure kept), the rest paper, and it is recorded', async () => {
    set = await buildVenues({ db: db.pool, venues: ['binance', 'okx', 'bybit'], env: { ...KEYS, WL_VENUE_MODE: 'auto' } });
    expect(set.modes).toEqual([
      { venue: 'binance', mode: 'live', marketsLoaded: false },
      { venue: 'okx', mode: 'paper', marketsLoaded: true },
      { venue: 'bybit', mode: 'paper', marketsLoaded: true },
    ]);
    await recordVenueModes(db.pool, set.requested, set.modes);
    const { rows } = await db.query(`select venue, mode, requested_mode, markets_loaded from watchlist.venue_mode order by venue`);
    expect(rows).toEqual([
      { venue: 'binance', mode: 'live', requested_mode: 'auto', markets_loaded: false },
      { venue: 'bybit', mode: 'paper', requested_mode: 'auto', markets_loaded: true },
      { venue: 'okx', mode: 'paper', requested_mode: 'auto', markets_loaded: true },
    ]);
    // a later start with fewer venues replaces the set
    await recordVenueModes(db.pool, 'paper', [{ venue: 'okx', mode: 'paper', marketsLoaded: true }]);
    expect((await db.query(`select venue from watchlist.venue_mode`)).rows).toEqual([{ venue: 'okx' }]);
  });

  it('backfill writes no simulated snapshots for a live venue', async () => {
    const s = await backfill(db.pool, { hours: 0.1, venues: ['binance', 'okx', 'bybit'], env: { ...KEYS, WL_VENUE_MODE: 'auto' } });
    expect(s.skipped).toEqual(['binance']);
    expect(await snapshotVenues()).toEqual(['bybit', 'okx']);
  });

  it('backfill skips a venue a running worker recorded as live or shadow, whatever this environment says', async () => {
    await recordVenueModes(db.pool, 'auto', [
      { venue: 'binance', mode: 'live', marketsLoaded: true },
      { venue: 'bitget', mode: 'shadow', marketsLoaded: true },
      { venue: 'okx', mode: 'paper', marketsLoaded: true },
    ]);
    const s = await backfill(db.pool, { hours: 0.1, venues: ['binance', 'bitget', 'okx', 'bybit'], env: {} });
    expect(s.skipped).toEqual(['binance', 'bitget']);
    expect(await snapshotVenues()).toEqual(['bybit', 'okx']);
  });

  it('shadow and sandbox are labelled; a sandbox venue talks to the exchange test endpoints', async () => {
    expect(await venueModesFor(['okx', 'bybit'], { WL_VENUE_MODE: 'shadow' })).toEqual([
      { venue: 'okx', mode: 'shadow' },
      { venue: 'bybit', mode: 'shadow' },
    ]);
    expect(await venueModesFor(['okx', 'bybit'], { WL_VENUE_MODE: 'paper', ...KEYS, OKX_API_KEY: 'k', OKX_SECRET: 's', OKX_PASSWORD: 'p' })).toEqual([
      { venue: 'okx', mode: 'paper' },
      { venue: 'bybit', mode: 'paper' },
    ]);
    await expect(venueModesFor(['okx'], { WL_VENUE_MODE: 'live' })).rejects.toThrow(/live mode needs OKX_API_KEY, OKX_SECRET, OKX_PASSWORD/);
    // sandbox mode reads only the *_SANDBOX_* keys: live keys alone leave a venue paper
    const sandboxKeys = { BINANCE_SANDBOX_API_KEY: 'not-a-real-key', BINANCE_SANDBOX_SECRET: 'not-a-real-secret' };
    expect(await venueModesFor(['binance'], { ...KEYS, WL_VENUE_SANDBOX: '1' })).toEqual([{ venue: 'binance', mode: 'paper' }]);
    set = await buildVenues({ db: db.pool, venues: ['binance', 'okx'], env: { ...sandboxKeys, WL_VENUE_SANDBOX: '1' } });
    expect(set.modes.map((m) => [m.venue, m.mode])).toEqual([['binance', 'sandbox'], ['okx', 'paper']]);
    expect(isSandboxed((set.get('binance') as unknown as { exchange: Parameters<typeof isSandboxed>[0] }).exchange)).toBe(true);
  });

  it('every venue failing at start is an error naming each', async () => {
    await expect(buildVenues({ db: db.pool, venues: ['binance'], env: KEYS })).rejects.toThrow(/no venue loaded its markets \(binance: .*offline/);
  });

  it('GraphQL serves venue modes and raw rejections read-only and documented; the guard helper is not a field', async () => {
    await recordVenueModes(db.pool, 'auto', [{ venue: 'binance', mode: 'live', marketsLoaded: true }]);
    const srv = await startServer({ url: db.url, port: 0, traderToken: 'x-test-token-x', graphiql: false });
    try {
      const gql = async (query: string) =>
        (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();
      const r = await gql(`{
        allVenueModes { nodes { venue mode requestedMode marketsLoaded startedAt } }
        allWatchSignalRawRejecteds(first: 5) { totalCount }
        q: __type(name: "Query") { fields { name } }
        vm: __type(name: "VenueMode") { description fields { name description } }
        m: __type(name: "Mutation") { fields { name } }
      }`);
      expect(r.errors).toBeUndefined();
      expect(r.data.allVenueModes.nodes).toMatchObject([{ venue: 'binance', mode: 'live', requestedMode: 'auto', marketsLoaded: true }]);
      expect(r.data.allWatchSignalRawRejecteds.totalCount).toBe(0);
      const names = r.data.q.fields.map((f: { name: string }) => f.name);
      expect(names).not.toContain('rawRejectReason');
      expect(r.data.vm.description).toMatch(/live .*sandbox .*shadow .*paper/);
      for (const f of r.data.vm.fields.filter((x: { name: string }) => ['venue', 'mode', 'requestedMode', 'marketsLoaded', 'startedAt'].includes(x.name))) {
        expect(f.description, f.name).toBeTruthy();
      }
      expect((r.data.m?.fields ?? []).map((f: { name: string }) => f.name)).not.toContain('recordVenueModes');
    } finally {
      await srv.stop();
    }
  });
});
