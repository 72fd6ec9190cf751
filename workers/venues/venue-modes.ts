// How each configured venue trades, decided once from WL_VENUE_MODE and the keys in the
// environment, so what is built, what start-up prints, what the database records and
// what backfill may simulate all come from the same answer.
//
//   live     a real exchange with the account's keys (ccxt)
//   sandbox  live, but on the exchange's demo/testnet (WL_VENUE_SANDBOX=1)
//   shadow   a real exchange's public books, simulated fills
//   paper    the built-in simulated market
import type { SqlClient } from '../sql/client.ts';
import { recordVenueModes as recordModes } from '../sql/record_venue_modes.ts';

export type VenueMode = 'auto' | 'paper' | 'shadow' | 'live';
export type VenueRunMode = 'live' | 'sandbox' | 'shadow' | 'paper';
type Env = Record<string, string | undefined>;

export interface VenueModePlan {
  venue: string;
  mode: VenueRunMode;
}

/** the credential checks of workers/venues/ccxt-factory.ts (passed in so ccxt loads only when needed) */
export interface CredentialCheck {
  isCcxtVenueName(name: string): boolean;
  hasCredentials(name: never, env: Env): boolean;
  missingCredentialVars(name: never, env: Env): string[];
}

export function requestedMode(env: Env = process.env): VenueMode {
  const m = (env['WL_VENUE_MODE'] || 'auto').trim().toLowerCase();
  if (m === 'auto' || m === 'paper' || m === 'shadow' || m === 'live') return m;
  throw new Error(`WL_VENUE_MODE=${m}: expected auto, paper, shadow or live`);
}

/** whether any venue may need ccxt (auto mode: only when some named exchange has a key set) */
export function needsCcxt(names: string[], mode: VenueMode, env: Env): boolean {
  const sandbox = /^(1|true|yes|on)$/i.test(env['WL_VENUE_SANDBOX']?.trim() ?? '');
  return mode === 'shadow' || mode === 'live' || (mode === 'auto' && names.some((n) => env[`${n.toUpperCase()}${sandbox ? '_SANDBOX' : ''}_API_KEY`]));
}

export function planVenueModes(names: string[], mode: VenueMode, env: Env, ccxt: CredentialCheck | null): VenueModePlan[] {
  const sandbox = /^(1|true|yes|on)$/i.test(env['WL_VENUE_SANDBOX']?.trim() ?? '');
  return names.map((venue) => {
    const real = ccxt !== null && ccxt.isCcxtVenueName(venue);
    const keyed = real && ccxt.hasCredentials(venue as never, env);
    if (mode === 'live' || (mode === 'auto' && keyed)) {
      if (!real) throw new Error(`venue ${venue}: no live implementation`);
      if (!keyed) throw new Error(`venue ${venue}: live mode needs ${ccxt.missingCredentialVars(venue as never, env).join(', ')}`);
      return { venue, mode: sandbox ? 'sandbox' : 'live' };
    }
    if (mode === 'shadow') {
      if (!real) throw new Error(`venue ${venue}: shadow mode needs a real exchange`);
      return { venue, mode: 'shadow' };
    }
    return { venue, mode: 'paper' };
  });
}

/** the plan for these names under this environment, loading ccxt's credential checks only when needed */
export async function venueModesFor(names: string[], env: Env = process.env, mode: VenueMode = requestedMode(env)): Promise<VenueModePlan[]> {
  const ccxt = needsCcxt(names, mode, env) ? await import('./ccxt-factory.ts') : null;
  return planVenueModes(names, mode, env, ccxt as CredentialCheck | null);
}

/** "binance live, okx paper": for start-up lines */
export function describeModes(modes: Array<{ venue: string; mode: VenueRunMode; marketsLoaded?: boolean }>): string {
  return modes.map((m) => `${m.venue} ${m.mode}${m.marketsLoaded === false ? ' (markets not loaded)' : ''}`).join(', ');
}

const MODE_MEANING: Record<VenueRunMode, string> = {
  live: 'real orders, real money',
  sandbox: "the exchange's demo/testnet, no real money",
  shadow: 'real books, simulated fills',
  paper: 'simulated market and fills',
};

/** `wl up`'s banner line: each venue's mode in capitals and what it means, so nobody mistakes live for paper */
export function modeBanner(modes: Array<{ venue: string; mode: VenueRunMode; marketsLoaded?: boolean }>): string {
  const live = modes.filter((m) => m.mode === 'live').map((m) => m.venue);
  const parts = modes.map((m) => `${m.venue} ${m.mode.toUpperCase()} (${MODE_MEANING[m.mode]}${m.marketsLoaded === false ? '; markets not loaded' : ''})`);
  return `TRADING MODE per venue: ${parts.join(' · ')}${live.length ? ` — REAL MONEY on ${live.join(', ')}` : ''}`;
}

/** the running worker's venues and modes, for the pages, GraphQL and the raw guard's known venues */
export async function recordVenueModes(
  db: SqlClient,
  requested: VenueMode,
  modes: Array<{ venue: string; mode: VenueRunMode; marketsLoaded: boolean }>,
): Promise<void> {
  await recordModes(db, { requested, modes: modes.map((m) => ({ venue: m.venue, mode: m.mode, markets_loaded: m.marketsLoaded })) });
}
