// A manual single-leg order (page button, `wl trade`): sized from the book, raised
// to the fallback notional when under the venue minimum, reduce-only for closes
// (capped at what the venue holds), sent with the same discipline as trade legs.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { fetchBook, isBookError } from './books.ts';
import { submit, resolveByClientId } from './legs.ts';
import { manualClientOrderId } from './client-ids.ts';
import { refreshPosition } from './positions.ts';
import { manualOrderError } from '../sql/manual_order_error.ts';
import { manualOrderBegin } from '../sql/manual_order_begin.ts';
import { tradeOrder } from '../sql/trade_order.ts';
import { qtyForNotional } from '../sql/qty_for_notional.ts';
import { tradePrepareOrder } from '../sql/trade_prepare_order.ts';
import { manualOrderAttach } from '../sql/manual_order_attach.ts';
import { manualOrderFinish } from '../sql/manual_order_finish.ts';
import { manualOrderLastError } from '../sql/manual_order_last_error.ts';
import { manualOrderNote } from '../sql/manual_order_note.ts';
import { orderBelowMinimum } from '../sql/order_below_minimum.ts';

type VenueOf = (name: string) => Promise<Venue>;

const SIDE = { open_long: 'buy', open_short: 'sell', close_long: 'sell', close_short: 'buy' } as const;

/**
 * One attempt of a manual order's job. A throw is handed to SQL
 * (watchlist.manual_order_error), which keeps an unsent order retrying only while
 * its time to live lasts and ends it `failed` on the last attempt; the error is
 * rethrown only when SQL says retry.
 */
export async function runManualOrderAttempt(q: Q, id: number, venueOf: VenueOf, lastAttempt: boolean): Promise<string> {
  try {
    return await runManualOrder(q, id, venueOf);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    const next = await manualOrderError(q, { id, error: msg, lastAttempt });
    if (next === 'retry') throw e;
    return `${next}: ${msg}`;
  }
}

export async function runManualOrder(q: Q, id: number, venueOf: VenueOf): Promise<string> {
  const ctx = await manualOrderBegin(q, id);
  if (ctx.action === 'noop') return `noop (${ctx.why})`;
  // an earlier order for this venue+symbol is unfinished: orders run in the order placed
  if (ctx.action === 'wait') throw new Error(`manual order ${id} waits: ${ctx.why}`);
  const v = await venueOf(ctx.venue);
  let status: string;
  if (ctx.action === 'resume') {
    const r = await tradeOrder(q, ctx.order_id);
    if (!r) throw new Error(`manual order ${id}: its order ${ctx.order_id} is gone`);
    status = r.unresolved
      ? await resolveByClientId(q, v, { order_id: r.id, exchange: r.exchange, symbol: r.symbol, side: r.side, amount: r.normalized_qty, client_order_id: r.client_order_id, reduce_only: r.reduce_only, exchange_order_id: r.exchange_order_id }, 'manual')
      : r.status;
  } else {
    const kind = ctx.action_kind;
    const side = SIDE[kind];
    const reduceOnly = kind.startsWith('close');
    const m = v.market(ctx.symbol);
    const b = await fetchBook(v, ctx.symbol);
    if (isBookError(b)) throw new Error(`manual order ${id}: book unavailable: ${b.error}`);
    const top = side === 'buy' ? b.book.asks[0]?.[0] : b.book.bids[0]?.[0];
    if (!top) return fail(q, id, `${ctx.venue} ${ctx.symbol}: empty book`);
    let notional = ctx.notional_usdt ?? 0;
    const qtyFor = (n: number) => qtyForNotional(q, { notional: n, refPrice: top, amountStep: m.amountStep ?? '0.00000001', contractSize: m.contractSize });
    let amount = await qtyFor(notional);
    // the venue minimums as the open's pre-send check applies them (sql/rules.sql)
    const underMin = async (a: string) =>
      (await orderBelowMinimum(q, { qty: a, price: top, contractSize: m.contractSize, minAmount: m.minAmount, minCost: m.minCostUsdt })) !== null;
    if (!reduceOnly && notional < ctx.fallback_usdt && (await underMin(amount))) {
      notional = ctx.fallback_usdt; // the plan: 20 USDT, or 50 when 20 is under the venue minimum
      amount = await qtyFor(notional);
    }
    if (reduceOnly) {
      const pos = (await v.fetchPositions([ctx.symbol])).find((p) => p.symbol === ctx.symbol);
      const held = pos ? (kind === 'close_long' ? Number(pos.sizeBase) : -Number(pos.sizeBase)) : 0;
      if (held <= 0) return fail(q, id, `${ctx.venue} ${ctx.symbol}: no ${kind === 'close_long' ? 'long' : 'short'} position to close`);
      // an exact size (kill switch flattening what manual orders hold) beats the notional
      if (ctx.qty_base != null) amount = String(ctx.qty_base);
      if (Number(amount) <= 0 || Number(amount) > held) amount = pos!.sizeBase.replace(/^-/, '');
    }
    if (!(Number(amount) > 0)) return fail(q, id, `${ctx.venue} ${ctx.symbol}: ${notional} USDT is below one amount step`);
    const cid = await manualClientOrderId(q, v, id, kind, 1);
    const orderId = await tradePrepareOrder(q, {
      signalId: null, purpose: 'manual', leg: kind.endsWith('long') ? 'long' : 'short', exchange: ctx.venue, symbol: ctx.symbol, side, amount,
      reduceOnly, clientOrderId: cid, attempt: 1, refPrice: top, manualOrderId: id,
    });
    await manualOrderAttach(q, { id, orderId, notional });
    status = await submit(q, v, { order_id: orderId, exchange: ctx.venue, symbol: ctx.symbol, side, amount, client_order_id: cid, reduce_only: reduceOnly }, 'manual');
  }
  await refreshPosition(q, v, ctx.symbol);
  if (status === 'filled' || status === 'partially_filled') {
    await manualOrderFinish(q, { id, status: 'filled' });
    return 'filled';
  }
  if (status === 'unknown' || status === 'open' || status === 'pending') throw new Error(`manual order ${id}: outcome unknown; retrying later`);
  return fail(q, id, (await manualOrderLastError(q, id)) ?? status, false);
}

async function fail(q: Q, id: number, msg: string, record = true): Promise<string> {
  // an order failure already has its error row; a refusal before sending gets one here
  await manualOrderFinish(q, { id, status: 'failed', error: record ? msg : null });
  if (!record) await manualOrderNote(q, { id, error: msg });
  return `failed: ${msg}`;
}
