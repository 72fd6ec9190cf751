// One configured ccxt instance per exchange account.
//
// Credentials come ONLY from environment variables (never from the database, never from
// arguments) and are never logged. One instance per account: ccxt's rate limiter lives on
// the instance, so sharing an instance shares the budget.
import { binanceusdm, bitget, bybit, okx } from 'ccxt';
import type { Exchange } from 'ccxt';
import { CcxtVenue } from './ccxt-venue.ts';
import type { CcxtVenueName, CcxtVenueOptions } from './ccxt-venue.ts';
export { isSandboxed } from './sandbox.ts';

export type { CcxtVenueName } from './ccxt-venue.ts';

export const CCXT_VENUES: readonly CcxtVenueName[] = ['binance', 'okx', 'bybit', 'bitget'];

export interface CredentialEnvNames {
  apiKey: string;
  secret: string;
  password?: string;
}

/** the environment variables each exchange's credentials are read from */
export const CREDENTIAL_ENV: Readonly<Record<CcxtVenueName, CredentialEnvNames>> = {
  binance: { apiKey: 'BINANCE_API_KEY', secret: 'BINANCE_SECRET' },
  okx: { apiKey: 'OKX_API_KEY', secret: 'OKX_SECRET', password: 'OKX_PASSWORD' },
  bybit: { apiKey: 'BYBIT_API_KEY', secret: 'BYBIT_SECRET' },
  bitget: { apiKey: 'BITGET_API_KEY', secret: 'BITGET_SECRET', password: 'BITGET_PASSWORD' },
};

/**
 * the variables read instead with WL_VENUE_SANDBOX=1: keys of the exchanges' demo/testnet
 * accounts (created on the demo site, useless on the live one and vice versa)
 */
export const SANDBOX_CREDENTIAL_ENV: Readonly<Record<CcxtVenueName, CredentialEnvNames>> = {
  binance: { apiKey: 'BINANCE_SANDBOX_API_KEY', secret: 'BINANCE_SANDBOX_SECRET' },
  okx: { apiKey: 'OKX_SANDBOX_API_KEY', secret: 'OKX_SANDBOX_SECRET', password: 'OKX_SANDBOX_PASSWORD' },
  bybit: { apiKey: 'BYBIT_SANDBOX_API_KEY', secret: 'BYBIT_SANDBOX_SECRET' },
  bitget: { apiKey: 'BITGET_SANDBOX_API_KEY', secret: 'BITGET_SANDBOX_SECRET', password: 'BITGET_SANDBOX_PASSWORD' },
};

type Env = Record<string, string | undefined>;

/** WL_VENUE_SANDBOX=1 (or `wl up --sandbox`): every ccxt venue talks to its exchange's demo/testnet */
export function sandboxFromEnv(env: Env = process.env): boolean {
  return envFlag(env['WL_VENUE_SANDBOX']);
}

/** the credential variables in use: the sandbox ones when sandbox mode is on */
export function credentialEnv(venue: CcxtVenueName, sandbox: boolean): CredentialEnvNames {
  return (sandbox ? SANDBOX_CREDENTIAL_ENV : CREDENTIAL_ENV)[venue];
}

export function isCcxtVenueName(x: string): x is CcxtVenueName {
  return (CCXT_VENUES as readonly string[]).includes(x);
}

const nonEmpty = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== '';

/** true when every credential variable this exchange needs is set (values are not inspected further) */
export function hasCredentials(venue: CcxtVenueName, env: Env = process.env, sandbox = sandboxFromEnv(env)): boolean {
  const names = credentialEnv(venue, sandbox);
  return nonEmpty(env[names.apiKey]) && nonEmpty(env[names.secret]) && (names.password === undefined || nonEmpty(env[names.password]));
}

/** the names of the variables that are missing (for a start-up message; never the values) */
export function missingCredentialVars(venue: CcxtVenueName, env: Env = process.env, sandbox = sandboxFromEnv(env)): string[] {
  const names = credentialEnv(venue, sandbox);
  return [names.apiKey, names.secret, names.password].filter((n): n is string => n !== undefined && !nonEmpty(env[n]));
}

/** exchanges whose credentials are fully configured in the environment */
export function configuredCcxtVenues(env: Env = process.env, sandbox = sandboxFromEnv(env)): CcxtVenueName[] {
  return CCXT_VENUES.filter((v) => hasCredentials(v, env, sandbox));
}

