// Sending an order whose row is already in the database, with the unknown-outcome
// discipline: a timeout or network error means "maybe executed", so the order is
// looked up by client id before anything else, and never resubmitted blindly. A
// look-up result is handed to SQL as a look-up: it is ours only if it matches the
// prepared row (trade_record_order), and "not placed" is SQL's conclusion too.
import { Precise } from 'ccxt';
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
  /** set once the venue acknowledged the order */
  exchange_order_id?: string | null;
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

type RecordContext = 'create' | 'lookup' | 'duplicate';

/** one contract step in base units: a looked-up amount may differ from ours by less (truncation) */
function stepBase(venue: Venue, symbol: string): string | null {
  try {
    const m = venue.market(symbol);
    return m.amountStep === null ? null : (Precise.stringMul(m.amountStep, String(m.contractSize)) ?? null);
  } catch {
    return null;
  }
}

async function record(q: Q, venue: Venue, o: PreparedOrder, r: OrderResult, sentAt: string | null, context: RecordContext): Promise<LegStatus> {
  return q.one('select watchlist.trade_record_order($1, $2::jsonb, $3, $4, $5::numeric)', [
    o.order_id, resultJson(r), sentAt, context, stepBase(venue, o.symbol),
  ]);
}

/** the venue's signed position on the symbol, or null when it cannot tell */
async function positionOf(venue: Venue, symbol: string): Promise<string | null> {
  try {
    const ps = await venue.fetchPositions([symbol]);
    // hedge-mode venues report two rows per symbol: their signed sum is the position
    return ps
      .filter((p) => p.symbol === symbol)
      .reduce((acc, p) => {
        const sum = Precise.stringAdd(acc, p.sizeBase);
        if (sum === undefined) throw new Error(`bad position size ${p.sizeBase}`);
        return sum;
      }, '0');
  } catch {
    return null;
  }
}

/**
 * Look the order up (by exchange id when the venue acknowledged one, else by client id)
 * and record what is found. "No such order" is only believed after look-ups have
 * answered so over trade.lookup_span_s AND the venue's position is what our recorded
 * orders explain; an order with an exchange id is never concluded not placed. The
 * decision is SQL's (trade_lookup_empty); this loop only asks and waits.
 */
export async function resolveByClientId(q: Q, venue: Venue, o: PreparedOrder, stage: string, context: 'lookup' | 'duplicate' = 'lookup'): Promise<LegStatus> {
  let lastErr: unknown = null;
  let delay = 250;
  const started = Date.now();
  const spanMs = 1000 * Number(await q.one('select watchlist.cfg_num($1, 30)', ['trade.lookup_span_s']));
  for (;;) {
    let answeredEmpty = false;
    try {
      const found = await venue.fetchOrderByClientId(o.symbol, o.client_order_id, { exchangeOrderId: o.exchange_order_id ?? null });
      if (found) return record(q, venue, o, found, null, context);
      answeredEmpty = true;
    } catch (e) {
      lastErr = e;
    }
    if (answeredEmpty) {
      let next = await q.one('select watchlist.trade_lookup_empty($1, null, $2)', [o.order_id, stage]);
      if (next.action === 'check_position') {
        const pos = await positionOf(venue, o.symbol);
        if (pos === null) {
          next = { action: 'wait', remaining_s: 1 };
        } else {
          next = await q.one('select watchlist.trade_lookup_empty($1, $2::numeric, $3)', [o.order_id, pos, stage]);
        }
      }
      if (next.action === 'not_placed') return 'not_placed';
      if (next.action === 'unknown') return 'unknown';
      // never wait in the job much beyond the span: a resumed job goes on from the stored span
      if (Date.now() - started > spanMs + 10_000) return 'unknown';
      await sleep(Math.min(delay, Math.max(10, 1000 * Number(next.remaining_s) + 10)));
    } else if (Date.now() - started > spanMs) {
      break;
    } else {
      await sleep(delay);
    }
    delay = Math.min(delay * 2, 4000);
  }
  const ei = errInfo(lastErr);
  await q.query('select watchlist.trade_order_failed($1, $2, $3, $4, $5, $6::jsonb)', [
    o.order_id, 'unknown', stage, ei.cls, `look-up failed: ${ei.message}`, JSON.stringify({ kind: ei.kind }),
  ]);
  return 'unknown';
}

/** a filled order whose trade list did not add up: read it again (fills page by page) */
async function refreshFills(q: Q, venue: Venue, o: PreparedOrder, stage: string): Promise<void> {
  try {
    const found = await venue.fetchOrderByClientId(o.symbol, o.client_order_id, { exchangeOrderId: o.exchange_order_id ?? null });
    if (found) {
      await record(q, venue, o, found, null, 'lookup');
      return;
    }
  } catch (e) {
    const ei = errInfo(e);
    await q.query('select watchlist.trade_error((select signal_id from watchlist.live_trade_order where id = $1), $2, $3, $4, $5, $6::jsonb, $1)', [
      o.order_id, stage, venue.name, ei.cls, `fills of ${o.client_order_id} not read: ${ei.message}`, JSON.stringify({ kind: ei.kind }),
    ]);
  }
  // after trade.fill_wait_s the order's own filled/average stand in for the missing trades
  await q.query('select watchlist.trade_fill_gap($1)', [o.order_id]);
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
    (r) => record(q, venue, o, r, sentAt, 'create'),
    async (e) => {
      const ei = errInfo(e);
      if (isVenueError(e) && (e.outcomeUnknown || e.kind === 'duplicate')) {
        await q.query('select watchlist.trade_error((select signal_id from watchlist.live_trade_order where id = $6), $1, $2, $3, $4, $5::jsonb, $6)', [
          stage, venue.name, ei.cls, `outcome unknown, looking up by client id: ${ei.message}`,
          JSON.stringify({ client_order_id: o.client_order_id, kind: ei.kind, payload: ei.payload }), o.order_id,
        ]);
        await q.query('update watchlist.live_trade_order set submitted_at = coalesce(submitted_at, $2) where id = $1', [o.order_id, sentAt]);
        return resolveByClientId(q, venue, o, stage, e.kind === 'duplicate' ? 'duplicate' : 'lookup');
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
        client_order_id: r.client_order_id, reduce_only: r.reduce_only, exchange_order_id: r.exchange_order_id,
      };
      const v = await venueOf(r.exchange);
      if (r.status === 'filled') await refreshFills(q, v, o, stage);
      else await resolveByClientId(q, v, o, stage);
    }),
  );
}
