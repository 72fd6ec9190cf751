// The open path of one signal: re-check on live books, leverage, both legs at once,
// then drive the trade to open / failed / partial_failed (flattening a lone leg).
// Every decision is a SQL function; this file only talks to venues.
import type { Venue } from '../venues/types.ts';
import { isVenueError } from '../venues/errors.ts';
import type { Q } from './db.ts';
import { fetchBook, isBookError, quote } from './books.ts';
import { resolveUnresolved, submit, type PreparedOrder } from './legs.ts';
import { tradeClientOrderId } from './client-ids.ts';
import { refreshPosition } from './positions.ts';
import { tradeBeginOpen, type OpenContext } from '../sql/trade_begin_open.ts';
import { tradeError } from '../sql/trade_error.ts';
import { tradeRecheck } from '../sql/trade_recheck.ts';
import { signalTransition } from '../sql/signal_transition.ts';
import { tradePrepareOpen } from '../sql/trade_prepare_open.ts';
import { tradeOpenOutcome } from '../sql/trade_open_outcome.ts';
import { tradeEvenPlan } from '../sql/trade_even_plan.ts';
import { tradePrepareOrder } from '../sql/trade_prepare_order.ts';
import type { ReduceLeg } from '../sql/reduce-legs.ts';
import type { LegCheckJson } from '../sql/venue-shapes.ts';
import { notOpenedReason } from './not-opened.ts';
import { signalThreshold } from '../sql/signal_threshold.ts';

type VenueOf = (name: string) => Promise<Venue>;

type Books = Promise<[Awaited<ReturnType<typeof fetchBook>>, Awaited<ReturnType<typeof fetchBook>>]>;

/** hint: the legs from the job payload, so the books are fetched while the database answers */
export async function openSignal(q: Q, signalId: number, venueOf: VenueOf, hint?: { symbol?: string; short?: string; long?: string }): Promise<string> {
  const early = hint?.symbol && hint.short && hint.long ? booksFor(venueOf, hint.symbol, hint.short, hint.long) : null;
  early?.catch(() => {});
  const earlyBals = hint?.short && hint.long ? balancesFor(venueOf, hint.short, hint.long) : null;
  earlyBals?.catch(() => {});
  const ctx = await tradeBeginOpen(q, signalId);
  if (ctx.action === 'noop') return `noop (${ctx.why})`;
  if (ctx.action === 'recheck') {
    const same = early && hint!.symbol === ctx.symbol && hint!.short === ctx.short && hint!.long === ctx.long;
    const refused = await recheckAndSubmit(
      q, ctx, venueOf,
      same ? early : booksFor(venueOf, ctx.symbol, ctx.short, ctx.long),
      same && earlyBals ? earlyBals : balancesFor(venueOf, ctx.short, ctx.long),
    );
    if (refused) return `not opened: ${refused}`;
  }
  const result = await drive(q, signalId, venueOf);
  await Promise.all([ctx.short, ctx.long].map(async (n) => refreshPosition(q, await venueOf(n), ctx.symbol)));
  return result;
}

type Bal = { free: string | null; error: string | null };

async function balancesFor(venueOf: VenueOf, short: string, long: string): Promise<[Bal, Bal]> {
  const [vs, vl] = await Promise.all([venueOf(short), venueOf(long)]);
  return Promise.all([freeUsdt(vs), freeUsdt(vl)]);
}

async function booksFor(venueOf: VenueOf, symbol: string, short: string, long: string): Books {
  const [vs, vl] = await Promise.all([venueOf(short), venueOf(long)]);
  return Promise.all([fetchBook(vs, symbol), fetchBook(vl, symbol)]);
}

// leverage is a per-symbol setting on the exchange: once set in this process it stays set
const leverageSet = new Set<string>();

type LegCheck = LegCheckJson;

