// Typed venue errors: callers decide retry / look-up / give-up from the class alone.

export type VenueErrorKind =
  | 'network' // timeout, connection reset, exchange unavailable: outcome of a write is UNKNOWN
  | 'rate_limit' // back off, then retry reads; writes: look up by client id first
  | 'invalid' // rejected: bad amount, min notional, precision, bad symbol
  | 'insufficient_funds'
  | 'not_found'
  | 'auth'
  | 'duplicate' // client order id already used: the order exists
  | 'unknown';

export class VenueError extends Error {
  readonly kind: VenueErrorKind;
  readonly venue: string;
  /** original error class name (ccxt class for ccxt venues) */
  readonly sourceClass: string;
  readonly payload: unknown;
  constructor(kind: VenueErrorKind, venue: string, message: string, opts: { sourceClass?: string; payload?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'VenueError';
    this.kind = kind;
    this.venue = venue;
    this.sourceClass = opts.sourceClass ?? 'VenueError';
    this.payload = opts.payload;
  }
  /** a read can be retried with back-off */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'rate_limit';
  }
  /** a write that failed this way may still have executed: look it up by client id */
  get outcomeUnknown(): boolean {
    return this.kind === 'network' || this.kind === 'rate_limit' || this.kind === 'unknown';
  }
}

export const isVenueError = (e: unknown): e is VenueError => e instanceof VenueError;
