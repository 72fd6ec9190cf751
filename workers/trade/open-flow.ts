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

type VenueOf = (name: string) => Promise<Venue>;

type Books = Promise<[Awaited<ReturnType<typeof fetchBook>>, Awaited<ReturnType<typeof fetchBook>>]>;

/** hint: the legs from the job payload, so the books are fetched while the database answers */
export async function openSignal(q: Q, signalId: number, venueOf: VenueOf, hint?: { symbol?: string; short?: string; long?: string }): Promise<string> {
  const early = hint?.symbol && hint.short && hint.long ? booksFor(venueOf, hint.symbol, hint.short, hint.long) : null;
  early?.catch(() => {});
  const ctx = await q.one('select watchlist.trade_begin_open($1)', [signalId]);
  if (ctx.action === 'noop') return `noop (${ctx.why})`;
  if (ctx.action === 'recheck') {
    const same = early && hint!.symbol === ctx.symbol && hint!.short === ctx.short && hint!.long === ctx.long;
    const ok = await recheckAndSubmit(q, ctx, venueOf, same ? early : booksFor(venueOf, ctx.symbol, ctx.short, ctx.long));
    if (!ok) return 'not opened';
  }
  const result = await drive(q, signalId, venueOf);
  await Promise.all([ctx.short, ctx.long].map(async (n: string) => refreshPosition(q, await venueOf(n), ctx.symbol)));
  return result;
}

async function booksFor(venueOf: VenueOf, symbol: string, short: string, long: string): Books {
  const [vs, vl] = await Promise.all([venueOf(short), venueOf(long)]);
  return Promise.all([fetchBook(vs, symbol), fetchBook(vl, symbol)]);
}

// leverage is a per-symbol setting on the exchange: once set in this process it stays set
const leverageSet = new Set<string>();

async function recheckAndSubmit(q: Q, ctx: any, venueOf: VenueOf, booksP: Books): Promise<boolean> {
  const [vs, vl] = await Promise.all([venueOf(ctx.short), venueOf(ctx.long)]);
  const notional = Number(ctx.notional_usdt);
  const [bs, bl] = await booksP;
  const books = {
    short: isBookError(bs) ? bs : quote(bs, 'sell', { usdt: notional }),
    long: isBookError(bl) ? bl : quote(bl, 'buy', { usdt: notional }),
  };
  for (const b of [bs, bl]) {
    if (isBookError(b)) await q.query(`select watchlist.trade_error($1, 'recheck', $2, $3, $4)`, [ctx.signal_id, b.venue, b.error_class, b.error]);
  }
  const rec = await q.one('select watchlist.trade_recheck($1, $2::jsonb)', [ctx.signal_id, JSON.stringify(books)]);
  if (!rec.ok) return false;

  const lev = Number(ctx.leverage);
  const levErrors = (
    await Promise.all(
      [vs, vl].map((v) =>
        (leverageSet.has(`${v.name}|${ctx.symbol}|${lev}`) ? Promise.resolve() : v.setLeverage(ctx.symbol, lev)).then(
          () => (leverageSet.add(`${v.name}|${ctx.symbol}|${lev}`), null),
          (e) => ({ venue: v.name, cls: isVenueError(e) ? e.sourceClass : 'Error', message: (e as Error).message }),
        ),
      ),
    )
  ).filter((x) => x !== null);
  for (const e of levErrors) {
    await q.query(`select watchlist.trade_error($1, 'leverage', $2, $3, $4)`, [ctx.signal_id, e.venue, e.cls, e.message]);
  }
  if (levErrors.length && !ctx.leverage_failure_tolerated) {
    await q.query(`select watchlist.signal_transition($1, 'failed', 'leverage_failed')`, [ctx.signal_id]);
    return false;
  }

  const cids = {
    short: await tradeClientOrderId(q, vs, ctx.signal_id, 'short', ctx.attempt),
    long: await tradeClientOrderId(q, vl, ctx.signal_id, 'long', ctx.attempt),
  };
  const leg = (v: Venue, tag: 'short' | 'long', price: number | null) => {
    const m = v.market(ctx.symbol);
    return {
      leg: tag, exchange: v.name, symbol: ctx.symbol, ref_price: price,
      amount_step: m.amountStep ?? '0.00000001', contract_size: m.contractSize,
      client_order_id: cids[tag],
    };
  };
  const legs = [leg(vs, 'short', (books.short as any).price), leg(vl, 'long', (books.long as any).price)];
  // committed before anything is sent: a crash from here on leaves rows reconcile can look up
  const prepared: PreparedOrder[] = await q.one('select watchlist.trade_prepare_open($1, $2::jsonb)', [ctx.signal_id, JSON.stringify(legs)]);
  const byName: Record<string, Venue> = { [vs.name]: vs, [vl.name]: vl };
  // both legs leave in the same tick
  await Promise.all(prepared.map((o) => submit(q, byName[o.exchange], o, 'open')));
  return true;
}

/** resolve, decide, flatten until the trade reaches a resting state */
async function drive(q: Q, signalId: number, venueOf: VenueOf): Promise<string> {
  for (let round = 0; round < 4; round++) {
    await resolveUnresolved(q, signalId, venueOf, 'open');
    const out = await q.one('select watchlist.trade_open_outcome($1)', [signalId]);
    if (out.action === 'unresolved') throw new Error(`signal ${signalId}: ${out.count} order(s) with unknown outcome; retrying later`);
    if (out.action !== 'flatten') return out.action === 'noop' ? `noop (${out.status})` : out.action;
    await Promise.all(
      out.legs.map(async (l: any) => {
        const v = await venueOf(l.exchange);
        const cid = await tradeClientOrderId(q, v, signalId, l.leg === 'short' ? 'flatshort' : 'flatlong', out.attempt);
        const id = await q.one(
          `select watchlist.trade_prepare_order($1, 'flatten', $2, $3, $4, $5, $6::numeric, true, $7, $8)`,
          [signalId, l.leg, l.exchange, out.symbol, l.side, l.amount, cid, out.attempt],
        );
        await submit(q, v, { order_id: id, exchange: l.exchange, symbol: out.symbol, side: l.side, amount: l.amount, client_order_id: cid, reduce_only: true }, 'flatten');
      }),
    );
  }
  throw new Error(`signal ${signalId}: could not flatten the lone leg; retrying later`);
}