const freeUsdt = (v: Venue): Promise<Bal> =>
  v.fetchBalance().then(
    (b) => ({ free: b.free, error: null }),
    (e) => ({ free: null, error: `${isVenueError(e) ? e.sourceClass : 'Error'}: ${(e as Error).message}` }),
  );

/** one leg as the SQL checks and trade_prepare_open see it: the venue's market minimums in one place */
function legCheck(v: Venue, ctx: OpenContext, tag: 'short' | 'long', price: number | null, bal: Bal, clientOrderId: string): LegCheck {
  const m = v.market(ctx.symbol);
  return {
    leg: tag, exchange: v.name, symbol: ctx.symbol, ref_price: price,
    amount_step: m.amountStep ?? '0.00000001', contract_size: m.contractSize,
    min_amount: m.minAmount, min_cost_usdt: m.minCostUsdt,
    free_usdt: bal.free, balance_error: bal.error,
    client_order_id: clientOrderId,
  };
}

/** null when both legs were sent; otherwise why not, with the values compared */
async function recheckAndSubmit(q: Q, ctx: OpenContext, venueOf: VenueOf, booksP: Books, balsP: Promise<[Bal, Bal]>): Promise<string | null> {
  const [vs, vl] = await Promise.all([venueOf(ctx.short), venueOf(ctx.long)]);
  const notional = ctx.notional_usdt;
  const [bs, bl] = await booksP;
  const books = {
    short: isBookError(bs) ? bs : quote(bs, 'sell', { usdt: notional }),
    long: isBookError(bl) ? bl : quote(bl, 'buy', { usdt: notional }),
  };
  for (const b of [bs, bl]) {
    if (isBookError(b)) await tradeError(q, { signalId: ctx.signal_id, stage: 'recheck', venue: b.venue, errorClass: b.error_class, message: b.error });
  }
  const [bals, bals2] = await balsP;
  for (const [v, b] of [[vs, bals], [vl, bals2]] as const) {
    if (b.error) await tradeError(q, { signalId: ctx.signal_id, stage: 'precheck', venue: v.name, errorClass: 'BalanceUnavailable', message: b.error });
  }
  const [cidShort, cidLong] = await Promise.all([
    tradeClientOrderId(q, vs, ctx.signal_id, 'short', ctx.attempt),
    tradeClientOrderId(q, vl, ctx.signal_id, 'long', ctx.attempt),
  ]);
  const legs = [
    legCheck(vs, ctx, 'short', isBookError(books.short) ? null : books.short.price, bals, cidShort),
    legCheck(vl, ctx, 'long', isBookError(books.long) ? null : books.long.price, bals2, cidLong),
  ];
  // books, prediction, both legs' minimums at the common quantity and free margin:
  // one SQL decision before anything is sent (a refusal hands over to the next pair)
  const rec = await tradeRecheck(q, { signalId: ctx.signal_id, books, legs });
  if (!rec.ok) return notOpenedReason(rec, await signalThreshold(q, ctx.signal_id));

  if (!(await leverageConfirmed(q, ctx, [vs, vl]))) {
    await signalTransition(q, { signalId: ctx.signal_id, to: 'failed', reason: 'leverage_failed' });
    return notOpenedReason({ fail: 'leverage_failed' }, null);
  }

  // committed before anything is sent: a crash from here on leaves rows reconcile can look up
  const prepared: PreparedOrder[] = await tradePrepareOpen(q, { signalId: ctx.signal_id, legs });
  const byName: Record<string, Venue> = { [vs.name]: vs, [vl.name]: vl };
  // both legs leave in the same tick
  await Promise.all(prepared.map((o) => submit(q, byName[o.exchange], o, 'open')));
  return null;
}

/**
 * Leverage at or below the target on both venues. A failed set is accepted only when the
 * venue's current leverage is read back and is at or below the target; every failure is an
 * error row.
 */
