// The one shape every exchange (ccxt, paper, shadow) is driven through.
// Prices and quantities cross this boundary as decimal strings: a float is only
// ever used for ratios (spreads, fees as fractions), never for an amount sent to a venue.

export type Side = 'buy' | 'sell';

/** [price, amount in BASE units] levels, best first (venues convert contracts with contractSize). Strings keep exchange precision. */
export type Level = [price: string, amount: string];

export interface OrderBook {
  venue: string;
  symbol: string; // unified, e.g. BTC/USDT:USDT
  bids: Level[];
  asks: Level[];
  /** exchange timestamp in ms, or our receive time when the exchange gives none */
  ts: number;
  /** our receive time in ms */
  receivedAt: number;
}

export interface SweepResult {
  side: Side;
  notionalUsdt: number;
  /** volume-weighted average fill price across levels, null when the book is empty */
  avgPrice: number | null;
  /** base quantity the sweep would fill */
  baseQty: number;
  /** true when the visible book covered the whole notional */
  sufficient: boolean;
  levelsUsed: number;
}

export interface FundingInfo {
  venue: string;
  symbol: string;
  rate: number | null;
  intervalHours: number | null;
  /** ms epoch, always in the future relative to `asOf` (normalised) */
  nextFundingTime: number | null;
  asOf: number;
  /** how the schedule was derived: 'api', 'rule:hourly', 'rule:8h-boundary', ... */
  scheduleSource: string;
}

export interface FundingPoint {
  ts: number; // settlement time, ms
  rate: number;
}

export interface MarketInfo {
  symbol: string;
  venueSymbol: string; // exchange-native id (BTCUSDT, BTC-USDT-SWAP ...)
  contractSize: number; // base units per contract (1 on most, ctVal on OKX)
  amountStep: string | null; // contract step as decimal string
  priceStep: string | null;
  minAmount: number | null; // in contracts
  minCostUsdt: number | null;
  takerFee: number | null; // fraction, e.g. 0.0005
}

export interface OrderRequest {
  symbol: string;
  side: Side;
  /** base-unit quantity; exactly one of amountBase / notionalUsdt */
  amountBase?: string;
  notionalUsdt?: number;
  /** reference price used to convert notional to amount (required with notionalUsdt) */
  refPrice?: number;
  reduceOnly: boolean;
  clientOrderId: string;
}

export type OrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired' | 'unknown';

export interface OrderFill {
  tradeId: string;
  price: string;
  amountBase: string;
  fee: string;
  feeCurrency: string;
  ts: number;
}

export interface OrderResult {
  venue: string;
  symbol: string;
  id: string | null; // exchange order id
  clientOrderId: string;
  side: Side;
  status: OrderStatus;
  /** requested base amount as sent (after precision) */
  amountBase: string;
  filledBase: string;
  avgPrice: string | null;
  fee: string | null;
  feeCurrency: string | null;
  fills: OrderFill[];
  reduceOnly: boolean;
  ts: number;
  raw: unknown; // exchange reply, for live_trade_order.order_resp (never contains secrets)
}

export interface LookupOptions {
  /** the exchange's id for the order, when it acknowledged one */
  exchangeOrderId?: string | null;
}

export interface Position {
  venue: string;
  symbol: string;
  /** signed base quantity: + long, - short */
  sizeBase: string;
  entryPrice: string | null;
  unrealizedPnl: string | null;
  ts: number;
}

export interface Balance {
  venue: string;
  currency: string; // USDT
  total: string;
  free: string;
}

export interface Venue {
  readonly name: string; // binance | okx | bybit | bitget | paper venue name
  loadMarkets(): Promise<void>;
  market(symbol: string): MarketInfo;
  symbols(): string[];
  fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook>;
  fetchFundingInfo(symbol: string): Promise<FundingInfo>;
  fetchFundingHistory(symbol: string, since: number, until: number): Promise<FundingPoint[]>;
  createMarketOrder(req: OrderRequest): Promise<OrderResult>;
  /** null when the venue has no order with this client id (or, given, this exchange order id:
   *  once the venue acknowledged an id, look-ups use it, never the client id alone) */
  fetchOrderByClientId(symbol: string, clientOrderId: string, opts?: LookupOptions): Promise<OrderResult | null>;
  /** client ids of the account's open orders (foreign-installation detection); optional */
  fetchOpenOrderIds?(): Promise<Array<{ symbol: string; clientOrderId: string }>>;
  fetchPositions(symbols?: string[]): Promise<Position[]>;
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** the symbol's current leverage (the higher of long/short), null when the venue does not say */
  fetchLeverage(symbol: string): Promise<number | null>;
  fetchBalance(): Promise<Balance>;
  /** shape a client order id to this exchange's rules (length, charset) */
  clientOrderId(base: string): string;
  close?(): Promise<void>;
}

// ---- money in one currency (fee conversion, the account's own funding) -------------

/** one funding settlement the account actually paid or received on a symbol */
export interface FundingPayment {
  id: string;
  ts: number; // ms
  /** signed decimal string: + received, − paid */
  amount: string;
  currency: string;
}

/** a market's price at (or just before) a past time, and where it came from */
export interface PriceAt {
  symbol: string;
  price: string;
  ts: number; // ms, the time the price is for
  source: string;
}

// declaration merging: optional so test doubles and older venues need not implement them
export interface Venue {
  /** the account's funding payments on a symbol with since ≤ ts ≤ until (not the public rates) */
  fetchFundingPayments?(symbol: string, since: number, until: number): Promise<FundingPayment[]>;
  /** `currency` in USDT at time `ts` (for fees charged in another coin); null when the venue has no such market */
  fetchUsdtPriceAt?(currency: string, ts: number): Promise<PriceAt | null>;
}
