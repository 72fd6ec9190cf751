// The configured venues of this process, built once and shared by every task
// (ccxt rate limiters live on the instance, so two instances would double the budget).
//
// WL_VENUES (or --venues) names the exchanges, default binance,okx,bybit,bitget.
// WL_VENUE_MODE: auto (default: a named exchange with keys in the environment is live,
// the rest paper), paper (all simulated), shadow (real public data, simulated fills),
// live (keys required). WL_SIM_SEED seeds the simulator (default 42).
// WL_VENUE_SANDBOX=1 (or --sandbox) sends every ccxt venue to its exchange's demo/testnet,
// with the *_SANDBOX_* keys (ccxt-factory.ts).
// WL_SIM_DEMO=1 makes the simulated market busier for a demo (workers/sim/demo.ts):
// dislocations in most (venue, symbol, hours), held a minute and reverting in minutes.
// WL_SIM_HEDGE_MODE=okx,bybit puts those paper venues' simulated accounts in hedge mode:
// their preflight fails and they are not traded (to see a failing preflight without an exchange).
import type pg from 'pg';
import { makePool } from '../../db/pool.ts';
import { connectionBudget } from '../../db/budget.ts';
import type { Venue } from './types.ts';
import { PaperVenue } from './paper-venue.ts';
import type { Queryable } from './paper-venue.ts';
import { MarketSim } from '../sim/market.ts';
import type { SimOptions } from '../sim/market.ts';
import { SimSource } from '../sim/sim-source.ts';
import { FaultInjector, systemClock } from '../sim/faults.ts';
import type { Clock } from '../sim/faults.ts';
import { publishRunningVenues } from './publish.ts';
import { demoMarket } from '../sim/demo.ts';
import { needsCcxt, planVenueModes, requestedMode } from './venue-modes.ts';
import type { CredentialCheck, VenueMode, VenueRunMode } from './venue-modes.ts';

export type { VenueMode, VenueRunMode } from './venue-modes.ts';
type Env = Record<string, string | undefined>;

export const DEFAULT_VENUE_NAMES = ['binance', 'okx', 'bybit', 'bitget'];

export interface VenueSet {
  venues: Venue[];
  /** how each venue trades, in the order of `venues`, and whether its markets loaded at start */
  modes: Array<{ venue: string; mode: VenueRunMode; marketsLoaded: boolean }>;
  /** WL_VENUE_MODE (or the mode asked for) */
  requested: VenueMode;
  /** the simulator behind the paper venues (null when none is simulated) */
  sim: MarketSim | null;
  clock: Clock;
  faults: FaultInjector;
  /** ccxt venues run against the exchanges' demo/testnet */
  sandbox: boolean;
  get(name: string): Venue;
  close(): Promise<void>;
}

export interface BuildVenuesOptions {
  /** ledger for paper and shadow venues */
  db: Queryable;
  venues?: string[];
  mode?: VenueMode;
  seed?: number;
  clock?: Clock;
  sim?: Omit<SimOptions, 'seed'>;
  env?: Env;
  /** default WL_VENUE_SANDBOX */
  sandbox?: boolean;
}

export function venueNamesFromEnv(env: Env = process.env): string[] {
  const v = env['WL_VENUES']?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return v && v.length ? v : DEFAULT_VENUE_NAMES;
}

