// Fault injection for simulated venues, settable at runtime (tests, demos).
// Per venue: latency, a definite rejection, and two kinds of timeout: one where the
// order never reached the matching engine and one where it DID execute but the
// reply was lost (the caller must find it by client order id). `down` makes every
// call fail with a network error. Draws come from a seeded sequential generator so
// a run with the same seed and call order fails the same way; `failNext` forces
// the next order outcome regardless of probabilities.
import { mulberry32 } from './prng.ts';

export interface VenueFaults {
  latencyMs: number;
  rejectProb: number;
  /** order executed, reply lost */
  timeoutAfterProb: number;
  /** order never placed, request timed out */
  timeoutBeforeProb: number;
  down: boolean;
  /** with timeout_after_late / ack_invisible: how long the order stays invisible to look-ups */
  lateVisibilityMs?: number;
  /** report fees in this coin at this USDT price, like Binance charging BNB (the ledger stays in USDT) */
  feeCoin?: { currency: string; usdtPrice: string } | null;
  /** with partial: the share of the order that fills before the rest is canceled (default 0.6) */
  partialFillRatio?: number;
  /** the account is in hedge (dual-side) position mode: preflight fails, orders are rejected */
  hedgeMode?: boolean;
  /** with fills_missing: how long look-ups still answer without the order's trades (default 0) */
  fillsLagMs?: number;
}

/** timeout_after_late: executed, reply lost, and the order only shows in look-ups
 *  `lateVisibilityMs` later (matching engine ahead of the order query service).
 *  partial: an IOC market order fills only in part and the rest is canceled (Bybit's
 *  slippage protection).
 *  ack_invisible: executed and acknowledged with an id only (Bybit's create reply), and
 *  invisible to look-ups for `lateVisibilityMs` (Bybit's lagging order history).
 *  fills_missing: executed, the reply says filled but its trade list is empty (the
 *  trade endpoint failed or lags: OKX fills-history 429); look-ups show the trades
 *  `fillsLagMs` later.
 *  duplicate_old: the client id is already taken by an OLD order on the account (another
 *  installation, or this one before a wipe): the send is refused as a duplicate and
 *  look-ups by the id answer with that old order (earlier, a different amount). */
export type OrderFault =
  | 'none'
  | 'reject'
  | 'timeout_after'
  | 'timeout_after_late'
  | 'timeout_before'
  | 'partial'
  | 'ack_invisible'
  | 'fills_missing'
  | 'duplicate_old';

const NONE: VenueFaults = { latencyMs: 0, rejectProb: 0, timeoutAfterProb: 0, timeoutBeforeProb: 0, down: false };

export class FaultInjector {
  readonly #byVenue = new Map<string, VenueFaults>();
  readonly #forced = new Map<string, OrderFault[]>();
  readonly #rand: () => number;

  constructor(seed = 1) {
    this.#rand = mulberry32(seed ^ 0x5eed);
  }

  get(venue: string): VenueFaults {
    return this.#byVenue.get(venue) ?? NONE;
  }

  /** merge settings for a venue; omitted fields keep their value */
  set(venue: string, f: Partial<VenueFaults>): void {
    this.#byVenue.set(venue, { ...this.get(venue), ...f });
  }

  setDown(venue: string, down = true): void {
    this.set(venue, { down });
  }

  /** queue forced outcomes for the next orders on a venue */
  failNext(venue: string, ...outcomes: OrderFault[]): void {
    this.#forced.set(venue, [...(this.#forced.get(venue) ?? []), ...outcomes]);
  }

  reset(venue?: string): void {
    if (venue === undefined) {
      this.#byVenue.clear();
      this.#forced.clear();
    } else {
      this.#byVenue.delete(venue);
      this.#forced.delete(venue);
    }
  }

  /** decide one order's fate */
  orderOutcome(venue: string): OrderFault {
    const q = this.#forced.get(venue);
    if (q && q.length) return q.shift()!;
    const f = this.get(venue);
    if (f.rejectProb + f.timeoutAfterProb + f.timeoutBeforeProb === 0) return 'none';
    const r = this.#rand();
    if (r < f.rejectProb) return 'reject';
    if (r < f.rejectProb + f.timeoutBeforeProb) return 'timeout_before';
    if (r < f.rejectProb + f.timeoutBeforeProb + f.timeoutAfterProb) return 'timeout_after';
    return 'none';
  }
}

/** the time source the simulator and paper venues read; backfill and tests drive it */
export interface Clock {
  now(): number;
}

export class ManualClock implements Clock {
  #t: number;
  constructor(t: number) {
    this.#t = t;
  }
  now(): number {
    return this.#t;
  }
  set(t: number): void {
    this.#t = t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

export const systemClock: Clock = { now: () => Date.now() };
