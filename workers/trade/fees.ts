// Fees charged in another coin (BNB on Binance) priced in USDT at the fill time, from
// the venue that charged them; SQL keeps the fee as charged beside fee_usdt. A price
// that cannot be had is an error row and the fee stays unconverted (the PnL says so).
import { z } from 'zod';
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { feeConversionPending } from '../sql/fee_conversion_pending.ts';
import { recordFeeConversion } from '../sql/record_fee_conversion.ts';

type VenueOf = (name: string) => Promise<Venue>;

const priceAt = z.object({ price: z.string().regex(/^\d+(\.\d+)?$/), source: z.string().min(1) });

/** convert every pending fee of one trade (or of all trades); returns how many were converted */
export async function convertFees(q: Q, venueOf: VenueOf, signalId: number | null): Promise<number> {
  const rows = await feeConversionPending(q, signalId);
  let converted = 0;
  // one price per venue, coin and minute
  const prices = new Map<string, Promise<{ price: string; source: string } | { error: string }>>();
  for (const r of rows) {
    const ts = r.ts_ms;
    const key = `${r.exchange}|${r.currency}|${Math.floor(ts / 60_000)}`;
    if (!prices.has(key)) prices.set(key, lookUp(venueOf, r.exchange, r.currency, ts));
    const p = await prices.get(key)!;
    const ok = 'price' in p;
    const usdt = await recordFeeConversion(q, {
      fillId: r.fill_id, rate: ok ? p.price : null, source: ok ? p.source : `${r.exchange}:${r.currency}/USDT`, error: ok ? null : p.error,
    });
    if (usdt !== null) converted++;
  }
  return converted;
}

async function lookUp(venueOf: VenueOf, exchange: string, currency: string, ts: number) {
  try {
    const v = await venueOf(exchange);
    if (!v.fetchUsdtPriceAt) return { error: `${exchange} cannot price ${currency}` };
    const p = await v.fetchUsdtPriceAt(currency, ts);
    if (!p) return { error: `${exchange} lists no ${currency}/USDT market or candle at ${new Date(ts).toISOString()}` };
    const ok = priceAt.safeParse(p);
    return ok.success ? ok.data : { error: `bad price answer: ${ok.error.message}` };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