export async function buildVenues(opts: BuildVenuesOptions): Promise<VenueSet> {
  const env = opts.env ?? process.env;
  const names = opts.venues ?? venueNamesFromEnv(env);
  const mode = opts.mode ?? requestedMode(env);
  const clock = opts.clock ?? systemClock;
  const seed = opts.seed ?? Number(env['WL_SIM_SEED'] || 42);
  const faults = new FaultInjector(seed);
  for (const n of (env['WL_SIM_HEDGE_MODE'] ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) faults.set(n, { hedgeMode: true });
  let sim: MarketSim | null = null;
  const simFor = () => (sim ??= new MarketSim({ ...demoMarket(env), ...opts.sim, seed }));
  // ccxt is loaded only when a real exchange is used
  // (in auto mode only when some named exchange has an API key in the environment)
  const sandbox = opts.sandbox ?? /^(1|true|yes|on)$/i.test((env['WL_VENUE_SANDBOX'] ?? '').trim());
  // one answer per venue (live/sandbox/shadow/paper) for what is built, printed and recorded
  const modeEnv = { ...env, WL_VENUE_SANDBOX: sandbox ? '1' : '0' };
  const ccxt = needsCcxt(names, mode, modeEnv) ? await import('./ccxt-factory.ts') : null;
  const plan = planVenueModes(names, mode, modeEnv, ccxt as CredentialCheck | null);

  const venues: Venue[] = [];
  for (const { venue: name, mode: runMode } of plan) {
    if (runMode === 'live' || runMode === 'sandbox') {
      // the factory points a sandbox venue at the exchange's demo/testnet with its *_SANDBOX_* keys
      venues.push(ccxt!.createCcxtVenue(name as never, { env, sandbox }));
    } else if (runMode === 'shadow') {
      venues.push(new PaperVenue({ source: ccxt!.createCcxtVenue(name as never, { env: {}, sandbox: false }), db: opts.db, mode: 'shadow', faults }));
    } else {
      venues.push(new PaperVenue({ source: new SimSource(name, simFor(), clock, faults), db: opts.db }));
    }
  }
  // an exchange unreachable at start-up stays in the set: its calls fail (and are recorded) until it answers
  const loaded = await Promise.allSettled(venues.map((v) => v.loadMarkets()));
  const failed = loaded.flatMap((r, i) => (r.status === 'rejected' ? [`${venues[i].name}: ${(r.reason as Error)?.message}`] : []));
  if (failed.length === venues.length && venues.length > 0) throw new Error(`venues: no venue loaded its markets (${failed.join('; ')})`);
  return {
    venues,
    modes: plan.map((p, i) => ({ ...p, marketsLoaded: loaded[i].status === 'fulfilled' })),
    requested: mode,
    sim,
    clock,
    faults,
    sandbox: sandbox && venues.some((v) => !(v instanceof PaperVenue)),
    get(name: string) {
      const v = venues.find((x) => x.name === name);
      if (!v) throw new RangeError(`no venue ${name} (configured: ${names.join(', ')})`);
      return v;
    },
    async close() {
      await Promise.all(venues.map((v) => v.close?.()));
    },
  };
}

// ---- the process-wide set ----------------------------------------------------
let config: (Omit<BuildVenuesOptions, 'db'> & { url?: string; db?: Queryable }) | null = null;
let shared: Promise<VenueSet> | null = null;
let ownPool: pg.Pool | null = null;

/** call once at process start (worker, `wl up`); `url` is the database the paper ledger lives in */
export function configureVenues(opts: Omit<BuildVenuesOptions, 'db'> & { url?: string; db?: Queryable }): void {
  config = opts;
  shared = null;
}

/**
 * The shared venue set, built on first use. Without configureVenues(), the ledger uses
 * `fallbackDb` (a task's pool-backed query) or DATABASE_URL.
 */
export function sharedVenues(fallbackDb?: Queryable): Promise<VenueSet> {
  if (shared) return shared;
  const c = config ?? {};
  let db = c.db;
  if (!db) {
    const url = c.url ?? process.env['DATABASE_URL'];
    if (url) {
      // the paper ledger's share of the connection budget (db/budget.ts)
      db = ownPool = makePool('venues ledger', { connectionString: url, max: connectionBudget().ledger, application_name: 'wl-ledger' });
    }
    else db = fallbackDb;
  }
  if (!db) throw new Error('venues: no database for the paper ledger; call configureVenues({ url }) at start-up');
  const ledger = db;
  // the process-wide set is the worker's: record what it runs (gate, manual_trade read it)
  shared = buildVenues({ ...c, db }).then(async (set) => {
    try {
      await publishRunningVenues(ledger, set.venues);
    } catch (e) {
      await set.close().catch(() => {});
      throw e;
    }
    return set;
  });
  shared.catch(() => {
    shared = null; // a failed build (exchange unreachable at start) is retried on next use
  });
  return shared;
}

export async function closeSharedVenues(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) await (await s).close().catch(() => {});
  if (ownPool) await ownPool.end();
  ownPool = null;
}
