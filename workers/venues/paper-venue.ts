// A Venue that fills market orders by sweeping a real-looking book, with the rules a
// real exchange enforces (amount step, min quantity, min notional, reduce-only, unique
// client ids), and keeps its ledger in PostgreSQL schema `paper` so a restart keeps
// orders, fills and positions.
//
// Prices come from a MarketSource: the simulator (paper mode) or any other Venue's
// public data (shadow mode: real books, simulated fills). Quantities are decimal
// strings rounded on integer step counts, never by float accumulation.
import { VenueError } from './errors.ts';
import { shapeClientOrderId } from './client-order-id.ts';
import type {
  Balance,
  FundingInfo,
  FundingPayment,
  FundingPoint,
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
import { add, cmp, dec, isZero, min, mul, numberToPlain, stepsIn, sub, toNum, toStr, truncToStep } from '../sim/decimal.ts';
import type { Dec } from '../sim/decimal.ts';
import { SimSource } from '../sim/sim-source.ts';
import type { MarketSource } from '../sim/sim-source.ts';
import type { FaultInjector } from '../sim/faults.ts';
import type { SqlClient } from '../sql/client.ts';
import { paperRecordOrder } from '../sql/paper/record_order.ts';
import { paperOrder, type PaperOrderRow } from '../sql/paper/order.ts';
import { paperPosition } from '../sql/paper/position.ts';
import { paperPositions } from '../sql/paper/positions.ts';
import { paperSetLeverage } from '../sql/paper/set_leverage.ts';
import { paperBalance } from '../sql/paper/balance.ts';
import { paperFirstFills } from '../sql/paper/first_fills.ts';
import { paperSettleFunding } from '../sql/paper/settle_funding.ts';
import { paperFundingLedger } from '../sql/paper/funding_ledger.ts';

/** the ledger's database handle; every call on it is a typed wrapper in workers/sql/paper/ */
export type Queryable = SqlClient;

export interface PaperVenueOptions {
  source: MarketSource;
  db: Queryable;
  /** venue name in the ledger; default the source's name */
  name?: string;
  /** clock for order timestamps; default the source's clock (sim) or Date.now */
  now?: () => number;
  /** default the sim source's injector */
  faults?: FaultInjector | null;
  sleep?: (ms: number) => Promise<void>;
  /** 'paper' (simulated prices) or 'shadow' (another venue's prices) */
  mode?: 'paper' | 'shadow';
  initialBalanceUsdt?: number;
  /** book depth swept for fills; default 50 */
  depth?: number;
}

const FEE_STEP = dec('0.00000001');

/** ratio of an amount in whole steps, never less than one step nor more than the amount */
function partOf(amount: Dec, step: Dec, ratio: number): Dec {
  const steps = stepsIn(amount, step);
  const part = BigInt(Math.floor(Number(steps) * Math.min(Math.max(ratio, 0), 1)));
  const n = part < 1n ? 1n : part > steps ? steps : part;
  return mul({ units: n, scale: 0 }, step);
}

export class PaperVenue implements Venue {
  readonly name: string;
  readonly mode: 'paper' | 'shadow';
  readonly source: MarketSource;
  readonly #db: Queryable;
  readonly #now: () => number;
  readonly #faults: FaultInjector | null;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #initial: number;
  readonly #depth: number;
  /** client ids of orders a simulated late-visibility fault hides from look-ups, until when (ms) */
  readonly #hiddenUntil = new Map<string, number>();
  /** client ids whose trades a simulated fills_missing fault hides, until when (ms) */
  readonly #fillsHiddenUntil = new Map<string, number>();
  /** client ids taken by a simulated old order of another installation (duplicate_old) */
  readonly #oldOrders = new Map<string, OrderResult>();

  constructor(opts: PaperVenueOptions) {
    this.source = opts.source;
    this.name = opts.name ?? opts.source.name;
    this.mode = opts.mode ?? (opts.source instanceof SimSource ? 'paper' : 'shadow');
    this.#db = opts.db;
    const simClock = opts.source instanceof SimSource ? opts.source.clock : null;
    this.#now = opts.now ?? (simClock ? () => simClock.now() : Date.now);
    this.#faults = opts.faults !== undefined ? opts.faults : opts.source instanceof SimSource ? opts.source.faults : null;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#initial = opts.initialBalanceUsdt ?? 10_000;
    this.#depth = opts.depth ?? 50;
  }

  /** the account settings preflight reads (workers/venues/preflight.ts); a fault can set hedge mode */
  accountSettings(): { hedgeMode: boolean } {
    return { hedgeMode: this.#faults?.get(this.name).hedgeMode === true };
  }

  // ---- public data: the source's -------------------------------------------
  loadMarkets(): Promise<void> {
    return this.source.loadMarkets();
  }
  market(symbol: string): MarketInfo {
    return this.source.market(symbol);
  }
  symbols(): string[] {
    return this.source.symbols();
  }
  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    const b = await this.source.fetchOrderBook(symbol, depth);
    return this.name === b.venue ? b : { ...b, venue: this.name };
  }
  async fetchFundingInfo(symbol: string): Promise<FundingInfo> {
    const f = await this.source.fetchFundingInfo(symbol);
    return this.name === f.venue ? f : { ...f, venue: this.name };
  }
  fetchFundingHistory(symbol: string, since: number, until: number): Promise<FundingPoint[]> {
    return this.source.fetchFundingHistory(symbol, since, until);
  }
  clientOrderId(base: string): string {
    return shapeClientOrderId(base);
  }

  // ---- private calls: our ledger -------------------------------------------
  async #gate(what: string): Promise<void> {
    if (!this.#faults) return;
    const f = this.#faults.get(this.name);
    if (f.latencyMs > 0) await this.#sleep(f.latencyMs);
    if (f.down) throw this.#err('network', `${what}: venue unreachable (simulated outage)`, 'NetworkError');
  }

  #err(kind: VenueError['kind'], msg: string, sourceClass = 'PaperVenue', payload?: unknown): VenueError {
    return new VenueError(kind, this.name, `${this.name} ${msg}`, { sourceClass, payload });
  }

  #marketOrThrow(symbol: string): MarketInfo {
    try {
      return this.source.market(symbol);
    } catch (e) {
      throw e instanceof VenueError ? e : this.#err('invalid', `unknown symbol ${symbol}`, 'BadSymbol');
    }
  }

  async createMarketOrder(req: OrderRequest): Promise<OrderResult> {
    await this.#gate('createOrder');
    const m = this.#marketOrThrow(req.symbol);
    if (!req.clientOrderId) throw this.#err('invalid', 'clientOrderId is required', 'InvalidOrder');
    if ((req.amountBase === undefined) === (req.notionalUsdt === undefined)) {
      throw this.#err('invalid', 'exactly one of amountBase / notionalUsdt is required', 'InvalidOrder');
    }
    if (this.#oldOrders.has(req.clientOrderId) || (await this.#orderRow(req.clientOrderId))) {
      throw this.#err('duplicate', `client order id ${req.clientOrderId} already used`, 'DuplicateOrderId');
    }

    const book = await this.source.fetchOrderBook(req.symbol, this.#depth);
    const ts = this.#now();
    const topBid = book.bids[0] ? Number(book.bids[0][0]) : NaN;
    const topAsk = book.asks[0] ? Number(book.asks[0][0]) : NaN;
    const mid = (topBid + topAsk) / 2;

    // quantity: base → contracts truncated to the step → base
    const cs = dec(numberToPlain(m.contractSize));
    const stepC = dec(m.amountStep ?? '0.00000001');
    let base: Dec;
    if (req.amountBase !== undefined) {
      base = dec(req.amountBase);
    } else {
      const ref = req.refPrice ?? mid;
      if (!(ref > 0) || !(req.notionalUsdt! > 0)) throw this.#err('invalid', `cannot size ${req.notionalUsdt} USDT at price ${ref}`, 'InvalidOrder');
      base = dec(numberToPlain(req.notionalUsdt! / ref));
    }
    if (base.units <= 0n) throw this.#err('invalid', `amount must be positive, got ${toStr(base)}`, 'InvalidOrder');
    const baseStep = mul(stepC, cs);
    const contracts = stepsIn(base, baseStep); // whole steps, truncated like amountToPrecision
    let amount = mul({ units: contracts, scale: 0 }, baseStep);

    const pos = await this.#position(req.symbol);
    if (req.reduceOnly) {
      if (isZero(pos)) throw this.#err('invalid', `reduce-only ${req.side} ${req.symbol}: no position to reduce`, 'InvalidOrder');
      if ((pos.units > 0n) === (req.side === 'buy')) {
        throw this.#err('invalid', `reduce-only ${req.side} ${req.symbol} would increase the position ${toStr(pos)}`, 'InvalidOrder');
      }
      // like the exchanges: a reduce-only order larger than the position closes the position
      amount = min(amount, pos.units < 0n ? { units: -pos.units, scale: pos.scale } : pos);
    }
    if (isZero(amount)) {
      throw this.#err('invalid', `${req.symbol}: amount ${toStr(base)} rounds to zero at step ${toStr(baseStep)}`, 'InvalidOrder', { step: toStr(baseStep) });
    }
    if (!req.reduceOnly) {
      const minC = dec(numberToPlain(m.minAmount ?? 0));
      if (cmp(mul({ units: contracts, scale: 0 }, stepC), minC) < 0) {
        throw this.#err('invalid', `${req.symbol}: amount ${toStr(amount)} below minimum quantity ${toStr(mul(minC, cs))}`, 'InvalidOrder');
      }
      const notional = toNum(amount) * mid;
      if (m.minCostUsdt !== null && notional < m.minCostUsdt) {
        throw this.#err(
          'invalid',
          `${req.symbol}: order notional ${notional.toFixed(4)} USDT below minimum ${m.minCostUsdt} USDT (amount ${toStr(amount)})`,
          'InvalidOrder',
          { minCostUsdt: m.minCostUsdt, notional },
        );
      }
    }

    const outcome = this.#faults ? this.#faults.orderOutcome(this.name) : 'none';
    if (outcome === 'reject') throw this.#err('invalid', `order ${req.clientOrderId} rejected (simulated)`, 'OperationRejected');
    // like Binance -4061 / OKX 51000 / Bybit 10001 / Bitget 40774: no position side sent in hedge mode
    if (this.#faults?.get(this.name).hedgeMode) throw this.#err('invalid', `order ${req.clientOrderId} rejected: position side does not match the account's hedge mode (simulated)`, 'InvalidOrder');
    if (outcome === 'timeout_before') throw this.#err('network', `createOrder ${req.clientOrderId} timed out (simulated, not placed)`, 'RequestTimeout');
    if (outcome === 'duplicate_old') {
      // an order placed a day ago under the same id, twice the size, long since filled
      const oldTs = this.#now() - 86_400_000;
      const oldAmount = toStr(mul(amount, dec('2')));
      this.#oldOrders.set(req.clientOrderId, {
        venue: this.name, symbol: req.symbol, id: `${this.name}-old-${req.clientOrderId}`, clientOrderId: req.clientOrderId,
        side: req.side, status: 'closed', amountBase: oldAmount, filledBase: oldAmount, avgPrice: String(mid), fee: '0', feeCurrency: 'USDT',
        fills: [{ tradeId: `old-${req.clientOrderId}`, price: String(mid), amountBase: oldAmount, fee: '0', feeCurrency: 'USDT', ts: oldTs }],
        reduceOnly: req.reduceOnly, ts: oldTs, raw: { paper: true, simulated: 'duplicate_old' },
      });
      throw this.#err('duplicate', `client order id ${req.clientOrderId} already used (simulated old order)`, 'DuplicateOrderId');
    }

    // 'partial': an IOC order whose slippage protection cancels the rest (Bybit), at least one step filled
    const fillable = outcome === 'partial' ? partOf(amount, baseStep, this.#faults?.get(this.name).partialFillRatio ?? 0.6) : amount;
    const fills = this.#sweep(req.side === 'buy' ? book.asks : book.bids, fillable, m.takerFee ?? 0, req.clientOrderId);
    const filled = fills.reduce((a, f) => add(a, dec(f.amountBase)), dec('0'));
    if (isZero(filled)) throw this.#err('invalid', `${req.symbol}: no liquidity to fill ${req.side}`, 'InvalidOrder');
    const status: Extract<OrderStatus, 'closed' | 'canceled' | 'expired'> = cmp(filled, amount) === 0 ? 'closed' : outcome === 'partial' ? 'canceled' : 'expired';
    const meta = { mode: this.mode, book_ts: book.ts, mid };
    try {
      await paperRecordOrder(this.#db, {
        venue: this.name,
        client_order_id: req.clientOrderId,
        symbol: req.symbol,
        side: req.side,
        reduce_only: req.reduceOnly,
        amount: toStr(amount),
        status,
        ts,
        initial_balance: this.#initial,
        meta,
        fills: fills.map((f) => ({ trade_id: f.tradeId, price: f.price, qty: f.amountBase, fee: f.fee })),
      });
    } catch (e) {
      throw this.#mapDbError(e, req.clientOrderId);
    }
    if (outcome === 'timeout_after' || outcome === 'timeout_after_late') {
      if (outcome === 'timeout_after_late') {
        this.#hiddenUntil.set(req.clientOrderId, Date.now() + (this.#faults?.get(this.name).lateVisibilityMs ?? 1000));
      }
      throw this.#err('network', `createOrder ${req.clientOrderId} timed out (simulated; the order executed)`, 'RequestTimeout');
    }
    const row = await this.#orderRow(req.clientOrderId);
    const result = this.#toResult(row!);
    if (outcome === 'ack_invisible') {
      this.#hiddenUntil.set(req.clientOrderId, Date.now() + (this.#faults?.get(this.name).lateVisibilityMs ?? 1000));
      return { ...result, status: 'unknown', filledBase: '0', avgPrice: null, fee: null, feeCurrency: null, fills: [] };
    }
    if (outcome === 'fills_missing') {
      this.#fillsHiddenUntil.set(req.clientOrderId, Date.now() + (this.#faults?.get(this.name).fillsLagMs ?? 0));
      return { ...result, fills: [], fee: null, feeCurrency: null };
    }
    return result;
  }

  #sweep(levels: [string, string][], amount: Dec, fee: number, cid: string): OrderFill[] {
    const feeRate = dec(numberToPlain(fee));
    const out: OrderFill[] = [];
    let left = amount;
    for (const [p, a] of levels) {
      if (isZero(left)) break;
      const take = min(dec(a), left);
      if (take.units <= 0n) continue;
      left = sub(left, take);
      const price = dec(p);
      out.push({
        tradeId: `${cid}-${out.length + 1}`,
        price: toStr(price),
        amountBase: toStr(take),
        fee: toStr(truncToStep(mul(mul(price, take), feeRate), FEE_STEP)),
        feeCurrency: 'USDT',
        ts: 0,
      });
    }
    return out;
  }

  #mapDbError(e: unknown, cid: string): VenueError {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message;
    if (code === '23505' && /client_order_id/.test((e as { constraint?: string }).constraint ?? '')) return this.#err('duplicate', `client order id ${cid} already used`, 'DuplicateOrderId');
    if (code === 'WLP01') return this.#err('insufficient_funds', msg, 'InsufficientFunds');
    if (code === 'WLP02') return this.#err('invalid', msg, 'InvalidOrder');
    return this.#err('unknown', `ledger: ${msg}`, 'DatabaseError');
  }

  #orderRow(cid: string): Promise<PaperOrderRow | null> {
    return paperOrder(this.#db, this.name, cid);
  }

  #toResult(r: PaperOrderRow): OrderResult {
    const ts = r.ts_ms;
    // fault: fees reported in another coin (truncated to 1e-8 of it), as Binance does with BNB
    const coin = this.#faults?.get(this.name).feeCoin ?? null;
    const feeOf = (usdt: string) => (coin ? toStr(mul({ units: stepsIn(dec(usdt), mul(dec(coin.usdtPrice), FEE_STEP)), scale: 0 }, FEE_STEP)) : usdt);
    const feeCurrency = coin?.currency ?? 'USDT';
    const fills: OrderFill[] = r.fills.map((f) => ({ tradeId: f.trade_id, price: f.price, amountBase: f.qty, fee: feeOf(f.fee), feeCurrency, ts }));
    return {
      venue: this.name,
      symbol: r.symbol,
      id: `${this.name}-${r.id}`,
      clientOrderId: r.client_order_id,
      side: r.side,
      status: r.status,
      amountBase: r.amount_str,
      filledBase: toStr(dec(r.filled)),
      avgPrice: r.avg_price,
      fee: feeOf(toStr(dec(r.fee))),
      feeCurrency,
      fills,
      reduceOnly: r.reduce_only,
      ts,
      raw: { paper: true, mode: this.mode, id: String(r.id), meta: r.meta },
    };
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string, _opts?: LookupOptions): Promise<OrderResult | null> {
    await this.#gate('fetchOrder');
    const old = this.#oldOrders.get(clientOrderId);
    if (old) return old.symbol === symbol ? old : null;
    // wall clock on purpose: the caller's look-up retries wait in real time
    if ((this.#hiddenUntil.get(clientOrderId) ?? 0) > Date.now()) return null;
    const r = await this.#orderRow(clientOrderId);
    if (!r || r.symbol !== symbol) return null;
    const result = this.#toResult(r);
    return (this.#fillsHiddenUntil.get(clientOrderId) ?? 0) > Date.now() ? { ...result, fills: [], fee: null, feeCurrency: null } : result;
  }

  async #position(symbol: string): Promise<Dec> {
    return dec((await paperPosition(this.#db, this.name, symbol))?.size ?? '0');
  }

  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    await this.#gate('fetchPositions');
    const rows = await paperPositions(this.#db, { venue: this.name, symbols: symbols ?? null });
    const ts = this.#now();
    const out: Position[] = [];
    for (const r of rows) {
      let upnl: string | null = null;
      try {
        const b = await this.source.fetchOrderBook(r.symbol, 1);
        const mid = (Number(b.bids[0][0]) + Number(b.asks[0][0])) / 2;
        upnl = numberToPlain((mid - Number(r.entry_price)) * Number(r.size), 8);
      } catch {
        // a position is still reported when its price is unavailable
      }
      out.push({ venue: this.name, symbol: r.symbol, sizeBase: toStr(dec(r.size)), entryPrice: r.entry_price, unrealizedPnl: upnl, ts });
    }
    return out;
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    await this.#gate('setLeverage');
    this.#marketOrThrow(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) throw this.#err('invalid', `leverage ${leverage} out of range`, 'BadRequest');
    await paperSetLeverage(this.#db, { venue: this.name, symbol, leverage });
  }

  /** the ledger's own record; a symbol never set trades at the ledger's default, 1x */
  async fetchLeverage(symbol: string): Promise<number | null> {
    await this.#gate('fetchLeverage');
    this.#marketOrThrow(symbol);
    return (await paperPosition(this.#db, this.name, symbol))?.leverage ?? 1;
  }

  async fetchBalance(): Promise<Balance> {
    await this.#gate('fetchBalance');
    await this.settleFunding();
    const b = await paperBalance(this.#db, { venue: this.name, initial: this.#initial });
    return { venue: this.name, currency: 'USDT', total: b.total, free: b.free };
  }

  // ---- money in one currency ------------------------------------------------

  /**
   * Settle funding into the ledger (paper.funding_ledger, counted in the balance): every
   * settlement of the source's funding history since this account's first fill on a symbol,
   * at the position held just before it: − rate × signed size × the position's last fill
   * price (a long pays a positive rate, a short receives it), in numeric. Idempotent (one row
   * per settlement), run before the balance or the funding payments are read, so the account
   * has settled at its schedule whenever anyone looks.
   */
  async settleFunding(): Promise<number> {
    const now = this.#now();
    let n = 0;
    for (const r of await paperFirstFills(this.#db, this.name)) {
      const points = await this.source.fetchFundingHistory(r.symbol, r.first_fill, now);
      if (!points.length) continue;
      n += await paperSettleFunding(this.#db, {
        venue: this.name,
        symbol: r.symbol,
        points: points.map((p) => ({ ts: p.ts, rate: numberToPlain(p.rate) })),
      });
    }
    return n;
  }

  /** What the paper account paid or received at each settlement in [since, until] (its funding ledger). */
  async fetchFundingPayments(symbol: string, since: number, until: number): Promise<FundingPayment[]> {
    await this.#gate('fetchFundingHistory');
    await this.settleFunding();
    const rows = await paperFundingLedger(this.#db, { venue: this.name, symbol, since, until });
    return rows.map((r) => ({ id: `${this.name}-${symbol}-${r.ts}`, ts: r.ts, amount: toStr(dec(r.amount)), currency: 'USDT' }));
  }

  /** paper fees are charged in USDT unless the feeCoin fault says otherwise (priced at its price); another coin at the source's book mid (labelled) */
  async fetchUsdtPriceAt(currency: string, ts: number): Promise<PriceAt | null> {
    const c = currency.toUpperCase();
    if (c === 'USDT') return { symbol: 'USDT', price: '1', ts, source: 'same_currency' };
    const coin = this.#faults?.get(this.name).feeCoin;
    if (coin && coin.currency.toUpperCase() === c) return { symbol: `${c}/USDT`, price: coin.usdtPrice, ts, source: `${this.name}:${c}/USDT:fault-price` };
    const symbol = `${c}/USDT:USDT`;
    if (!this.source.symbols().includes(symbol)) return null;
    const b = await this.source.fetchOrderBook(symbol, 1);
    if (!b.bids[0] || !b.asks[0]) return null;
    const mid = (Number(b.bids[0][0]) + Number(b.asks[0][0])) / 2;
    return { symbol, price: numberToPlain(mid), ts: b.ts, source: `${this.name}:${symbol}:paper-mid@${new Date(b.ts).toISOString()}` };
  }
}

/** shadow mode: another venue's live public data, simulated fills in our ledger */
export function shadowVenue(source: Venue, db: Queryable, opts: Omit<PaperVenueOptions, 'source' | 'db' | 'mode'> = {}): PaperVenue {
  return new PaperVenue({ ...opts, source, db, mode: 'shadow' });
}
