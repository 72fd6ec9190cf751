// Preflight: is each venue's account set up the way the trading code assumes, before any
// money moves? The code sends orders without a position side (one-way mode), with cross
// margin, at the configured leverage, signed with a timestamp the exchange checks, using a
// key that should trade but never withdraw; preflight-ccxt.ts verifies each of those on
// the exchange itself. A venue with a failed check is recorded not tradeable
// (watchlist.record_venue_preflight) and trade_begin_open refuses signals on it.
import { PaperVenue } from './paper-venue.ts';
import type { SqlClient } from '../sql/client.ts';
import { recordVenuePreflight } from '../sql/record_venue_preflight.ts';
import { preflightSettings } from '../sql/preflight_settings.ts';
import { isSandboxed } from './sandbox.ts';
import type { Venue } from './types.ts';
import { textTable } from '../text-table.ts';

export type CheckName = 'position_mode' | 'margin_mode' | 'leverage' | 'clock' | 'key_permissions' | 'paper';
export type Environment = 'live' | 'sandbox' | 'paper' | 'shadow';

export interface CheckResult {
  check: CheckName;
  ok: boolean;
  detail: string;
}

export interface VenuePreflight {
  venue: string;
  environment: Environment;
  ok: boolean;
  checks: CheckResult[];
}

export interface PreflightOptions {
  /** the symbols we trade (margin mode and leverage are per symbol on most venues) */
  symbols: string[];
  /** trade.leverage: the leverage each symbol must be at or below */
  leverage: number;
  /** venue.max_clock_skew_ms: largest accepted |exchange time − local time| */
  maxClockSkewMs: number;
  /** WL_ALLOW_WITHDRAW_KEYS=1: accept a key that can withdraw */
  allowWithdrawKeys: boolean;
  now?: () => number;
}

type Env = Record<string, string | undefined>;

export function environmentOf(v: Venue): Environment {
  if (v instanceof PaperVenue) return v.mode;
  const ex = (v as { exchange?: Parameters<typeof isSandboxed>[0] }).exchange;
  return ex && isSandboxed(ex) ? 'sandbox' : 'live';
}

/** every check of one venue */
export async function preflightVenue(v: Venue, o: PreflightOptions): Promise<VenuePreflight> {
  if (v instanceof PaperVenue) {
    // simulated fills: nothing on an exchange to check, except a simulated hedge-mode account
    const hedge = v.accountSettings().hedgeMode;
    return {
      venue: v.name,
      environment: v.mode,
      ok: !hedge,
      checks: [hedge ? { check: 'position_mode', ok: false, detail: 'hedge mode (simulated fault)' } : { check: 'paper', ok: true, detail: `${v.mode}: simulated fills` }],
    };
  }
  // ccxt takes seconds to import: only when a real exchange is configured
  const { ccxtPreflight } = await import('./preflight-ccxt.ts');
  return ccxtPreflight(v, o);
}

export function preflightAll(venues: Venue[], o: PreflightOptions): Promise<VenuePreflight[]> {
  // venues in parallel: each has its own account and rate limiter
  return Promise.all(venues.map((v) => preflightVenue(v, o)));
}

/** record one venue's result; returns whether the database now counts it tradeable */
export async function recordPreflight(db: SqlClient, r: VenuePreflight): Promise<boolean> {
  return recordVenuePreflight(db, { venue: r.venue, environment: r.environment, checks: r.checks });
}

/** the options from config (trade.leverage, venue.max_clock_skew_ms, collect.symbols) and the environment */
export async function preflightOptions(db: SqlClient, env: Env = process.env, defaultSymbols: string[] = []): Promise<PreflightOptions> {
  const cfg = await preflightSettings(db);
  return {
    symbols: cfg.symbols ?? defaultSymbols,
    leverage: cfg.leverage,
    maxClockSkewMs: cfg.skew,
    allowWithdrawKeys: /^(1|true|yes|on)$/i.test((env['WL_ALLOW_WITHDRAW_KEYS'] ?? '').trim()),
  };
}

/** one table: venue × check → ok / FAILED and why */
export function formatPreflightTable(results: VenuePreflight[]): string {
  const rows = results.flatMap((r) => r.checks.map((c) => [r.venue, r.environment, c.check, c.ok ? 'ok' : 'FAILED', c.detail]));
  const verdicts = results.map((r) => `${r.venue}: ${r.ok ? 'tradeable' : 'NOT TRADED'}`);
  return [textTable(['venue', 'env', 'check', 'result', 'detail'], rows, { rule: true }), '', verdicts.join(', ')].join('\n');
}
