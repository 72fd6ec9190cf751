// One monitoring pass: for every open trade due a sample, both legs' books fetched
// concurrently (one fetch per venue+symbol), swept at the position size, handed to
// SQL, whose trigger decides take-profit / max-hold. A venue in back-off is skipped
// and a failing venue only affects its own trades.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { fetchBook, isBookError, quote } from './books.ts';
import { preciseIso } from './clock.ts';
import { monitorTargets } from '../sql/monitor_targets.ts';
import { cfgNum } from '../sql/cfg_num.ts';
import { venuesAvailable } from '../sql/venue_available.ts';
import { venueReport } from '../sql/venue_report.ts';
import { tradeError } from '../sql/trade_error.ts';
import { recordSpreadSample } from '../sql/record_spread_sample.ts';
import { monitorBooksFresh } from '../sql/monitor_books_fresh.ts';

type VenueOf = (name: string) => Promise<Venue>;

export async function monitorOnce(q: Q, venueOf: VenueOf): Promise<{ sampled: number; skipped: number }> {
  const targets = await monitorTargets(q);
  if (targets.length === 0) return { sampled: 0, skipped: 0 };
  const feeDefault = await cfgNum(q, 'trade.taker_fee_default');
  const names = [...new Set(targets.flatMap((t) => [t.short_exchange, t.long_exchange]))];
  const usable = await venuesAvailable(q, names);

  // one fetch per (venue, symbol), all at once
  const keys = [...new Set(targets.flatMap((t) => [`${t.short_exchange}|${t.symbol}`, `${t.long_exchange}|${t.symbol}`]))].filter((k) =>
    usable.has(k.split('|')[0]),
  );
  const books = new Map(
    await Promise.all(
      keys.map(async (k) => {
        const [venue, symbol] = [k.slice(0, k.indexOf('|')), k.slice(k.indexOf('|') + 1)];
        return [k, { v: await venueOf(venue), b: await fetchBook(await venueOf(venue), symbol) }] as const;
      }),
    ),
  );
  // health: one report per venue per pass
  const failed = new Map<string, string>();
  for (const [, { v, b }] of books) if (isBookError(b)) failed.set(v.name, b.error);
  for (const name of names.filter((n) => usable.has(n))) {
    await venueReport(q, { venue: name, ok: !failed.has(name), error: failed.get(name) ?? null });
  }
  for (const [name, msg] of failed) await tradeError(q, { stage: 'monitor', venue: name, errorClass: 'BookFetch', message: msg });

  let sampled = 0;
  let skipped = 0;
  const ts = preciseIso();
  for (const t of targets) {
    const s = books.get(`${t.short_exchange}|${t.symbol}`);
    const l = books.get(`${t.long_exchange}|${t.symbol}`);
    if (!s || !l || isBookError(s.b) || isBookError(l.b)) {
      skipped++;
      continue;
    }
    const exitShort = quote(s.b, 'buy', { base: Number(t.short_qty) }); // buy back the short at the ask
    const exitLong = quote(l.b, 'sell', { base: Number(t.long_qty) }); // sell the long at the bid
    // staleness is SQL's rule (book_is_stale), the same one the open's re-check applies
    if (!(await monitorBooksFresh(q, { signalId: t.signal_id, shortAgeMs: exitShort.age_ms, longAgeMs: exitLong.age_ms }))) {
      skipped++;
      continue;
    }
    const fee = (v: Venue) => {
      try {
        return v.market(t.symbol).takerFee ?? feeDefault;
      } catch {
        return feeDefault;
      }
    };
    await recordSpreadSample(q, {
      signalId: t.signal_id, ts, bidask: { short: exitShort, long: exitLong },
      shortAsk: exitShort.price, longBid: exitLong.price, exitFeeFrac: fee(s.v) + fee(l.v),
    });
    sampled++;
  }
  return { sampled, skipped };
}
