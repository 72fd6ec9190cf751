// One configured ccxt instance per exchange account.
//
// Credentials come ONLY from environment variables (never from the database, never from
// arguments) and are never logged. One instance per account: ccxt's rate limiter lives on
// the instance, so sharing an instance shares the budget.
import { binanceusdm, bitget, bybit, okx } from 'ccxt';
import type { Exchange } from 'ccxt';
import { CcxtVenue } from './ccxt-venue.ts';
import type { CcxtVenueName, CcxtVenueOptions } from './ccxt-venue.ts';

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

type Env = Record<string, string | undefined>;

export function isCcxtVenueName(x: string): x is CcxtVenueName {
  return (CCXT_VENUES as readonly string[]).includes(x);
}

const nonEmpty = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== '';

/** true when every credential variable this exchange needs is set (values are not inspected further) */
export function hasCredentials(venue: CcxtVenueName, env: Env = process.env): boolean {
  const names = CREDENTIAL_ENV[venue];
  return nonEmpty(env[names.apiKey]) && nonEmpty(env[names.secret]) && (names.password === undefined || nonEmpty(env[names.password]));
}

/** the names of the variables that are missing (for a start-up message; never the values) */
export function missingCredentialVars(venue: CcxtVenueName, env: Env = process.env): string[] {
  const names = CREDENTIAL_ENV[venue];
  return [names.apiKey, names.secret, names.password].filter((n): n is string => n !== undefined && !nonEmpty(env[n]));
}

/** exchanges whose credentials are fully configured in the environment */
export function configuredCcxtVenues(env: Env = process.env): CcxtVenueName[] {
  return CCXT_VENUES.filter((v) => hasCredentials(v, env));
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
  const config: Record<string, unknown> = {
    enableRateLimit: opts.enableRateLimit ?? true,
    options: { ...ccxtOptionsFor(venue, opts), ...(opts.options ?? {}) },
  };
  if (opts.timeoutMs !== undefined) config['timeout'] = opts.timeoutMs;
  if (hasCredentials(venue, env)) {
    const names = CREDENTIAL_ENV[venue];
    config['apiKey'] = env[names.apiKey]!.trim();
    config['secret'] = env[names.secret]!.trim();
    if (names.password !== undefined) config['password'] = env[names.password]!.trim();
  }
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

/** a Venue backed by a fresh, configured ccxt instance */
export function createCcxtVenue(venue: CcxtVenueName, opts: CcxtFactoryOptions & { venue?: CcxtVenueOptions } = {}): CcxtVenue {
  return new CcxtVenue(venue, createCcxtExchange(venue, opts), opts.venue);
}
