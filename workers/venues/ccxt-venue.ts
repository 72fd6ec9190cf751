// The ccxt-backed Venue for Binance USDⓈ-M, OKX, Bybit and Bitget linear USDT perpetuals.
//
// Every ccxt call is wrapped: callers only ever see VenueError (kinds in errors.ts).
// Amounts cross the boundary in BASE units as decimal strings; inside, orders are sized in
// contracts (contractSize: 1 on Binance/Bybit/Bitget, ctVal on OKX), converted with ccxt's
// string arithmetic (Precise) and rounded with amountToPrecision. Checked against ccxt 4.5.84.
import {
  AuthenticationError,
  BadRequest,
  BaseError,
  DDoSProtection,
  DuplicateOrderId,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NoChange,
  NotSupported,
  OperationFailed,
  OperationRejected,
  OrderNotFound,
  Precise,
  RateLimitExceeded,
  ArgumentsRequired,
} from 'ccxt';
import type { Exchange, FundingRate, FundingRateHistory, MarketInterface as Market, Order, Trade } from 'ccxt';
import { VenueError } from './errors.ts';
import { scrubSecrets } from './scrub.ts';
import type { VenueErrorKind } from './errors.ts';
import { shapeClientOrderId } from './client-order-id.ts';
import { LeverageAnswer, currentLeverage } from './leverage.ts';
import { HOUR_MS, intervalHoursBetween, normaliseSchedule, parseHours, parseIntervalString } from './funding-schedule.ts';
import type {
  Balance,
  FundingInfo,
  FundingPayment,
  FundingPoint,
  Level,
  MarketInfo,
  OrderBook,
  OrderFill,
  OrderRequest,
  OrderResult,
  OrderStatus,
  LookupOptions,
  Position,
  PriceAt,
  Venue,
} from './types.ts';

export type CcxtVenueName = 'binance' | 'okx' | 'bybit' | 'bitget';

export interface CcxtVenueOptions {
  /** clock, ms epoch (tests pin it) */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** after a market order, read the order (and its trades) back for fills and fees; default true */
  fetchFillsAfterCreate?: boolean;
  /** how many times to read the order back while it is not final; default 4 */
  fillPollAttempts?: number;
  /** pause between read-backs, ms; default 250 */
  fillPollDelayMs?: number;
  /** Binance /fapi/v1/fundingInfo cache lifetime, ms; default 1 h */
  fundingIntervalsTtlMs?: number;
  /** default order book depth; default 50 */
  defaultDepth?: number;
}

// ---------------------------------------------------------------------------------------
// Exchange-specific codes ccxt does not (or not uniquely) classify

/** client order id already used: the order exists */
const DUPLICATE_CODES: Record<CcxtVenueName, readonly string[]> = {
  binance: ['-4116'], // DUPLICATED_CLIENT_ORDER_ID (ccxt: InvalidOrder)
  okx: ['51016'], // Duplicated client order ID (ccxt: InvalidOrder)
  bybit: ['110072'], // OrderLinkedID is duplicate (ccxt: InvalidOrder)
  bitget: ['40786', '25212'], // Duplicate clientOid (v2 / uta; ccxt: plain ExchangeError)
};

/** order does not exist */
const NOT_FOUND_CODES: Record<CcxtVenueName, readonly string[]> = {
  binance: ['-2013'],
  okx: ['51603'],
  bybit: ['110001'],
  bitget: ['40109', '43001', '40768', '25204'],
};

/** setLeverage answered "unchanged": success */
const LEVERAGE_UNCHANGED_CODES: Record<CcxtVenueName, readonly string[]> = {
  binance: [],
  okx: [],
  bybit: ['110043'], // Set leverage not modified (ccxt: BadRequest)
  bitget: [],
};

const CODE_RE = /"(?:code|sCode|retCode|ret_code|err_code)"\s*:\s*"?(-?\d+)"?/g;