export interface CcxtFactoryOptions {
  /** where credentials are read from; defaults to process.env */
  env?: Env;
  /** request timeout, ms (ccxt default 10 000) */
  timeoutMs?: number;
  /** ccxt's client-side rate limiter; keep it on in production */
  enableRateLimit?: boolean;
  /**
   * Bitget unified trading account. Set explicitly so ccxt never probes
   * /api/v3/account/settings before each call (an error there silently flips the mode).
   * Default: env BITGET_UTA ('1'/'true'), else false (classic v2 mix API).
   */
  bitgetUta?: boolean;
  /** extra ccxt options merged last (tests, tuning) */
  options?: Record<string, unknown>;
  /** the exchange's demo/testnet and the *_SANDBOX_* keys; default WL_VENUE_SANDBOX */
  sandbox?: boolean;
}

function envFlag(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** ccxt options per exchange: linear USDT swaps only, one-way mode, no hidden account probes */
export function ccxtOptionsFor(venue: CcxtVenueName, opts: CcxtFactoryOptions = {}): Record<string, unknown> {
  const env = opts.env ?? process.env;
  switch (venue) {
    case 'binance':
      // binanceusdm already defaults to swap/linear and loads linear markets only
      return { defaultType: 'swap', defaultSubType: 'linear' };
    case 'okx':
      return { defaultType: 'swap', defaultMarginMode: 'cross', fetchMarkets: { types: ['swap'] } };
    case 'bybit':
      // both flags set: otherwise createOrder/fetchOrder first make two private account look-ups
      return {
        defaultType: 'swap',
        defaultSubType: 'linear',
        enableUnifiedAccount: true,
        enableUnifiedMargin: false,
        fetchMarkets: { types: ['linear'] },
      };
    case 'bitget':
      return {
        defaultType: 'swap',
        defaultSubType: 'linear',
        uta: opts.bitgetUta ?? envFlag(env['BITGET_UTA']),
        fetchMarkets: { types: ['swap'] },
      };
  }
}

/** a ccxt instance for the exchange, credentials from the environment when present */
export function createCcxtExchange(venue: CcxtVenueName, opts: CcxtFactoryOptions = {}): Exchange {
  const env = opts.env ?? process.env;
  const sandbox = opts.sandbox ?? sandboxFromEnv(env);
  const config: Record<string, unknown> = {
    enableRateLimit: opts.enableRateLimit ?? true,
    // signed requests carry a timestamp the exchange checks against its receive window:
    // ccxt measures the offset (fetchTime) when it loads markets and signs with it
    options: { adjustForTimeDifference: true, ...ccxtOptionsFor(venue, opts), ...(opts.options ?? {}) },
  };
  if (opts.timeoutMs !== undefined) config['timeout'] = opts.timeoutMs;
  if (hasCredentials(venue, env, sandbox)) {
    const names = credentialEnv(venue, sandbox);
    config['apiKey'] = env[names.apiKey]!.trim();
    config['secret'] = env[names.secret]!.trim();
    if (names.password !== undefined) config['password'] = env[names.password]!.trim();
  }
  const ex = newExchange(venue, config);
  if (sandbox) useSandbox(venue, ex);
  return ex;
}

function newExchange(venue: CcxtVenueName, config: Record<string, unknown>): Exchange {
  switch (venue) {
    case 'binance':
      return new binanceusdm(config);
    case 'okx':
      return new okx(config);
    case 'bybit':
      return new bybit(config);
    case 'bitget':
      return new bitget(config);
  }
}

/**
 * Point an instance at its exchange's test environment (ccxt 4.5.84):
 * Binance demo trading (demo-fapi.binance.com; its old futures testnet is retired in ccxt),
 * OKX demo trading (same host, header x-simulated-trading: 1), Bybit testnet
 * (api-testnet.bybit.com), Bitget demo trading (same host, header PAPTRADING: 1).
 */
export function useSandbox(venue: CcxtVenueName, ex: Exchange): void {
  switch (venue) {
    case 'binance':
      ex.enableDemoTrading(true);
      break;
    case 'okx':
    case 'bybit':
    case 'bitget':
      ex.setSandboxMode(true);
      break;
  }
}

/** a Venue backed by a fresh, configured ccxt instance */
export function createCcxtVenue(venue: CcxtVenueName, opts: CcxtFactoryOptions & { venue?: CcxtVenueOptions } = {}): CcxtVenue {
  return new CcxtVenue(venue, createCcxtExchange(venue, opts), opts.venue);
}