async function leverageConfirmed(q: Q, ctx: OpenContext, venues: Venue[]): Promise<boolean> {
  const lev = ctx.leverage;
  const oks = await Promise.all(
    venues.map(async (v) => {
      const key = `${v.name}|${ctx.symbol}|${lev}`;
      if (leverageSet.has(key)) return true;
      try {
        await v.setLeverage(ctx.symbol, lev);
        leverageSet.add(key);
        return true;
      } catch (e) {
        await tradeError(q, {
          signalId: ctx.signal_id, stage: 'leverage', venue: v.name, errorClass: isVenueError(e) ? e.sourceClass : 'Error',
          message: `set leverage ${lev}x failed: ${(e as Error).message}`,
        });
      }
      let current: number | null;
      try {
        current = await v.fetchLeverage(ctx.symbol);
      } catch (e) {
        await tradeError(q, {
          signalId: ctx.signal_id, stage: 'leverage', venue: v.name, errorClass: isVenueError(e) ? e.sourceClass : 'Error',
          message: `current leverage unreadable after a failed set: ${(e as Error).message}`,
        });
        return false;
      }
      if (current !== null && current <= lev) return true;
      await tradeError(q, {
        signalId: ctx.signal_id, stage: 'leverage', venue: v.name, errorClass: 'LeverageAboveTarget',
        message: `current leverage ${current ?? 'unknown'} is not at or below the target ${lev}x: not traded`, payload: { current, target: lev },
      });
      return false;
    }),
  );
  return oks.every(Boolean);
}

/** resolve, even, decide, flatten until the trade reaches a resting state */
async function drive(q: Q, signalId: number, venueOf: VenueOf): Promise<string> {
  for (let round = 0; round < 6; round++) {
    await resolveUnresolved(q, signalId, venueOf, 'open');
    if (await trim(q, signalId, venueOf)) continue;
    const out = await tradeOpenOutcome(q, signalId);
    if (out.action === 'unresolved') throw new Error(`signal ${signalId}: ${out.count} order(s) with unknown outcome; retrying later`);
    if (out.action !== 'flatten') return out.action === 'noop' ? `noop (${out.status})` : out.action;
    await reduceLegs(q, signalId, venueOf, 'flatten', out.symbol, out.attempt, out.legs);
  }
  throw new Error(`signal ${signalId}: could not flatten the lone leg; retrying later`);
}

/**
 * Legs of different size (a partial IOC fill): trim the larger one reduce-only to the
 * common quantity before the trade is held. The client id derives from the signal, the
 * leg and the trim attempt, so a crash-retry finds the order instead of trimming twice.
 */
async function trim(q: Q, signalId: number, venueOf: VenueOf): Promise<boolean> {
  const plan = await tradeEvenPlan(q, signalId);
  if (plan.action !== 'trim') return false;
  await reduceLegs(q, signalId, venueOf, 'trim', plan.symbol, plan.attempt, plan.legs);
  return true;
}

/** reduce-only orders a SQL plan asked for (flatten a lone leg, trim the larger one): row first, then send */
async function reduceLegs(
  q: Q, signalId: number, venueOf: VenueOf, purpose: 'flatten' | 'trim', symbol: string, attempt: number,
  legs: ReduceLeg[],
): Promise<void> {
  const tag = purpose === 'flatten' ? 'flat' : 'trim';
  await Promise.all(
    legs.map(async (l) => {
      const v = await venueOf(l.exchange);
      const cid = await tradeClientOrderId(q, v, signalId, `${tag}${l.leg}`, attempt);
      const id = await tradePrepareOrder(q, {
        signalId, purpose, leg: l.leg, exchange: l.exchange, symbol, side: l.side, amount: l.amount, reduceOnly: true, clientOrderId: cid, attempt,
      });
      await submit(q, v, { order_id: id, exchange: l.exchange, symbol, side: l.side, amount: l.amount, client_order_id: cid, reduce_only: true }, purpose);
    }),
  );
}
