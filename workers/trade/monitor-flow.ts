// One monitoring pass: for every open trade due a sample, both legs' books fetched
// concurrently (one fetch per venue+symbol), swept at the position size, handed to
// SQL, whose trigger decides take-profit / max-hold. A venue in back-off is skipped
// and a failing venue only affects its own trades.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { fetchBook, isBookError, quote } from './books.ts';
import { preciseIso } from './clock.ts';

type VenueOf = (name: string) => Promise<Venue>;

export async function monitorOnce(q: Q, venueOf: VenueOf): Promise<{ sampled: number; skipped: number }> {
  const { rows: targets } = await q.query('select * from watchlist.monitor_targets()');
  if (targets.length === 0) return { sampled: 0, skipped: 0 };
  const feeDefault = Number(await q.one(`select watchlist.cfg_num('trade.taker_fee_default')`));
  const names = [...new Set(targets.flatMap((t) => [t.short_exchange, t.long_exchange]))];
  const { rows: avail } = await q.query('select v, watchlist.venue_available(v) ok from unnest($1::text[]) v', [names]);
  const usable = new Set(avail.filter((r) => r.ok).map((r) => r.v));

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
    await q.query('select watchlist.venue_report($1, $2, $3)', [name, !failed.has(name), failed.get(name) ?? null]);
  }
  for (const [name, msg] of failed) await q.query(`select watchlist.trade_error(null, 'monitor', $1, 'BookFetch', $2)`, [name, msg]);

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
    if (!(await q.one<boolean>('select watchlist.monitor_books_fresh($1, $2, $3)', [t.signal_id, exitShort.age_ms, exitLong.age_ms]))) {
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
    await q.query('select watchlist.record_spread_sample($1, $2, $3::jsonb, $4, $5, $6)', [
      t.signal_id, ts, JSON.stringify({ short: exitShort, long: exitLong }),
      exitShort.price, exitLong.price, fee(s.v) + fee(l.v),
    ]);
    sampled++;
  }
  return { sampled, skipped };
}
