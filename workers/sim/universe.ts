import { dec, stepsToStr } from './decimal.ts';

// The simulated market's static facts: symbols with reference prices and depth,
// venues with fees, spreads, minimums, and the per-(venue, symbol) contract spec.
// Steps and ticks are decimal strings derived from the reference price so they
// look like the exchanges' (BTC tick 0.1, ETH 0.01, ...).

export interface SimSymbol {
  symbol: string; // unified, BTC/USDT:USDT
  price: number; // reference price the walk wanders around
  /** USDT resting on the touch level; deeper levels hold more */
  depthUsdt: number;
  /** per-minute log-price volatility */
  volPerMin: number;
}

export interface SimVenueSpec {
  name: string;
  takerFee: number;
  /** quoted spread in bps (top of book) */
  spreadBps: number;
  /** mean basis against the common price */
  basisOffset: number;
  /** min order notional in USDT, null when the venue has none */
  minCostUsdt: number | null;
  /** extra decimals on the price tick relative to the default */
  tickShift: number;
  /** 'contracts' (OKX: ctVal < 1 base, step in contracts) or 'base' */
  sizing: 'base' | 'contracts';
  /** minimum quantity as a multiple of the step (bybit min qty) */
  minStepsQty: number;
  fundingIntervalHours: number;
  /** per-symbol funding interval overrides */
  fundingOverrides?: Record<string, number>;
  /** per-symbol intervals that change over time: [even UTC days, odd UTC days] in hours
   *  (exchanges move a symbol from 8 h to 4 h funding when it gets volatile, and back) */
  fundingAlternating?: Record<string, [number, number]>;
}

const S = (base: string, price: number, depthUsdt: number, volPerMin = 0.0007): SimSymbol => ({
  symbol: `${base}/USDT:USDT`,
  price,
  depthUsdt,
  volPerMin,
});

export const DEFAULT_SYMBOLS: SimSymbol[] = [
  S('BTC', 95000, 250_000, 0.0005),
  S('ETH', 3300, 150_000, 0.0006),
  S('SOL', 180, 60_000),
  S('XRP', 2.2, 40_000),
  S('DOGE', 0.32, 40_000, 0.0008),
  S('ADA', 0.9, 25_000),
  S('BNB', 650, 40_000, 0.0005),
  S('LINK', 19, 20_000),
  S('AVAX', 35, 20_000),
  S('DOT', 6.5, 12_000),
  S('LTC', 100, 15_000),
  S('BCH', 450, 12_000),
  S('TRX', 0.25, 15_000, 0.0005),
  S('NEAR', 5, 10_000, 0.0008),
  S('APT', 9, 10_000, 0.0008),
  S('ARB', 0.75, 10_000, 0.0009),
  S('OP', 1.8, 10_000, 0.0009),
  S('SUI', 3.5, 15_000, 0.0009),
  S('WIF', 1.9, 8_000, 0.001),
  S('PEPE', 0.000018, 12_000, 0.001),
];

export const DEFAULT_VENUES: SimVenueSpec[] = [
  { name: 'binance', takerFee: 0.0005, spreadBps: 1.0, basisOffset: 0, minCostUsdt: 5, tickShift: 0, sizing: 'base', minStepsQty: 1, fundingIntervalHours: 8 },
  { name: 'okx', takerFee: 0.0005, spreadBps: 1.5, basisOffset: 0.0002, minCostUsdt: null, tickShift: 0, sizing: 'contracts', minStepsQty: 1, fundingIntervalHours: 8, fundingAlternating: { 'XRP/USDT:USDT': [8, 4] } },
  { name: 'bybit', takerFee: 0.00055, spreadBps: 1.2, basisOffset: -0.0001, minCostUsdt: null, tickShift: 0, sizing: 'base', minStepsQty: 5, fundingIntervalHours: 8, fundingOverrides: { 'DOGE/USDT:USDT': 4 } },
  { name: 'bitget', takerFee: 0.0006, spreadBps: 2.0, basisOffset: 0.0003, minCostUsdt: 5, tickShift: 1, sizing: 'base', minStepsQty: 1, fundingIntervalHours: 8, fundingOverrides: { 'WIF/USDT:USDT': 4, 'PEPE/USDT:USDT': 1 } },
];

/** the contract spec of one (venue, symbol), all steps as decimal strings */
export interface SimMarketSpec {
  venue: string;
  symbol: string;
  venueSymbol: string;
  tick: string;
  /** base units per contract */
  contractSize: string;
  /** amount step in contracts */
  amountStep: string;
  /** minimum amount in contracts */
  minAmount: string;
  minCostUsdt: number | null;
  takerFee: number;
  fundingIntervalHours: number;
}

const pow10 = (e: number): string => (e >= 0 ? '1' + '0'.repeat(e) : '0.' + '0'.repeat(-e - 1) + '1');

export function marketSpec(v: SimVenueSpec, s: SimSymbol): SimMarketSpec {
  const mag = Math.floor(Math.log10(s.price));
  const tick = pow10(mag - 5 - v.tickShift);
  // one base step is worth 0.1–1 USDT, so a 50 USDT order rounds by at most ~2%
  const baseStepExp = Math.floor(Math.log10(1 / s.price));
  const base = s.symbol.split('/')[0];
  let contractSize = '1';
  let amountStep = pow10(baseStepExp);
  if (v.sizing === 'contracts') {
    // OKX style: a contract of 10–100 USDT, traded in 0.01 lots
    contractSize = pow10(Math.floor(Math.log10(100 / s.price)));
    amountStep = '0.01';
  }
  const venueSymbol = v.name === 'okx' ? `${base}-USDT-SWAP` : `${base}USDT`;
  return {
    venue: v.name,
    symbol: s.symbol,
    venueSymbol,
    tick,
    contractSize,
    amountStep,
    minAmount: stepsToStr(v.minStepsQty, dec(amountStep)),
    minCostUsdt: v.minCostUsdt,
    takerFee: v.takerFee,
    fundingIntervalHours: v.fundingOverrides?.[s.symbol] ?? v.fundingIntervalHours,
  };
}