/** exchange error codes quoted in a ccxt error message (ccxt puts the response body there) */
export function exchangeErrorCodes(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(CODE_RE)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

export interface ErrorContext {
  op: string;
  symbol?: string;
}

function kindOf(venue: CcxtVenueName, e: unknown, codes: string[]): VenueErrorKind {
  if (e instanceof DuplicateOrderId || codes.some((c) => DUPLICATE_CODES[venue].includes(c))) return 'duplicate';
  if (e instanceof OrderNotFound || codes.some((c) => NOT_FOUND_CODES[venue].includes(c))) return 'not_found';
  // RateLimitExceeded and DDoSProtection are NetworkError subclasses: test them first
  if (e instanceof RateLimitExceeded || e instanceof DDoSProtection) return 'rate_limit';
  // timestamp outside the receive window (Binance -1021, OKX 50102, Bybit 10002): refused at
  // authentication, so a write placed nothing. A NetworkError in ccxt, but not an unknown outcome
  if (e instanceof InvalidNonce) return 'invalid';
  // RequestTimeout, NetworkError, ExchangeNotAvailable, OnMaintenance, BadResponse,
  // NullResponse and plain OperationFailed (Binance -1000/-1006): the outcome is unknown
  if (e instanceof OperationFailed) return 'network';
  if (e instanceof InsufficientFunds) return 'insufficient_funds';
  if (e instanceof AuthenticationError) return 'auth'; // includes PermissionDenied, AccountSuspended
  if (
    e instanceof InvalidOrder ||
    e instanceof BadRequest || // includes BadSymbol
    e instanceof ArgumentsRequired ||
    e instanceof NotSupported ||
    e instanceof OperationRejected
  )
    return 'invalid';
  return 'unknown'; // plain ExchangeError and anything else: treat the outcome as unknown
}

/** map anything a ccxt call threw to a VenueError (idempotent on VenueError) */
export function mapCcxtError(venue: CcxtVenueName, e: unknown, ctx: ErrorContext): VenueError {
  if (e instanceof VenueError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const codes = exchangeErrorCodes(raw);
  const message = scrubSecrets(raw);
  if (e instanceof Error && message !== raw) {
    // the cause travels with the VenueError (and into any log that prints it): mask it too
    e.message = message;
    if (e.stack) e.stack = scrubSecrets(e.stack);
  }
  const kind = kindOf(venue, e, codes);
  const sourceClass = e instanceof BaseError || e instanceof Error ? e.name || e.constructor.name : typeof e;
  const where = ctx.symbol ? `${ctx.op} ${ctx.symbol}` : ctx.op;
  return new VenueError(kind, venue, `${venue} ${where}: ${message}`, {
    sourceClass,
    payload: { message, codes, op: ctx.op, symbol: ctx.symbol ?? null },
    cause: e,
  });
}

// ---------------------------------------------------------------------------------------
// Order book depth each exchange accepts

const BINANCE_DEPTHS = [5, 10, 20, 50, 100, 500, 1000] as const;
const BITGET_DEPTHS = [1, 5, 15, 50] as const;

/** the `limit` to request for a wanted depth (rounded up to an accepted value, capped) */
export function venueDepthLimit(venue: CcxtVenueName, depth: number): number | 'max' {
  const d = Math.max(1, Math.ceil(Number.isFinite(depth) ? depth : 1));
  switch (venue) {
    case 'binance':
      return BINANCE_DEPTHS.find((x) => x >= d) ?? 1000;
    case 'okx':
      return Math.min(d, 400); // above 400 ccxt switches to books-full
    case 'bybit':
      return Math.min(d, 500); // linear 1–500
    case 'bitget':
      // v2 merge-depth takes the gears 1/5/15/50/max
      return BITGET_DEPTHS.find((x) => x >= d) ?? 'max';
  }
}

// ---------------------------------------------------------------------------------------

const ORDER_STATUS: Record<string, OrderStatus> = {
  open: 'open',
  closed: 'closed',
  canceled: 'canceled',
  cancelled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
};
const FINAL: ReadonlySet<OrderStatus> = new Set(['closed', 'canceled', 'rejected', 'expired']);
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;
const HISTORY_MAX_PAGES = 50;
/** rows per trade-list page we ask for (each exchange's maximum) */
const PAGE_SIZE: Record<CcxtVenueName, number> = { binance: 1000, okx: 100, bybit: 100, bitget: 100 };
const TRADE_PAGES_MAX = 20;

const isPos = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const mustStr = (s: string | undefined, what: string): string => {
  if (s === undefined) throw new Error(`decimal arithmetic failed: ${what}`);
  return s;
};

interface OrderContext {
  symbol: string;
  clientOrderId: string;
  side?: 'buy' | 'sell';
  reduceOnly?: boolean;
  /** base amount as sent */
  amountBase?: string;
}

export class CcxtVenue implements Venue {
  readonly name: CcxtVenueName;
  readonly exchange: Exchange;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #fetchFills: boolean;
  readonly #pollAttempts: number;
  readonly #pollDelayMs: number;
  readonly #intervalsTtlMs: number;
  readonly #defaultDepth: number;
  #binanceIntervals: { at: number; hours: Map<string, number> } | null = null;
  #binanceIntervalsLoading: Promise<Map<string, number>> | null = null;

  constructor(name: CcxtVenueName, exchange: Exchange, opts: CcxtVenueOptions = {}) {
    this.name = name;
    this.exchange = exchange;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#fetchFills = opts.fetchFillsAfterCreate ?? true;
    this.#pollAttempts = Math.max(1, opts.fillPollAttempts ?? 4);
    this.#pollDelayMs = Math.max(0, opts.fillPollDelayMs ?? 250);
    this.#intervalsTtlMs = opts.fundingIntervalsTtlMs ?? HOUR_MS;
    this.#defaultDepth = opts.defaultDepth ?? 50;
  }

  /** never serialise the ccxt instance (it holds the credentials) */
  toJSON(): { venue: string; exchange: string } {
    return { venue: this.name, exchange: String(this.exchange.id) };
  }

  async #call<T>(op: string, symbol: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapCcxtError(this.name, e, { op, symbol });
    }
  }

  #num(x: number | string): string {
    return this.exchange.numberToString(x) as string;
  }

  #market(symbol: string): Market {
    try {
      return this.exchange.market(symbol) as Market;
    } catch (e) {
      const ve = mapCcxtError(this.name, e, { op: 'market', symbol });
      // "markets not loaded" is a plain ExchangeError in ccxt: a caller bug, not an unknown outcome
      throw ve.kind === 'unknown' ? new VenueError('invalid', this.name, ve.message, { sourceClass: ve.sourceClass, payload: ve.payload, cause: e }) : ve;
    }
  }

  #contractSize(m: Market): string {
    return isPos(m.contractSize) ? this.#num(m.contractSize) : '1';
  }

  /** contracts (number from ccxt) → base units, exact decimal string */
  #toBase(contracts: number | string | null | undefined, cs: string): string | null {
    if (contracts === undefined || contracts === null || (typeof contracts === 'number' && !Number.isFinite(contracts))) return null;
    const s = this.#num(contracts);
    return cs === '1' ? s : mustStr(Precise.stringMul(s, cs), 'contracts×contractSize');
  }

  // ---------------------------------------------------------------- markets

  async loadMarkets(): Promise<void> {
    await this.#call('loadMarkets', undefined, () => this.exchange.loadMarkets());
  }

  symbols(): string[] {
    const markets = (this.exchange.markets ?? {}) as Record<string, Market>;
    return Object.values(markets)
      .filter((m) => m.swap === true && m.linear === true && m.settle === 'USDT' && m.active !== false)
      .map((m) => m.symbol)
      .sort();
  }

  market(symbol: string): MarketInfo {
    const m = this.#market(symbol);
    return {
      symbol: m.symbol,
      venueSymbol: String(m.id),
      contractSize: isPos(m.contractSize) ? m.contractSize : 1,
      amountStep: m.precision?.amount !== undefined && m.precision.amount !== null ? this.#num(m.precision.amount) : null,
      priceStep: m.precision?.price !== undefined && m.precision.price !== null ? this.#num(m.precision.price) : null,
      minAmount: isPos(m.limits?.amount?.min) ? (m.limits.amount!.min as number) : null,
      minCostUsdt: this.#minCost(m),
      takerFee: typeof m.taker === 'number' && Number.isFinite(m.taker) ? m.taker : null,
    };
  }

  #minCost(m: Market): number | null {
    if (isPos(m.limits?.cost?.min)) return m.limits.cost!.min as number;
    const info = (m.info ?? {}) as Record<string, unknown>;
    let raw: unknown;
    switch (this.name) {
      case 'binance': {
        const filters = Array.isArray(info['filters']) ? (info['filters'] as Array<Record<string, unknown>>) : [];
        const f = filters.find((x) => x['filterType'] === 'MIN_NOTIONAL' || x['filterType'] === 'NOTIONAL');
        raw = f?.['notional'] ?? f?.['minNotional'];
        break;
      }
      case 'bitget':
        raw = info['minTradeUSDT'];
        break;
      case 'bybit':
        raw = (info['lotSizeFilter'] as Record<string, unknown> | undefined)?.['minNotionalValue'];
        break;
      case 'okx':
        raw = undefined; // OKX has no minimum order value for swaps (only one lot)
        break;
    }
    const n = Number(raw);
    return raw !== undefined && raw !== null && raw !== '' && isPos(n) ? n : null;
  }

  // ---------------------------------------------------------------- order book

  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    const m = this.#market(symbol);
    const want = Math.max(1, Math.ceil(depth ?? this.#defaultDepth));
    const limit = venueDepthLimit(this.name, want);
    const ob = await this.#call('fetchOrderBook', symbol, () => this.exchange.fetchOrderBook(symbol, limit as number));
    const receivedAt = this.#now();
    const cs = this.#contractSize(m);
    const conv = (levels: ReadonlyArray<ReadonlyArray<number | string | undefined>> | undefined): Level[] => {
      const out: Level[] = [];
      for (const lv of levels ?? []) {
        if (out.length >= want) break;
        const [p, a] = lv;
        if (p === undefined || a === undefined || p === null || a === null) continue;
        out.push([this.#num(p), this.#toBase(a, cs) as string]);
      }
      return out;
    };
    return {
      venue: this.name,
      symbol: m.symbol,
      bids: conv(ob.bids as Array<[number, number]>),
      asks: conv(ob.asks as Array<[number, number]>),
      ts: typeof ob.timestamp === 'number' && ob.timestamp > 0 ? ob.timestamp : receivedAt,
      receivedAt,
    };
  }

  // ---------------------------------------------------------------- funding

  async fetchFundingInfo(symbol: string): Promise<FundingInfo> {
    const m = this.#market(symbol);
    const fr: FundingRate = await this.#call('fetchFundingRate', symbol, () => this.exchange.fetchFundingRate(symbol));
    const info = (fr.info ?? {}) as Record<string, unknown>;
    let hours: number | null = null;
    switch (this.name) {
      case 'binance':
        // premiumIndex carries no interval; /fapi/v1/fundingInfo lists only adjusted symbols
        hours = parseIntervalString(fr.interval) ?? (await this.#binanceIntervalHours(m));
        break;
      case 'okx':
        // fundingTime is the coming settlement, nextFundingTime the one after it
        hours = intervalHoursBetween(fr.fundingTimestamp, fr.nextFundingTimestamp) ?? parseIntervalString(fr.interval);
        break;
      case 'bybit': {
        const minutes = Number((m.info as Record<string, unknown> | undefined)?.['fundingInterval']);
        hours = parseHours(info['fundingIntervalHour']) ?? parseIntervalString(fr.interval) ?? (isPos(minutes) ? minutes / 60 : null);
        break;
      }
      case 'bitget':
        hours = parseHours(info['fundingRateInterval']) ?? parseHours(info['ratePeriod']) ?? parseIntervalString(fr.interval);
        break;
    }
    const now = this.#now();
    const sched = normaliseSchedule(typeof fr.fundingTimestamp === 'number' ? fr.fundingTimestamp : null, hours, now, 'api');
    return {
      venue: this.name,
      symbol: m.symbol,
      rate: typeof fr.fundingRate === 'number' && Number.isFinite(fr.fundingRate) ? fr.fundingRate : null,
      intervalHours: sched.intervalHours,
      nextFundingTime: sched.nextFundingTime,
      asOf: now,
      scheduleSource: sched.scheduleSource,
    };
  }

  async #binanceIntervalHours(m: Market): Promise<number> {
    const now = this.#now();
    let hours = this.#binanceIntervals?.hours;
    if (!this.#binanceIntervals || now - this.#binanceIntervals.at > this.#intervalsTtlMs) {
      this.#binanceIntervalsLoading ??= this.#loadBinanceIntervals().finally(() => {
        this.#binanceIntervalsLoading = null;
      });
      try {
        hours = await this.#binanceIntervalsLoading;
        this.#binanceIntervals = { at: now, hours };
      } catch (e) {
        if (!hours) throw e; // nothing cached: the caller sees the typed error
        // stale cache beats no answer; next call retries
      }
    }
    // a symbol missing from fundingInfo has the default 8 h interval
    return hours!.get(m.symbol) ?? hours!.get(String(m.id)) ?? 8;
  }

  async #loadBinanceIntervals(): Promise<Map<string, number>> {
    const res = await this.#call('fetchFundingIntervals', undefined, () => this.exchange.fetchFundingIntervals());
    const map = new Map<string, number>();
    for (const [sym, fr] of Object.entries(res as Record<string, FundingRate>)) {
      const info = (fr?.info ?? {}) as Record<string, unknown>;
      const h = parseIntervalString(fr?.interval) ?? parseHours(info['fundingIntervalHours']);
      if (h === null) continue;
      map.set(sym, h);
      if (typeof info['symbol'] === 'string') map.set(info['symbol'], h);
    }
    return map;
  }

  async fetchFundingHistory(symbol: string, since: number, until: number): Promise<FundingPoint[]> {
    const m = this.#market(symbol);
    const points = new Map<number, number>();
    const add = (rows: FundingRateHistory[]): void => {
      for (const r of rows) {
        const ts = r.timestamp;
        if (typeof ts !== 'number' || ts < since || ts > until) continue;
        if (typeof r.fundingRate === 'number' && Number.isFinite(r.fundingRate)) points.set(ts, r.fundingRate);
      }
    };
    const fetch = (cursor: number | undefined, limit: number, params: Record<string, unknown>) =>
      this.#call('fetchFundingRateHistory', symbol, () => this.exchange.fetchFundingRateHistory(m.symbol, cursor, limit, params));
    const tss = (rows: FundingRateHistory[]) => rows.map((r) => r.timestamp).filter((t): t is number => typeof t === 'number');

    switch (this.name) {
      case 'binance': {
        // ascending from startTime: page forward
        let cursor = since;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(cursor, 1000, { until });
          add(rows);
          const t = tss(rows);
          if (rows.length < 1000 || t.length === 0) break;
          const last = Math.max(...t);
          if (last >= until || last < cursor) break;
          cursor = last + 1;
        }
        break;
      }
      case 'bybit': {
        // newest first inside [startTime, endTime]: page backward
        let upper = until;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(since, 200, { until: upper });
          add(rows);
          const t = tss(rows);
          if (rows.length < 200 || t.length === 0) break;
          const oldest = Math.min(...t);
          if (oldest <= since || oldest > upper) break;
          upper = oldest - 1;
        }
        break;
      }
      case 'okx': {
        // ccxt maps since → `before`; `after` bounds the page from above (records older than it)
        let upper = until;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(since, 100, { after: String(upper + 1) });
          add(rows);
          const t = tss(rows);
          if (rows.length < 100 || t.length === 0) break;
          const oldest = Math.min(...t);
          if (oldest <= since || oldest > upper) break;
          upper = oldest - 1;
        }
        break;
      }
      case 'bitget': {
        // v2 history pages newest first by pageNo; ccxt drops rows older than `since` itself
        const uta = (this.exchange.options as Record<string, unknown>)['uta'] === true;
        for (let pageNo = 1; pageNo <= (uta ? 1 : HISTORY_MAX_PAGES); pageNo++) {
          const rows = await fetch(since, 100, uta ? {} : { pageNo });
          add(rows);
          if (rows.length < 100) break;
        }
        break;
      }
    }
    return [...points.entries()].sort((a, b) => a[0] - b[0]).map(([ts, rate]) => ({ ts, rate }));
  }

  // ---------------------------------------------------------------- orders

  clientOrderId(base: string): string {
    return shapeClientOrderId(base);
  }

  async createMarketOrder(req: OrderRequest): Promise<OrderResult> {
    const venue = this.name;
    const m = this.#market(req.symbol);
    const symbol = m.symbol;
    const cs = this.#contractSize(m);
    const refuse = (msg: string): never => {
      throw new VenueError('invalid', venue, `${venue} ${symbol}: ${msg}; refused before sending`, {
        sourceClass: 'CcxtVenue',
        payload: { symbol, side: req.side, clientOrderId: req.clientOrderId, reduceOnly: req.reduceOnly },
      });
    };
    if (typeof req.clientOrderId !== 'string' || req.clientOrderId === '') refuse('a clientOrderId is required');
    const cid = this.clientOrderId(req.clientOrderId);
    if (req.side !== 'buy' && req.side !== 'sell') refuse(`bad side ${String(req.side)}`);
    if ((req.amountBase === undefined) === (req.notionalUsdt === undefined)) refuse('give exactly one of amountBase / notionalUsdt');
    const refPrice = isPos(req.refPrice) ? this.#num(req.refPrice) : null;

    // 1. base amount wanted
    let wantedBase: string;
    if (req.amountBase !== undefined) {
      if (typeof req.amountBase !== 'string' || !DECIMAL.test(req.amountBase) || !Precise.stringGt(req.amountBase, '0')) refuse(`amount ${String(req.amountBase)} is not a positive decimal`);
      wantedBase = req.amountBase!;
    } else {
      if (!isPos(req.notionalUsdt)) refuse(`notional ${String(req.notionalUsdt)} USDT is not positive`);
      if (refPrice === null) refuse('notionalUsdt needs a positive refPrice');
      wantedBase = mustStr(Precise.stringDiv(this.#num(req.notionalUsdt!), refPrice!, 18), 'notional/price');
    }

    // 2. contracts, truncated to the exchange step (ccxt throws InvalidOrder below one step)
    const rawContracts = cs === '1' ? wantedBase : mustStr(Precise.stringDiv(wantedBase, cs, 18), 'base/contractSize');
    const notionalOf = (base: string): string | null => (refPrice === null ? null : mustStr(Precise.stringMul(base, refPrice), 'base×price'));
    const stepInfo = (): string => {
      const step = m.precision?.amount;
      if (step === undefined || step === null) return '';
      const stepStr = this.#num(step);
      return ` (one step = ${stepStr} contract${cs === '1' ? '' : ` = ${mustStr(Precise.stringMul(stepStr, cs), 'step')} base`})`;
    };
    let contracts = '0';
    try {
      contracts = this.exchange.amountToPrecision(symbol, rawContracts) as string;
    } catch (e) {
      if (!(e instanceof InvalidOrder)) throw mapCcxtError(venue, e, { op: 'amountToPrecision', symbol });
    }
    if (!Precise.stringGt(contracts, '0')) {
      const n = notionalOf(wantedBase);
      refuse(`${req.side} ${wantedBase} base${n === null ? '' : ` (≈ ${n} USDT)`} is below one contract step${stepInfo()}`);
    }
    const sentBase = this.#toBase(contracts, cs) as string;
    const notional = notionalOf(sentBase);

    // 3. minimums ccxt does not check; a reduce-only close is never refused for them
    if (!req.reduceOnly) {
      const info = this.market(symbol);
      if (info.minAmount !== null && Precise.stringLt(contracts, this.#num(info.minAmount))) {
        refuse(
          `${req.side} ${sentBase} base (${contracts} contracts${notional === null ? '' : `, ≈ ${notional} USDT`}) is below the minimum amount ${this.#num(info.minAmount)} contracts`,
        );
      }
      if (info.minCostUsdt !== null && notional !== null && Precise.stringLt(notional, this.#num(info.minCostUsdt))) {
        refuse(`${req.side} ${sentBase} base (${contracts} contracts) ≈ ${notional} USDT is below the minimum order value ${this.#num(info.minCostUsdt)} USDT`);
      }
    }

    // 4. send: one-way position mode (no position side), cross margin
    const params: Record<string, unknown> = { clientOrderId: cid };
    if (req.reduceOnly) params['reduceOnly'] = true;
    if (venue === 'okx' || venue === 'bitget') params['marginMode'] = 'cross'; // OKX tdMode=cross, Bitget marginMode=crossed
    const created = await this.#call('createOrder', symbol, () => this.exchange.createOrder(symbol, 'market', req.side, Number(contracts), undefined, params));

    // 5. fills: only Binance's reply carries them; read the order (and trades, for fees) back
    const ctx: OrderContext = { symbol, clientOrderId: cid, side: req.side, reduceOnly: req.reduceOnly, amountBase: sentBase };
    const raw: Record<string, unknown> = { create: created.info ?? null };
    let order: Order = created;
    let trades: Trade[] | null = null;
    if (this.#fetchFills) {
      try {
        const needsRead = venue !== 'binance' || !FINAL.has(this.#status(created.status)) || created.filled === undefined;
        if (needsRead) {
          const read = await this.#readBack(created.id ?? null, symbol, cid);
          if (read) {
            order = read;
            raw['order'] = read.info ?? null;
          }
        }
        const filled = order.filled;
        const id = order.id ?? created.id;
        if (id && typeof filled === 'number' && filled > 0) {
          trades = await this.#orderTrades(id, symbol, filled);
          raw['trades'] = trades.map((t) => t.info ?? null);
        }
      } catch (e) {
        // the order WAS placed: never turn a failed read-back into an error
        raw['enrichError'] = mapCcxtError(venue, e, { op: 'readBack', symbol }).message;
      }
    }
    return this.#toResult(order, ctx, trades, raw, created);
  }

  #status(s: string | undefined | null): OrderStatus {
    return (s && ORDER_STATUS[s]) || 'unknown';
  }

  async #readBack(id: string | null, symbol: string, cid: string): Promise<Order | null> {
    let last: Order | null = null;
    for (let attempt = 0; attempt < this.#pollAttempts; attempt++) {
      if (attempt > 0) await this.#sleep(this.#pollDelayMs);
      let o: Order | null = null;
      try {
        if (this.name === 'bybit') o = await this.#bybitFind(symbol, id, cid);
        else if (id) o = await this.#call('fetchOrder', symbol, () => this.exchange.fetchOrder(id, symbol));
        else o = await this.#call('fetchOrder', symbol, () => this.exchange.fetchOrder(undefined as unknown as string, symbol, { clientOrderId: cid }));
      } catch (e) {
        // just placed: "does not exist" can only mean "not visible yet", so ask again
        if (!(e instanceof VenueError && e.kind === 'not_found') || attempt === this.#pollAttempts - 1) throw e;
      }
      if (o) {
        last = o;
        if (FINAL.has(this.#status(o.status))) break;
      }
    }
    return last;
  }

  /**
   * The order's trades, page after page until they add up to `filled` (contracts) or a
   * page comes back short: OKX fills-history and Bitget fills answer at most 100 rows,
   * Bybit executions 100 with a cursor, Binance userTrades 1000. A failure throws: the
   * caller keeps the order and SQL counts it by its filled amount until the trades add up.
   */
  async #orderTrades(id: string, symbol: string, filled: number): Promise<Trade[]> {
    const ex = this.exchange;
    const byId = new Map<string, Trade>();
    const sum = (): string => [...byId.values()].reduce((acc, t) => mustStr(Precise.stringAdd(acc, this.#num(t.amount ?? 0)), 'sum'), '0');
    const page = PAGE_SIZE[this.name];
    let cursor: Record<string, unknown> = {};
    for (let n = 0; n < TRADE_PAGES_MAX; n++) {
      let rows: Trade[];
      switch (this.name) {
        case 'binance': // no fetchOrderTrades for swaps
        case 'bitget':
          rows = await this.#call('fetchMyTrades', symbol, () => ex.fetchMyTrades(symbol, undefined, page, { orderId: id, ...cursor }));
          break;
        case 'okx':
        case 'bybit':
          rows = await this.#call('fetchOrderTrades', symbol, () => ex.fetchOrderTrades(id, symbol, undefined, page, cursor));
          break;
      }
      let added = 0;
      for (const t of rows) {
        if (t.order !== undefined && t.order !== null && String(t.order) !== String(id)) continue;
        const key = String(t.id ?? `${t.timestamp}:${t.price}:${t.amount}`);
        if (!byId.has(key)) added++;
        byId.set(key, t);
      }
      if (rows.length < page || added === 0 || !Precise.stringLt(sum(), this.#num(filled))) break;
      // the next page, from the raw rows (ccxt re-sorts them by time, so take the extreme id):
      // OKX `after` = the oldest billId, Bitget `idLessThan` = the oldest tradeId (its endId),
      // Bybit the nextPageCursor ccxt copies into a row's info, Binance `fromId` = newest id + 1
      const infos = rows.map((t) => (t.info ?? {}) as Record<string, unknown>);
      const ids = (k: string): bigint[] => infos.map((i) => String(i[k] ?? '')).filter((v) => /^\d+$/.test(v)).map((v) => BigInt(v));
      const minOf = (xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
      const maxOf = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
      let next: Record<string, unknown> | null = null;
      switch (this.name) {
        case 'okx': {
          const b = ids('billId');
          if (b.length) next = { after: String(minOf(b)) };
          break;
        }
        case 'bitget': {
          const b = ids('tradeId');
          if (b.length) next = { idLessThan: String(minOf(b)) };
          break;
        }
        case 'bybit': {
          const c = infos.map((i) => i['nextPageCursor']).find((v) => typeof v === 'string' && v !== '');
          if (c) next = { cursor: c };
          break;
        }
        case 'binance': {
          const b = ids('id');
          if (b.length) next = { fromId: String(maxOf(b) + 1n) };
          break;
        }
      }
      if (!next) break;
      cursor = next;
    }
    return [...byId.values()];
  }

  /**
   * Bybit: `/v5/order/realtime` lists open orders only unless `openOnly` is set, and
   * `/v5/order/history` lags by seconds. With openOnly=1 realtime also answers the
   * recent 500 closed orders; by orderId (priority over orderLinkId) when we have it.
   * fetchOrder needs {acknowledged:true} and crashes on an empty answer: not used.
   */
  async #bybitFind(symbol: string, id: string | null, cid: string): Promise<Order | null> {
    const key: Record<string, unknown> = id ? { orderId: id } : { orderLinkId: cid };
    const pick = (list: Order[]): Order | null => list.find((o) => (id ? String(o.id) === String(id) : o.clientOrderId === cid)) ?? null;
    const recent = await this.#call('fetchOpenOrders', symbol, () => this.exchange.fetchOpenOrders(symbol, undefined, undefined, { ...key, openOnly: 1 }));
    const found = pick(recent);
    if (found) return found;
    const done = await this.#call('fetchCanceledAndClosedOrders', symbol, () =>
      this.exchange.fetchCanceledAndClosedOrders(symbol, undefined, undefined, key),
    );
    return pick(done);
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string, opts: LookupOptions = {}): Promise<OrderResult | null> {
    const m = this.#market(symbol);
    const cid = this.clientOrderId(clientOrderId);
    const id = opts.exchangeOrderId ? String(opts.exchangeOrderId) : null;
    let order: Order | null;
    try {
      if (this.name === 'bybit') order = await this.#bybitFind(m.symbol, id, cid);
      else if (id) order = await this.#call('fetchOrder', m.symbol, () => this.exchange.fetchOrder(id, m.symbol));
      else order = await this.#call('fetchOrder', m.symbol, () => this.exchange.fetchOrder(undefined as unknown as string, m.symbol, { clientOrderId: cid }));
    } catch (e) {
      const ve = mapCcxtError(this.name, e, { op: 'fetchOrderByClientId', symbol: m.symbol });
      if (ve.kind === 'not_found') return null;
      throw ve;
    }
    if (!order) return null;
    // by client id, an answer for another id is not ours; by exchange id the client id is checked in SQL
    if (!id && order.clientOrderId && order.clientOrderId !== cid) return null;
    const raw: Record<string, unknown> = { order: order.info ?? null };
    let trades: Trade[] | null = null;
    if (this.#fetchFills && order.id && typeof order.filled === 'number' && order.filled > 0) {
      try {
        trades = await this.#orderTrades(order.id, m.symbol, order.filled);
        raw['trades'] = trades.map((t) => t.info ?? null);
      } catch (e) {
        // the order is still reported; SQL keeps it unresolved until its trades add up
        raw['enrichError'] = mapCcxtError(this.name, e, { op: 'fetchTrades', symbol: m.symbol }).message;
      }
    }
    return this.#toResult(order, { symbol: m.symbol, clientOrderId: cid }, trades, raw, order);
  }

  /** client ids of the account's open orders on every symbol (foreign-installation check in reconcile) */
  async fetchOpenOrderIds(): Promise<Array<{ symbol: string; clientOrderId: string }>> {
    const params: Record<string, unknown> = {};
    if (this.name === 'binance') {
      // without a symbol Binance weighs the call 40×; ccxt refuses unless told we know
      const opts = this.exchange.options as Record<string, any>;
      opts['fetchOpenOrders'] = { ...(opts['fetchOpenOrders'] ?? {}), warnWithoutSymbol: false };
    }
    if (this.name === 'bybit') params['settleCoin'] = 'USDT';
    if (this.name === 'okx') params['instType'] = 'SWAP';
    const list = await this.#call('fetchOpenOrders', undefined, () => this.exchange.fetchOpenOrders(undefined, undefined, undefined, params));
    return list
      .filter((o) => typeof o.clientOrderId === 'string' && o.clientOrderId !== '')
      .map((o) => ({ symbol: String(o.symbol ?? ''), clientOrderId: o.clientOrderId as string }));
  }

  #toResult(order: Order, ctx: OrderContext, trades: Trade[] | null, raw: Record<string, unknown>, created: Order): OrderResult {
    const m = this.#market(ctx.symbol);
    const cs = this.#contractSize(m);
    const now = this.#now();
    const fills: OrderFill[] = (trades ?? []).map((t) => ({
      tradeId: String(t.id ?? ''),
      price: t.price === undefined || t.price === null ? '0' : this.#num(t.price),
      amountBase: this.#toBase(t.amount, cs) ?? '0',
      fee: t.fee?.cost === undefined || t.fee?.cost === null ? '0' : this.#num(t.fee.cost),
      feeCurrency: t.fee?.currency ?? '',
      ts: typeof t.timestamp === 'number' ? t.timestamp : now,
    }));

    let filledBase = this.#toBase(order.filled, cs);
    if (filledBase === null) filledBase = fills.length ? fills.reduce((acc, f) => mustStr(Precise.stringAdd(acc, f.amountBase), 'sum'), '0') : '0';

    let avgPrice: string | null = isPos(order.average) ? this.#num(order.average) : null;
    if (avgPrice === null && fills.length) {
      let qty = '0';
      let cost = '0';
      for (const f of fills) {
        qty = mustStr(Precise.stringAdd(qty, f.amountBase), 'qty');
        cost = mustStr(Precise.stringAdd(cost, mustStr(Precise.stringMul(f.amountBase, f.price), 'cost')), 'cost');
      }
      if (Precise.stringGt(qty, '0')) avgPrice = mustStr(Precise.stringDiv(cost, qty, 12), 'vwap');
    }

    let fee: string | null = null;
    let feeCurrency: string | null = null;
    const withFee = fills.filter((f) => f.feeCurrency !== '');
    if (withFee.length) {
      feeCurrency = withFee[0].feeCurrency;
      fee = withFee.filter((f) => f.feeCurrency === feeCurrency).reduce((acc, f) => mustStr(Precise.stringAdd(acc, f.fee), 'fee'), '0');
    } else if (order.fee && order.fee.cost !== undefined && order.fee.cost !== null) {
      fee = this.#num(order.fee.cost);
      feeCurrency = order.fee.currency ?? null;
    } else if (this.name === 'bybit') {
      // ccxt reads Bybit's fee only from cumFeeDetail; older replies carry just cumExecFee (settle coin)
      const cum = (order.info as Record<string, unknown> | undefined)?.['cumExecFee'];
      if (typeof cum === 'string' && DECIMAL.test(cum.replace(/^-/, ''))) {
        fee = cum;
        feeCurrency = m.settle ?? 'USDT';
      }
    }

    const side = ctx.side ?? (order.side === 'sell' ? 'sell' : 'buy');
    return {
      venue: this.name,
      // the order's own symbol: a look-up answer is checked against the prepared row in SQL
      symbol: typeof order.symbol === 'string' && order.symbol !== '' ? order.symbol : ctx.symbol,
      id: order.id ?? created.id ?? null,
      clientOrderId: order.clientOrderId ?? ctx.clientOrderId,
      side,
      status: this.#status(order.status),
      amountBase: ctx.amountBase ?? this.#toBase(order.amount, cs) ?? '0',
      filledBase,
      avgPrice,
      fee,
      feeCurrency,
      fills,
      reduceOnly: ctx.reduceOnly ?? order.reduceOnly === true,
      ts: typeof order.timestamp === 'number' ? order.timestamp : typeof created.timestamp === 'number' ? created.timestamp : now,
      raw,
    };
  }

  // ---------------------------------------------------------------- account

  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    const unified = symbols?.map((s) => this.#market(s).symbol);
    const list = await this.#call('fetchPositions', undefined, () => this.exchange.fetchPositions(unified));
    const now = this.#now();
    const out: Position[] = [];
    for (const p of list) {
      if (!p.symbol || (unified && !unified.includes(p.symbol))) continue;
      const contracts = typeof p.contracts === 'number' ? Math.abs(p.contracts) : 0;
      if (!(contracts > 0)) continue;
      // a short position with no side (some one-way replies) is told by its signed size
      const short = p.side === 'short' || (p.side !== 'long' && typeof p.contracts === 'number' && p.contracts < 0);
      let cs: string;
      if (isPos(p.contractSize)) cs = this.#num(p.contractSize);
      else {
        try {
          cs = this.#contractSize(this.#market(p.symbol));
        } catch {
          cs = '1';
        }
      }
      const size = this.#toBase(contracts, cs) as string;
      out.push({
        venue: this.name,
        symbol: p.symbol,
        sizeBase: short ? mustStr(Precise.stringNeg(size), 'neg') : size,
        entryPrice: isPos(p.entryPrice) ? this.#num(p.entryPrice) : null,
        unrealizedPnl: typeof p.unrealizedPnl === 'number' && Number.isFinite(p.unrealizedPnl) ? this.#num(p.unrealizedPnl) : null,
        ts: typeof p.timestamp === 'number' ? p.timestamp : now,
      });
    }
    return netPerSymbol(out);
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const m = this.#market(symbol);
    // OKX needs the margin mode (cross; the default posSide 'net' is one-way mode); Binance,
    // Bybit and Bitget (crossed) need only symbol and leverage
    const params: Record<string, unknown> = this.name === 'okx' ? { marginMode: 'cross' } : {};
    try {
      await this.exchange.setLeverage(leverage, m.symbol, params);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const codes = exchangeErrorCodes(message);
      const unchanged = e instanceof NoChange || codes.some((c) => LEVERAGE_UNCHANGED_CODES[this.name].includes(c)) || /leverage not modified/i.test(message);
      if (unchanged) return;
      throw mapCcxtError(this.name, e, { op: 'setLeverage', symbol: m.symbol });
    }
  }

  /** ccxt 4.5.84: Binance emulates it (leverage brackets, then /fapi/v1/symbolConfig), OKX
   *  account/leverage-info (cross), Bybit the position row, Bitget the mix account */
  async fetchLeverage(symbol: string): Promise<number | null> {
    const m = this.#market(symbol);
    const params: Record<string, unknown> = this.name === 'okx' ? { marginMode: 'cross' } : {};
    const raw = await this.#call('fetchLeverage', m.symbol, () => this.exchange.fetchLeverage(m.symbol, params));
    const parsed = LeverageAnswer.safeParse(raw);
    if (!parsed.success) {
      throw new VenueError('unknown', this.name, `${this.name} ${m.symbol}: fetchLeverage answered an unexpected shape: ${parsed.error.message}`, {
        sourceClass: 'CcxtVenue',
        payload: { op: 'fetchLeverage', symbol: m.symbol },
      });
    }
    return currentLeverage(parsed.data);
  }

  async fetchBalance(): Promise<Balance> {
    const b = await this.#call('fetchBalance', undefined, () => this.exchange.fetchBalance());
    const usdt = (b as unknown as Record<string, { total?: number | null; free?: number | null } | undefined>)['USDT'];
    const s = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? this.#num(x) : '0');
    return { venue: this.name, currency: 'USDT', total: s(usdt?.total), free: s(usdt?.free) };
  }

  async close(): Promise<void> {
    const ex = this.exchange as unknown as { close?: () => Promise<void> };
    if (typeof ex.close === 'function') {
      try {
        await ex.close();
      } catch {
        // closing is best-effort
      }
    }
  }

  // ---------------------------------------------------------------- money in one currency

  /**
   * The account's funding payments (ccxt fetchFundingHistory = the account's income, not the
   * public rates). Signs: Binance income, OKX balChg and Bitget bill amount are + received;
   * Bybit reports funding as an execution fee (execType Funding), + paid, so it is negated.
   * Each venue's paging is followed, so hourly funding over a week is complete.
   */
  async fetchFundingPayments(symbol: string, since: number, until: number): Promise<FundingPayment[]> {
    const m = this.#market(symbol);
    const out = new Map<string, FundingPayment>();
    const fetch = (from: number, limit: number, params: Record<string, unknown>) =>
      this.#call('fetchFundingHistory', m.symbol, () => this.exchange.fetchFundingHistory(m.symbol, from, limit, params));
    const add = (rows: Array<Record<string, any>>): number[] => {
      const tss: number[] = [];
      for (const r of rows) {
        const ts = r['timestamp'];
        if (typeof ts !== 'number') continue;
        tss.push(ts);
        if (ts < since || ts > until || r['symbol'] !== m.symbol) continue;
        const raw = (r['info'] ?? {}) as Record<string, unknown>;
        // the exchange's own decimal string where it has one (ccxt's amount is a float)
        const field = { binance: ['income'], okx: ['balChg', 'posBalChg'], bybit: ['execFee'], bitget: ['amount'] }[this.name];
        const str = field.map((k) => raw[k]).find((x) => typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) && !(this.name === 'okx' && Precise.stringEq(x, '0'))) as
          | string
          | undefined;
        let amount = str ?? (typeof r['amount'] === 'number' ? this.#num(r['amount']) : null);
        if (amount === null) continue;
        if (this.name === 'bybit') amount = mustStr(Precise.stringNeg(amount), 'neg');
        const id = String(r['id'] ?? `${ts}`);
        out.set(id, { id, ts, amount, currency: String(r['code'] ?? 'USDT') });
      }
      return tss;
    };
    switch (this.name) {
      case 'binance': {
        // /fapi/v1/income ascending from startTime, 1000 a page
        let cursor = since;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(cursor, 1000, { until });
          const t = add(rows as any);
          if (rows.length < 1000 || t.length === 0 || Math.max(...t) < cursor) break;
          cursor = Math.max(...t) + 1;
        }
        break;
      }
      case 'bybit': {
        // /v5/execution/list accepts at most 7 days between startTime and endTime and 100 rows;
        // 3-day windows hold every settlement even at hourly funding (72)
        const SPAN = 3 * 24 * HOUR_MS - 1;
        for (let from = since; from <= until; from += SPAN + 1) await fetch(from, 100, { until: Math.min(until, from + SPAN) }).then((r) => add(r as any));
        break;
      }
      case 'okx': {
        // bills-archive newest first, 100 a page, older pages by `after` = oldest billId
        let after: string | undefined;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(since, 100, { begin: String(since), end: String(until), ...(after ? { after } : {}) });
          add(rows as any);
          if (rows.length < 100) break;
          after = String((rows[0] as any)?.id ?? '');
          if (!after) break;
        }
        break;
      }
      case 'bitget': {
        // bills newest first, 100 a page; older pages by idLessThan = the oldest bill id
        let idLessThan: string | undefined;
        for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
          const rows = await fetch(since, 100, { until, ...(idLessThan ? { idLessThan } : {}) });
          add(rows as any);
          if (rows.length < 100) break;
          idLessThan = String((rows[0] as any)?.id ?? '');
          if (!idLessThan) break;
        }
        break;
      }
    }
    return [...out.values()].sort((a, b) => a.ts - b.ts);
  }

  /**
   * `currency` in USDT at `ts`: the open of the one-minute candle holding `ts` on the venue's
   * CURRENCY/USDT perpetual (else spot) market, so the price is from at most a minute before
   * the fill and never after it. Null when the venue lists no such market or has no candle.
   */
  async fetchUsdtPriceAt(currency: string, ts: number): Promise<PriceAt | null> {
    const c = currency.toUpperCase();
    if (c === 'USDT') return { symbol: 'USDT', price: '1', ts, source: 'same_currency' };
    const markets = (this.exchange.markets ?? {}) as Record<string, Market>;
    const symbol = [`${c}/USDT:USDT`, `${c}/USDT`].find((s) => markets[s] !== undefined);
    if (!symbol) return null;
    const minute = Math.floor(ts / 60_000) * 60_000;
    const candles = await this.#call('fetchOHLCV', symbol, () => this.exchange.fetchOHLCV(symbol, '1m', minute, 1));
    const k = candles.find((x) => x[0] === minute);
    if (!k || !isPos(k[1])) return null;
    return { symbol, price: this.#num(k[1] as number), ts: minute, source: `${this.name}:${symbol}:1m-open@${new Date(minute).toISOString()}` };
  }
}

/**
 * In hedge (dual-side) mode an exchange reports a long and a short row for one symbol.
 * Callers key positions by (venue, symbol), so rows of one symbol are summed into the net
 * position (a hedged account also fails preflight and is not traded). The entry price of
 * a summed row is kept only when one side is open: an average of opposite sides means nothing.
 */
export function netPerSymbol(rows: Position[]): Position[] {
  const bySymbol = new Map<string, Position[]>();
  for (const r of rows) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
  const out: Position[] = [];
  for (const [symbol, group] of bySymbol) {
    if (group.length === 1) {
      out.push(group[0]);
      continue;
    }
    const add = (a: string, b: string) => mustStr(Precise.stringAdd(a, b), 'sum');
    const pnls = group.map((g) => g.unrealizedPnl).filter((x): x is string => x !== null);
    out.push({
      venue: group[0].venue,
      symbol,
      sizeBase: group.reduce((acc, g) => add(acc, g.sizeBase), '0'),
      entryPrice: null,
      unrealizedPnl: pnls.length ? pnls.reduce(add, '0') : null,
      ts: Math.max(...group.map((g) => g.ts)),
    });
  }
  return out;
}
