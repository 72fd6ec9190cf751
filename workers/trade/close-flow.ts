// The close path: reduce-only market orders for whatever each leg still holds,
// the same unknown-outcome discipline as opening, then realised PnL in SQL.
// A leg already flat on the venue is not an error: it is reported to SQL, which
// records that the trade's PnL is unknown for it.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { resolveUnresolved, submit } from './legs.ts';
import { tradeClientOrderId } from './client-ids.ts';
import { refreshPosition } from './positions.ts';
import { preciseNow } from './clock.ts';
import { convertFees } from './fees.ts';
import { tradeCloseContext } from '../sql/trade_close_context.ts';
import { tradePrepareOrder } from '../sql/trade_prepare_order.ts';
import { tradeCloseFinish, FundingPayments, FundingRates, type FundingLeg } from '../sql/trade_close_finish.ts';
import { tradeFundingWindow } from '../sql/trade_funding_window.ts';
import { tradeError } from '../sql/trade_error.ts';

type VenueOf = (name: string) => Promise<Venue>;

/** the venue's position on a symbol as a signed decimal string, or null when it cannot tell */
async function venueSizeStr(v: Venue, symbol: string): Promise<string | null> {
  try {
    const ps = await v.fetchPositions([symbol]);
    return ps.find((x) => x.symbol === symbol)?.sizeBase ?? '0';
  } catch {
    return null;
  }
}
const venueSize = async (v: Venue, symbol: string) => {
  const s = await venueSizeStr(v, symbol);
  return s === null ? null : Number(s);
};

export async function closeSignal(q: Q, signalId: number, venueOf: VenueOf): Promise<string> {
  const flat = new Set<'short' | 'long'>();
  for (let round = 0; round < 4; round++) {
    await resolveUnresolved(q, signalId, venueOf, 'close');
    const ctx = await tradeCloseContext(q, signalId);
    if (!ctx || ctx.status !== 'closing') return `noop (${ctx?.status})`;
    if (ctx.unresolved > 0) throw new Error(`signal ${signalId}: close order outcome unknown; retrying later`);
    const todo = ctx.legs.filter((l) => Number(l.remaining) > 0 && !flat.has(l.leg));
    if (todo.length === 0) break;
    await Promise.all(
      todo.map(async (l) => {
        const v = await venueOf(l.exchange);
        // never send more than the venue still holds in our direction
        const sizeStr = await venueSizeStr(v, ctx.symbol);
        const size = sizeStr === null ? null : Number(sizeStr);
        const held = size === null ? Number(l.remaining) : l.leg === 'short' ? Math.max(0, -size) : Math.max(0, size);
        if (held <= 0) {
          flat.add(l.leg);
          return;
        }
        const amount = held < Number(l.remaining) ? sizeStr!.replace(/^-/, '') : l.remaining;
        const cid = await tradeClientOrderId(q, v, signalId, l.leg === 'short' ? 'closeshort' : 'closelong', ctx.attempt);
        const id = await tradePrepareOrder(q, {
          signalId, purpose: 'close', leg: l.leg, exchange: l.exchange, symbol: ctx.symbol, side: l.side, amount, reduceOnly: true, clientOrderId: cid, attempt: ctx.attempt,
        });
        const st = await submit(q, v, { order_id: id, exchange: l.exchange, symbol: ctx.symbol, side: l.side, amount, client_order_id: cid, reduce_only: true }, 'close');
        if (st === 'rejected' && (await venueSize(v, ctx.symbol)) === 0) flat.add(l.leg);
      }),
    );
  }
  await convertFees(q, venueOf, signalId);
  const funding = await fundingDuringTrade(q, signalId, venueOf);
  const out = await tradeCloseFinish(q, { signalId, funding, flatLegs: [...flat] });
  if (out.action === 'closed' || out.action === 'noop') return out.action;
  throw new Error(`signal ${signalId}: close not finished (${out.action}); retrying later`);
}

// what a venue reports is checked before SQL adds it up (a bad row fails the source, which is then recorded)
const fundingPayments = FundingPayments;
const fundingRates = FundingRates;

/**
 * Funding per leg while the trade was held, from the open to the last close fill (a
 * settlement after the close is not ours): the account's own payments where the venue
 * gives them, else the public rates, labelled so the exit records which was used.
 */
async function fundingDuringTrade(q: Q, signalId: number, venueOf: VenueOf): Promise<{ short: FundingLeg; long: FundingLeg }> {
  const s = await tradeFundingWindow(q, signalId);
  const since = s.since ?? 0;
  const until = s.until === null ? preciseNow() : s.until;
  const leg = async (name: string): Promise<FundingLeg> => {
    const v = await venueOf(name);
    if (v.fetchFundingPayments) {
      try {
        return { source: 'account', payments: fundingPayments.parse(await v.fetchFundingPayments(s.symbol, since, until)) };
      } catch (e) {
        await tradeError(q, {
          signalId, stage: 'funding', venue: name, errorClass: 'FundingPayments',
          message: `account funding history failed, using the public-rate estimate: ${(e as Error).message}`,
        });
      }
    }
    try {
      return { source: 'public_rate', rates: fundingRates.parse(await v.fetchFundingHistory(s.symbol, since, until)) };
    } catch (e) {
      await tradeError(q, { signalId, stage: 'funding', venue: name, errorClass: 'FundingHistory', message: (e as Error).message });
      return { source: 'none' };
    }
  };
  const [short, long] = await Promise.all([leg(s.leg_short_exchange), leg(s.leg_long_exchange)]);
  await Promise.all([s.leg_short_exchange, s.leg_long_exchange].map(async (n) => refreshPosition(q, await venueOf(n), s.symbol)));
  return { short, long };
}
