// Sending an order whose row is already in the database, with the unknown-outcome
// discipline: a timeout or network error means "maybe executed", so the order is
// looked up by client id before anything else, and never resubmitted blindly.
import type { OrderResult, Venue } from '../venues/types.ts';
import { isVenueError } from '../venues/errors.ts';
import type { Q } from './db.ts';
import { preciseIso, sleep } from './clock.ts';

export interface PreparedOrder {
  order_id: number | string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: string;
  client_order_id: string;
  reduce_only: boolean;
  /** the re-check's price for this leg, so the venue's own minimum-value check runs too */
  ref_price?: number | string | null;
}

/** filled / partially_filled / open / rejected / not_placed / unknown */
export type LegStatus = string;

const errInfo = (e: unknown) => ({
  kind: isVenueError(e) ? e.kind : 'unknown',
  cls: isVenueError(e) ? e.sourceClass : (e as Error)?.constructor?.name ?? 'Error',
  message: (e as Error)?.message ?? String(e),
  payload: isVenueError(e) ? (e.payload ?? null) : null,
});

export const resultJson = (r: OrderResult) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

async function record(q: Q, o: PreparedOrder, r: OrderResult, sentAt?: string): Promise<LegStatus> {
  return q.one('select watchlist.trade_record_order($1, $2::jsonb, $3)', [o.order_id, resultJson(r), sentAt ?? null]);
}

/**
 * Look the order up by client id; records what it finds. An order sent just before
 * a timeout can take a moment to become visible, so "no such order" is only
 * believed after the look-ups have spanned a few seconds.
 */
export async function resolveByClientId(q: Q, venue: Venue, o: PreparedOrder, stage: string, delaysMs = [250, 750, 1500]): Promise<LegStatus> {
  let lastErr: unknown = null;
  let answered = false;
  for (let i = 0; i <= delaysMs.length; i++) {
    if (i > 0) await sleep(delaysMs[i - 1]);
    try {
      const found = await venue.fetchOrderByClientId(o.symbol, o.client_order_id);
      if (found) return record(q, o, found);
      answered = true;
    } catch (e) {
      lastErr = e;
    }
  }
  if (answered) {
    await q.query('select watchlist.trade_order_failed($1, $2, $3, $4, $5)', [
      o.order_id, 'not_placed', stage, 'NotPlaced', `${venue.name}: no order with client id ${o.client_order_id}`,
    ]);
    return 'not_placed';
  }
  const ei = errInfo(lastErr);
  await q.query('select watchlist.trade_order_failed($1, $2, $3, $4, $5, $6::jsonb)', [
    o.order_id, 'unknown', stage, ei.cls, `look-up by client id failed: ${ei.message}`, JSON.stringify({ kind: ei.kind }),
  ]);
  return 'unknown';
}

/** send a prepared order; the returned status is what the database now holds */
export function submit(q: Q, venue: Venue, o: PreparedOrder, stage: string): Promise<LegStatus> {
  const sentAt = preciseIso();
  // the venue call starts synchronously here, so legs submitted in one tick go out together
  const sent = venue.createMarketOrder({
    symbol: o.symbol,
    side: o.side,
    amountBase: o.amount,
    reduceOnly: o.reduce_only,
    clientOrderId: o.client_order_id,
    refPrice: o.ref_price == null ? undefined : Number(o.ref_price),
  });
  return sent.then(
    (r) => record(q, o, r, sentAt),
    async (e) => {
      const ei = errInfo(e);
      if (isVenueError(e) && (e.outcomeUnknown || e.kind === 'duplicate')) {
        await q.query('select watchlist.trade_error((select signal_id from watchlist.live_trade_order where id = $6), $1, $2, $3, $4, $5::jsonb, $6)', [
          stage, venue.name, ei.cls, `outcome unknown, looking up by client id: ${ei.message}`,
          JSON.stringify({ client_order_id: o.client_order_id, kind: ei.kind, payload: ei.payload }), o.order_id,
        ]);
        await q.query('update watchlist.live_trade_order set submitted_at = coalesce(submitted_at, $2) where id = $1', [o.order_id, sentAt]);
        return resolveByClientId(q, venue, o, stage);
      }
      await q.query('select watchlist.trade_order_failed($1, $2, $3, $4, $5, $6::jsonb, $7)', [
        o.order_id, 'rejected', stage, ei.cls, ei.message, JSON.stringify({ kind: ei.kind, payload: ei.payload }), sentAt,
      ]);
      return 'rejected';
    },
  );
}

/** resolve every order of a trade whose outcome the database does not know */
export async function resolveUnresolved(q: Q, signalId: number, venueOf: (name: string) => Promise<Venue>, stage: string): Promise<void> {
  const { rows } = await q.query('select * from watchlist.trade_unresolved_orders($1)', [signalId]);
  await Promise.all(
    rows.map(async (r) => {
      const o: PreparedOrder = {
        order_id: r.id, exchange: r.exchange, symbol: r.symbol, side: r.side, amount: r.normalized_qty,
        client_order_id: r.client_order_id, reduce_only: r.reduce_only,
      };
      await resolveByClientId(q, await venueOf(r.exchange), o, stage);
    }),
  );
}
