// The simulated market: a pure function of (seed, minute).
//
// price(venue, symbol, m) = ref × exp(common(symbol, m) + basis(venue, symbol, m))
//  - common: per-symbol random walk. Daily anchors are a 12-day moving sum of daily
//    shocks (stationary, so prices stay near their reference), and each day is a
//    Brownian bridge between its two anchors. A day's path needs only that day's
//    counter-hashed shocks: minute m is never computed by replaying from an epoch.
//  - basis: per-venue OU (half-life 20 min) around a small venue offset, computed
//    per day from the counter-hashed noise of the 240 minutes before the day (φ^240
//    ≈ 2e-4, so days join without a visible seam), plus dislocations: in each
//    (venue, symbol, hour) with small probability one venue jumps 1–4%, holds for
//    5–30 min, then decays to exactly zero over 6τ (τ 60–240 min). Finite support
//    means a day path includes every event that can touch it.
// Day paths are cached; everything else (books, funding) derives from them plus
// per-minute counter hashes, so any call order gives the same answers.
import { gauss, hashStr, uniform } from './prng.ts';
import { DEFAULT_SYMBOLS, DEFAULT_VENUES, marketSpec } from './universe.ts';
import type { SimMarketSpec, SimSymbol, SimVenueSpec } from './universe.ts';
import { dec, mul, placesOf, toStr } from './decimal.ts';
import type { FundingInfo, FundingPoint, Level, OrderBook } from '../venues/types.ts';

export const MINUTE_MS = 60_000;
const DAY_MIN = 1440;
const DAY_MS = DAY_MIN * MINUTE_MS;
const ANCHOR_DAYS = 12;
const OU_HALF_LIFE_MIN = 20;
const OU_STD = 0.0004;
const OU_WARMUP_MIN = 240;
const DISLOCATION_LOOKBACK_H = 26; // > max hold (30 min) + 6 × max τ (240 min) = 24.5 h

// stream ids: keep draws for different purposes independent
const ST_ANCHOR = 1;
const ST_WALK = 2;
const ST_OU = 3;
const ST_DIS = 4;
const ST_BOOK = 5;
const ST_STATIC = 6;

export interface SimOptions {
  seed?: number;
  symbols?: SimSymbol[];
  venues?: SimVenueSpec[];
  /** probability of a dislocation per (venue, symbol, hour); default 0.003 ≈ 6/day over 20 × 4 */
  dislocationPerHour?: number;
  /** multiplies dislocation hold and reversion times (1 = hours, as in markets; the demo's in workers/sim/demo.ts) */
  reversionScale?: number;
  /** book levels per side; default 20 */
  levels?: number;
}

export interface Dislocation {
  venue: string;
  symbol: string;
  startMinute: number;
  size: number; // log-price jump, signed
  holdMin: number;
  tauMin: number;
}

interface PairState {
  v: SimVenueSpec;
  s: SimSymbol;
  spec: SimMarketSpec;
  stream: number;
  offset: number;
  fundingBias: number;
  tickNum: number;
  tickPlaces: number;
  baseStep: number;
  baseStepPlaces: number;
}

export class MarketSim {
  readonly seed: number;
  readonly symbols: SimSymbol[];
  readonly venues: SimVenueSpec[];
  readonly levels: number;
  readonly dislocationPerHour: number;
  readonly reversionScale: number;
  readonly #pairs = new Map<string, PairState>();
  readonly #symIdx = new Map<string, number>();
  readonly #common = new Map<string, Float64Array>();
  readonly #basis = new Map<string, Float32Array>();

