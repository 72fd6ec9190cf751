// Public market data of one simulated venue (books, funding, contract specs), read
// at the clock's minute. The paper venue trades against it; the collector reads it.
import { VenueError } from '../venues/errors.ts';
import type { FundingInfo, FundingPoint, MarketInfo, OrderBook } from '../venues/types.ts';
import type { Clock, FaultInjector } from './faults.ts';
import type { MarketSim } from './market.ts';

/** the read side of a Venue: what a paper venue needs from its price source */
export interface MarketSource {
  readonly name: string;
  loadMarkets(): Promise<void>;
  market(symbol: string): MarketInfo;
  symbols(): string[];
  fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook>;
  fetchFundingInfo(symbol: string): Promise<FundingInfo>;
  fetchFundingHistory(symbol: string, since: number, until: number): Promise<FundingPoint[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimSource implements MarketSource {
  readonly name: string;
  readonly sim: MarketSim;
  readonly clock: Clock;
  readonly faults: FaultInjector | null;

  constructor(name: string, sim: MarketSim, clock: Clock, faults: FaultInjector | null = null) {
    if (!sim.venueSpec(name)) throw new RangeError(`sim: no venue ${name}`);
    this.name = name;
    this.sim = sim;
    this.clock = clock;
    this.faults = faults;
  }

  /** latency and outages apply to reads too */
  async gate(what: string): Promise<void> {
    if (!this.faults) return;
    const f = this.faults.get(this.name);
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.down) throw new VenueError('network', this.name, `${this.name} ${what}: venue unreachable (simulated outage)`, { sourceClass: 'NetworkError' });
  }

  async loadMarkets(): Promise<void> {
    await this.gate('loadMarkets');
  }

  symbols(): string[] {
    return this.sim.symbolNames().filter((s) => this.sim.has(this.name, s));
  }

  market(symbol: string): MarketInfo {
    if (!this.sim.has(this.name, symbol)) throw new VenueError('invalid', this.name, `${this.name}: unknown symbol ${symbol}`, { sourceClass: 'BadSymbol' });
    const s = this.sim.spec(this.name, symbol);
    return {
      symbol,
      venueSymbol: s.venueSymbol,
      contractSize: Number(s.contractSize),
      amountStep: s.amountStep,
      priceStep: s.tick,
      minAmount: Number(s.minAmount),
      minCostUsdt: s.minCostUsdt,
      takerFee: s.takerFee,
    };
  }

  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    await this.gate('fetchOrderBook');
    this.market(symbol);
    // the simulated exchange serves its book as of the request, like a real one:
    // prices are constant within the minute, but the book is not a minute old
    const book = this.sim.bookAt(this.name, symbol, this.clock.now(), depth);
    book.ts = this.clock.now();
    book.receivedAt = book.ts;
    return book;
  }

  async fetchFundingInfo(symbol: string): Promise<FundingInfo> {
    await this.gate('fetchFundingInfo');
    this.market(symbol);
    return this.sim.fundingInfo(this.name, symbol, this.clock.now());
  }

  async fetchFundingHistory(symbol: string, since: number, until: number): Promise<FundingPoint[]> {
    await this.gate('fetchFundingHistory');
    this.market(symbol);
    return this.sim.fundingHistory(this.name, symbol, since, Math.min(until, this.clock.now()));
  }
}
