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
import { tradeRecordOrder } from '../sql/trade_record_order.ts';
import { cfgNum } from '../sql/cfg_num.ts';
import { tradeLookupEmpty, type LookupNext } from '../sql/trade_lookup_empty.ts';
import { tradeOrderFailed } from '../sql/trade_order_failed.ts';
import { tradeError } from '../sql/trade_error.ts';
import { tradeFillGap } from '../sql/trade_fill_gap.ts';
import { orderSubmittedAt } from '../sql/order_submitted_at.ts';
import { tradeUnresolvedOrders } from '../sql/trade_unresolved_orders.ts';

export interface PreparedOrder {
  order_id: number;
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
  return tradeRecordOrder(q, { orderId: o.order_id, result: r, submittedAt: sentAt, context, step: stepBase(venue, o.symbol) });
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
  const spanMs = 1000 * (await cfgNum(q, 'trade.lookup_span_s'));
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
      let next: LookupNext = await tradeLookupEmpty(q, { orderId: o.order_id, position: null, stage });
      if (next.action === 'check_position') {
        const pos = await positionOf(venue, o.symbol);
        if (pos === null) {
          next = { action: 'wait', remaining_s: 1 };
        } else {
          next = await tradeLookupEmpty(q, { orderId: o.order_id, position: pos, stage });
        }
      }
      if (next.action === 'not_placed') return 'not_placed';
      if (next.action === 'unknown') return 'unknown';
      // never wait in the job much beyond the span: a resumed job goes on from the stored span
      if (Date.now() - started > spanMs + 10_000) return 'unknown';
      await sleep(Math.min(delay, Math.max(10, 1000 * (next.action === 'wait' ? next.remaining_s : 0) + 10)));
    } else if (Date.now() - started > spanMs) {
      break;
    } else {
      await sleep(delay);
    }
    delay = Math.min(delay * 2, 4000);
  }
  const ei = errInfo(lastErr);
  await tradeOrderFailed(q, { orderId: o.order_id, status: 'unknown', stage, errorClass: ei.cls, message: `look-up failed: ${ei.message}`, payload: { kind: ei.kind } });
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
    await tradeError(q, {
      orderId: o.order_id, stage, venue: venue.name, errorClass: ei.cls, message: `fills of ${o.client_order_id} not read: ${ei.message}`, payload: { kind: ei.kind },
    });
  }
  // after trade.fill_wait_s the order's own filled/average stand in for the missing trades
  await tradeFillGap(q, o.order_id);
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
        await tradeError(q, {
          orderId: o.order_id, stage, venue: venue.name, errorClass: ei.cls, message: `outcome unknown, looking up by client id: ${ei.message}`,
          payload: { client_order_id: o.client_order_id, kind: ei.kind, payload: ei.payload },
        });
        await orderSubmittedAt(q, { orderId: o.order_id, at: sentAt });
        return resolveByClientId(q, venue, o, stage, e.kind === 'duplicate' ? 'duplicate' : 'lookup');
      }
      await tradeOrderFailed(q, {
        orderId: o.order_id, status: 'rejected', stage, errorClass: ei.cls, message: ei.message, payload: { kind: ei.kind, payload: ei.payload }, submittedAt: sentAt,
      });
      return 'rejected';
    },
  );
}

/** resolve every order of a trade whose outcome the database does not know */
export async function resolveUnresolved(q: Q, signalId: number, venueOf: (name: string) => Promise<Venue>, stage: string): Promise<void> {
  const rows = await tradeUnresolvedOrders(q, signalId);
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