  constructor(opts: SimOptions = {}) {
    this.seed = (opts.seed ?? 42) >>> 0;
    this.symbols = opts.symbols ?? DEFAULT_SYMBOLS;
    this.venues = opts.venues ?? DEFAULT_VENUES;
    this.levels = opts.levels ?? 20;
    this.dislocationPerHour = opts.dislocationPerHour ?? 0.003;
    this.reversionScale = opts.reversionScale ?? 1;
    this.symbols.forEach((s, i) => this.#symIdx.set(s.symbol, i));
    for (const v of this.venues) {
      for (const s of this.symbols) {
        const spec = marketSpec(v, s);
        const stream = hashStr(`${v.name}|${s.symbol}`) & 0x7fffffff;
        const baseStep = toStr(mul(dec(spec.contractSize), dec(spec.amountStep)));
        this.#pairs.set(`${v.name}|${s.symbol}`, {
          v,
          s,
          spec,
          stream,
          offset: v.basisOffset + (uniform(this.seed, ST_STATIC, stream, 0) - 0.5) * 0.0006,
          fundingBias: (uniform(this.seed, ST_STATIC, stream, 1) - 0.5) * 0.0001,
          tickNum: Number(spec.tick),
          tickPlaces: placesOf(spec.tick),
          baseStep: Number(baseStep),
          baseStepPlaces: placesOf(baseStep),
        });
      }
    }
  }

  venueNames(): string[] {
    return this.venues.map((v) => v.name);
  }
  symbolNames(): string[] {
    return this.symbols.map((s) => s.symbol);
  }
  has(venue: string, symbol: string): boolean {
    return this.#pairs.has(`${venue}|${symbol}`);
  }
  spec(venue: string, symbol: string): SimMarketSpec {
    return this.#pair(venue, symbol).spec;
  }
  venueSpec(venue: string): SimVenueSpec | undefined {
    return this.venues.find((v) => v.name === venue);
  }

  #pair(venue: string, symbol: string): PairState {
    const p = this.#pairs.get(`${venue}|${symbol}`);
    if (!p) throw new RangeError(`sim: no market ${symbol} on ${venue}`);
    return p;
  }

  // ---- common random walk ---------------------------------------------------
  #anchor(si: number, day: number, vol: number): number {
    // daily shock std chosen so anchor-to-anchor moves match the minute vol over a day
    const c = (vol * Math.sqrt(DAY_MIN)) / Math.SQRT2;
    let a = 0;
    for (let k = 0; k < ANCHOR_DAYS; k++) a += gauss(this.seed, ST_ANCHOR * 1000 + si, day - k, 0);
    return a * c;
  }

  #commonDay(si: number, day: number): Float64Array {
    const key = `${si}|${day}`;
    let path = this.#common.get(key);
    if (path) return path;
    const vol = this.symbols[si].volPerMin;
    const a0 = this.#anchor(si, day, vol);
    const a1 = this.#anchor(si, day + 1, vol);
    path = new Float64Array(DAY_MIN);
    let w = 0;
    const walk = new Float64Array(DAY_MIN + 1);
    for (let i = 1; i <= DAY_MIN; i++) {
      w += vol * gauss(this.seed, ST_WALK * 1000 + si, day, i);
      walk[i] = w;
    }
    const end = walk[DAY_MIN];
    for (let i = 0; i < DAY_MIN; i++) path[i] = a0 + walk[i] + (i / DAY_MIN) * (a1 - a0 - end);
    if (this.#common.size > 50_000) this.#common.clear();
    this.#common.set(key, path);
    return path;
  }

  /** common log-price offset of a symbol at an absolute minute */
  commonLog(symbol: string, minute: number): number {
    const si = this.#symIdx.get(symbol);
    if (si === undefined) throw new RangeError(`sim: unknown symbol ${symbol}`);
    const day = Math.floor(minute / DAY_MIN);
    return this.#commonDay(si, day)[minute - day * DAY_MIN];
  }

  // ---- basis ----------------------------------------------------------------
  /** dislocations starting in an hour bucket (0 or 1) */
  #dislocationIn(p: PairState, hour: number): Dislocation | null {
    if (uniform(this.seed, ST_DIS * 1000 + (p.stream & 0xffff), p.stream, hour * 8) >= this.dislocationPerHour) return null;
    const u = (k: number) => uniform(this.seed, ST_DIS * 1000 + (p.stream & 0xffff), p.stream, hour * 8 + k);
    const mag = Math.log(1 + (0.01 + 0.03 * u(1)));
    return {
      venue: p.v.name,
      symbol: p.s.symbol,
      startMinute: hour * 60 + Math.floor(u(2) * 60),
      size: u(3) < 0.5 ? mag : -mag,
      holdMin: Math.max(1, Math.round((5 + Math.floor(u(4) * 26)) * this.reversionScale)),
      tauMin: Math.max(1, (60 + u(5) * 180) * this.reversionScale),
    };
  }

  static dislocationAt(d: Dislocation, minute: number): number {
    const t = minute - d.startMinute;
    if (t < 0) return 0;
    if (t <= d.holdMin) return d.size;
    const x = (t - d.holdMin) / d.tauMin;
    if (x >= 6) return 0;
    const tail = Math.exp(-6);
    return (d.size * (Math.exp(-x) - tail)) / (1 - tail);
  }

  /** dislocations of one (venue, symbol) that start in [fromMinute, toMinute) */
  dislocations(venue: string, symbol: string, fromMinute: number, toMinute: number): Dislocation[] {
    const p = this.#pair(venue, symbol);
    const out: Dislocation[] = [];
    for (let h = Math.floor(fromMinute / 60); h * 60 < toMinute; h++) {
      const d = this.#dislocationIn(p, h);
      if (d && d.startMinute >= fromMinute && d.startMinute < toMinute) out.push(d);
    }
    return out;
  }

  #basisDay(p: PairState, day: number): Float32Array {
    const key = `${p.stream}|${day}`;
    let path = this.#basis.get(key);
    if (path) return path;
    path = new Float32Array(DAY_MIN);
    const phi = Math.pow(0.5, 1 / OU_HALF_LIFE_MIN);
    const eps = OU_STD * Math.sqrt(1 - phi * phi);
    const start = day * DAY_MIN;
    let x = 0;
    for (let m = start - OU_WARMUP_MIN; m < start + DAY_MIN; m++) {
      const d = Math.floor(m / DAY_MIN);
      x = phi * x + eps * gauss(this.seed, ST_OU * 1000 + (p.stream & 0xffff), p.stream ^ d, m - d * DAY_MIN);
      if (m >= start) path[m - start] = x + p.offset;
    }
    const firstHour = day * 24 - DISLOCATION_LOOKBACK_H;
    for (let h = firstHour; h < (day + 1) * 24; h++) {
      const d = this.#dislocationIn(p, h);
      if (!d) continue;
      for (let i = Math.max(0, d.startMinute - start); i < DAY_MIN; i++) {
        const c = MarketSim.dislocationAt(d, start + i);
        if (c === 0 && start + i > d.startMinute) break;
        path[i] += c;
      }
    }
    if (this.#basis.size > 20_000) this.#basis.clear();
    this.#basis.set(key, path);
    return path;
  }

  /** log basis of a venue against the common price at an absolute minute */
  basisLog(venue: string, symbol: string, minute: number): number {
    const p = this.#pair(venue, symbol);
    const day = Math.floor(minute / DAY_MIN);
    return this.#basisDay(p, day)[minute - day * DAY_MIN];
  }

  /** the venue's fair mid price at a time (ms), constant within a minute */
  midAt(venue: string, symbol: string, ts: number): number {
    const minute = Math.floor(ts / MINUTE_MS);
    const p = this.#pair(venue, symbol);
    return p.s.price * Math.exp(this.commonLog(symbol, minute) + this.basisLog(venue, symbol, minute));
  }

  // ---- books ----------------------------------------------------------------
  bookAt(venue: string, symbol: string, ts: number, depth = this.levels): OrderBook {
    const p = this.#pair(venue, symbol);
    const minute = Math.floor(ts / MINUTE_MS);
    const mid = this.midAt(venue, symbol, ts);
    const tick = p.tickNum;
    const midTicks = mid / tick;
    const u = (k: number) => uniform(this.seed, ST_BOOK * 1000 + (p.stream & 0xffff), p.stream ^ minute, k);
    const halfTicks = Math.max(0.5, (mid * p.v.spreadBps * (0.8 + 0.6 * u(0))) / 2e4 / tick);
    const bestBid = Math.floor(midTicks - halfTicks);
    let bestAsk = Math.ceil(midTicks + halfTicks);
    if (bestAsk <= bestBid) bestAsk = bestBid + 1;
    const gap = Math.max(1, Math.round((mid * 0.5e-4) / tick)); // ~0.5 bp between levels
    const n = Math.min(depth, this.levels);
    const bids: Level[] = [];
    const asks: Level[] = [];
    for (let i = 0; i < n; i++) {
      const bidTicks = bestBid - i * gap;
      const askTicks = bestAsk + i * gap;
      bids.push([this.#fmtPrice(p, bidTicks), this.#fmtQty(p, p.s.depthUsdt * (1 + 0.6 * i) * (0.5 + u(1 + 2 * i)), bidTicks * tick)]);
      asks.push([this.#fmtPrice(p, askTicks), this.#fmtQty(p, p.s.depthUsdt * (1 + 0.6 * i) * (0.5 + u(2 + 2 * i)), askTicks * tick)]);
    }
    const bookTs = minute * MINUTE_MS;
    return { venue, symbol, bids: bids.filter((l) => Number(l[0]) > 0), asks, ts: bookTs, receivedAt: bookTs };
  }

  #fmtPrice(p: PairState, ticks: number): string {
    return (ticks * p.tickNum).toFixed(p.tickPlaces);
  }
  #fmtQty(p: PairState, usdt: number, price: number): string {
    const steps = Math.max(1, Math.floor(usdt / price / p.baseStep));
    return (steps * p.baseStep).toFixed(p.baseStepPlaces);
  }

  // ---- funding --------------------------------------------------------------
  /** the funding interval in force at a time (a symbol may alternate by UTC day) */
  fundingIntervalAt(venue: string, symbol: string, ts: number): number {
    const p = this.#pair(venue, symbol);
    const alt = p.v.fundingAlternating?.[symbol];
    if (!alt) return p.spec.fundingIntervalHours;
    return alt[Math.floor(ts / DAY_MS) % 2 === 0 ? 0 : 1];
  }

  /** predicted rate for the next settlement, as published at a time */
  fundingRateAt(venue: string, symbol: string, ts: number): number {
    const p = this.#pair(venue, symbol);
    const minute = Math.floor(ts / MINUTE_MS);
    const premium = this.basisLog(venue, symbol, minute) - p.offset;
    const raw = (0.0001 + p.fundingBias + 0.3 * premium) * (this.fundingIntervalAt(venue, symbol, ts) / 8);
    const clamped = Math.max(-0.003, Math.min(0.003, raw));
    return Math.round(clamped * 1e6) / 1e6;
  }

  /**
   * Settlement times in [since, until]. Each UTC day is one segment with the interval in
   * force that day; settlements sit on that interval's UTC multiples inside the day
   * (both 8 h and 4 h divide 24 h, so 00:00 always settles).
   */
  settlementTimes(venue: string, symbol: string, since: number, until: number): number[] {
    const out: number[] = [];
    for (let day = Math.floor(since / DAY_MS) * DAY_MS; day <= until; day += DAY_MS) {
      const step = this.fundingIntervalAt(venue, symbol, day) * 3_600_000;
      for (let t = day; t < day + DAY_MS; t += step) if (t >= since && t <= until) out.push(t);
    }
    return out;
  }

  fundingInfo(venue: string, symbol: string, ts: number): FundingInfo {
    // the next settlement strictly after ts, across a change of interval
    const next = this.settlementTimes(venue, symbol, ts + 1, ts + 2 * DAY_MS)[0];
    return {
      venue,
      symbol,
      rate: this.fundingRateAt(venue, symbol, ts),
      intervalHours: this.fundingIntervalAt(venue, symbol, next - 1),
      nextFundingTime: next,
      asOf: ts,
      scheduleSource: 'sim',
    };
  }

  /** settlements in [since, until]: the rate published the minute before each */
  fundingHistory(venue: string, symbol: string, since: number, until: number): FundingPoint[] {
    return this.settlementTimes(venue, symbol, since, until).map((t) => ({ ts: t, rate: this.fundingRateAt(venue, symbol, t - MINUTE_MS) }));
  }
}
