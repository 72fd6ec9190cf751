// Order books for decisions: fetched concurrently, aged, swept at the trade size.
import type { OrderBook, Side, Venue } from '../venues/types.ts';
import { sweep, sweepBase } from '../venues/sweep.ts';
import { isVenueError } from '../venues/errors.ts';
import { preciseNow } from './clock.ts';

export interface BookQuote {
  venue: string;
  price: number | null;
  bid_top: number | null;
  ask_top: number | null;
  /** exchange-to-us delay plus the time since we received it */
  age_ms: number;
  sufficient: boolean;
  levels: number;
}

export interface BookError {
  venue: string;
  error: string;
  error_class: string;
}

export async function fetchBook(venue: Venue, symbol: string): Promise<{ book: OrderBook; gotAt: number } | BookError> {
  try {
    const book = await venue.fetchOrderBook(symbol, 50);
    return { book, gotAt: preciseNow() };
  } catch (e) {
    return { venue: venue.name, error: (e as Error).message, error_class: isVenueError(e) ? e.sourceClass : 'Error' };
  }
}

export const isBookError = (b: unknown): b is BookError => typeof b === 'object' && b !== null && 'error' in b;

/** sweep a side at a USDT notional (open) or a base quantity (close/exit) */
export function quote(b: { book: OrderBook; gotAt: number }, side: Side, size: { usdt: number } | { base: number }): BookQuote {
  const s = 'usdt' in size ? sweep(b.book, side, size.usdt) : sweepBase(b.book, side, size.base);
  const bidTop = b.book.bids[0] ? Number(b.book.bids[0][0]) : null;
  const askTop = b.book.asks[0] ? Number(b.book.asks[0][0]) : null;
  return {
    venue: b.book.venue,
    price: s.avgPrice,
    bid_top: bidTop,
    ask_top: askTop,
    age_ms: Math.max(0, b.book.receivedAt - b.book.ts) + (preciseNow() - b.gotAt),
    sufficient: s.sufficient,
    levels: s.levelsUsed,
  };
}
