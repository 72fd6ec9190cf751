// Every minute: books (depth 20) and funding for every configured venue × symbol,
// swept at the trade notional, handed to SQL in ONE call (watchlist.record_market_minute),
// then the scanner (watchlist.scan) when it is installed. A failing venue is recorded
// as an error row and does not hold up the others.
import type { Task } from 'graphile-worker';
import { sweep } from '../venues/sweep.ts';
import { isVenueError } from '../venues/errors.ts';
import type { FundingInfo, OrderBook, Venue } from '../venues/types.ts';
import { perCallClient, type SqlClient } from '../sql/client.ts';
import { collectSettings } from '../sql/collect_settings.ts';
import { recordMarketMinute, type SnapshotRow } from '../sql/record_market_minute.ts';
import { scan } from '../sql/scan.ts';
import { sharedVenues } from '../venues/registry.ts';
import { DEFAULT_SYMBOLS } from '../sim/universe.ts';

export const BOOK_DEPTH = 20;
const PER_VENUE_IN_FLIGHT = 16;

export interface CollectResult {
  ts: number;
  rows: number;
  errors: number;
  scanned: boolean;
}

interface Failure {
  venue: string;
  symbol: string;
  what: string;
  error: unknown;
}

/** run `fn` over items with at most `limit` in flight */
async function eachLimited<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  });
  await Promise.all(lanes);
}

/** 12 significant digits: drops float noise (3189.5000000000005) without touching real precision */
const sig = (x: number | null) => (x === null ? null : Number(x.toPrecision(12)));

function snapshotRow(venue: Venue, book: OrderBook, funding: FundingInfo | null, notional: number): SnapshotRow {
  const buy = sweep(book, 'buy', notional);
  const sell = sweep(book, 'sell', notional);
  const bidTop = book.bids[0] ? Number(book.bids[0][0]) : null;
  const askTop = book.asks[0] ? Number(book.asks[0][0]) : null;
  return {
    venue: venue.name,
    symbol: book.symbol,
    bid: sig(sell.avgPrice),
    ask: sig(buy.avgPrice),
    bid_top: bidTop,
    ask_top: askTop,
    mid: bidTop !== null && askTop !== null ? (bidTop + askTop) / 2 : null,
    depth_ok: buy.sufficient && sell.sufficient,
    notional_usdt: notional,
    funding_rate: funding?.rate ?? null,
    funding_interval_hours: funding?.intervalHours ?? null,
    next_funding_time: funding?.nextFundingTime != null ? new Date(funding.nextFundingTime).toISOString() : null,
    book_ts: new Date(book.ts).toISOString(),
    meta: {
      mode: (venue as { mode?: string }).mode ?? 'live',
      levels: [book.bids.length, book.asks.length],
      sweep_levels: [sell.levelsUsed, buy.levelsUsed],
      funding_source: funding?.scheduleSource ?? null,
    },
  };
}

/** one error row per venue and error class, listing the symbols it hit */
function errorRows(failures: Failure[]) {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const cls = isVenueError(f.error) ? `${f.error.kind}:${f.error.sourceClass}` : (f.error as Error)?.name ?? 'Error';
    const key = `${f.venue}|${cls}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()].map(([key, fs]) => ({
    venue: fs[0].venue,
    error_class: key.slice(key.indexOf('|') + 1),
    message: `${(fs[0].error as Error)?.message ?? String(fs[0].error)}${fs.length > 1 ? ` (+${fs.length - 1} more)` : ''}`,
    payload: { count: fs.length, symbols: [...new Set(fs.map((f) => f.symbol))].slice(0, 50), calls: [...new Set(fs.map((f) => f.what))] },
  }));
}

/** collect one minute: `ts` is any time within it (the venues read their own clock) */
export async function collectMinute(db: SqlClient, venues: Venue[], ts: number, opts: { symbols?: string[] } = {}): Promise<CollectResult> {
  const minute = Math.floor(ts / 60_000) * 60_000;
  const cfg = await collectSettings(db);
  const notional = cfg.notional;
  const wanted: string[] = opts.symbols ?? cfg.symbols ?? DEFAULT_SYMBOLS.map((s) => s.symbol);

  const rows: SnapshotRow[] = [];
  const failures: Failure[] = [];
  await Promise.all(
    venues.map(async (venue) => {
      let listed: Set<string>;
      try {
        listed = new Set(venue.symbols());
      } catch {
        // markets not loaded (exchange was down at start-up): try again now
        try {
          await venue.loadMarkets();
          listed = new Set(venue.symbols());
        } catch (error) {
          failures.push({ venue: venue.name, symbol: '*', what: 'markets', error });
          return;
        }
      }
      return eachLimited(
        wanted.filter((s) => listed.has(s)),
        PER_VENUE_IN_FLIGHT,
        async (symbol) => {
          const [b, f] = await Promise.allSettled([venue.fetchOrderBook(symbol, BOOK_DEPTH), venue.fetchFundingInfo(symbol)]);
          if (f.status === 'rejected') failures.push({ venue: venue.name, symbol, what: 'funding', error: f.reason });
          if (b.status === 'rejected') failures.push({ venue: venue.name, symbol, what: 'book', error: b.reason });
          else rows.push(snapshotRow(venue, b.value, f.status === 'fulfilled' ? f.value : null, notional));
        },
      );
    }),
  );

  const errors = errorRows(failures);
  const at = new Date(minute).toISOString();
  const n = await recordMarketMinute(db, { minute: at, rows, errors });
  if (cfg.has_scan) await scan(db, { minute: at });
  return { ts: minute, rows: n, errors: errors.length, scanned: cfg.has_scan };
}

export const collect_market: Task = async (_payload, { withPgClient, logger }) => {
  const db = perCallClient(withPgClient);
  const set = await sharedVenues(db);
  const r = await collectMinute(db, set.venues, set.clock.now());
  if (r.errors) logger.warn(`collect_market ${new Date(r.ts).toISOString()}: ${r.rows} rows, ${r.errors} venue errors`);
};
