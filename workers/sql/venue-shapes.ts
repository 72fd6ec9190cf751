// Venue results as SQL reads them: one zod schema per shape, the same field lists
// sql/venue_results.sql checks on the other side (watchlist.venue_order_result,
// venue_positions, venue_open_orders, venue_leg_checks). Every wrapper that hands a
// venue result to SQL builds its jsonb with these, so a field renamed in
// workers/venues/types.ts fails the parse here, naming the field, and a key renamed
// in SQL fails SQL's check, naming it too.
import { z } from 'zod';
import { Decimal } from './client.ts';

export const OrderFillJson = z.object({
  tradeId: z.string(),
  price: Decimal,
  amountBase: Decimal,
  fee: Decimal.nullable(),
  feeCurrency: z.string().nullable(),
  ts: z.number().finite(),
});

export const OrderResultJson = z.object({
  venue: z.string(),
  symbol: z.string(),
  id: z.string().nullable(),
  clientOrderId: z.string(),
  side: z.enum(['buy', 'sell']),
  status: z.enum(['open', 'closed', 'canceled', 'rejected', 'expired', 'unknown']),
  amountBase: Decimal,
  filledBase: Decimal,
  avgPrice: Decimal.nullable(),
  fee: Decimal.nullable(),
  feeCurrency: z.string().nullable(),
  fills: z.array(OrderFillJson),
  reduceOnly: z.boolean(),
  ts: z.number().finite(),
  raw: z.unknown().transform((r) => r ?? null),
});
export type OrderResultJson = z.output<typeof OrderResultJson>;

export const PositionJson = z.object({
  symbol: z.string(),
  sizeBase: Decimal,
  entryPrice: Decimal.nullable(),
  unrealizedPnl: Decimal.nullable(),
});
export const PositionsJson = z.array(PositionJson);

export const OpenOrdersJson = z.array(z.object({ symbol: z.string(), clientOrderId: z.string() }));

/** one leg as the re-check and trade_prepare_open see it: market minimums, steps, free balance */
export const LegCheckJson = z.object({
  leg: z.enum(['short', 'long']),
  exchange: z.string(),
  symbol: z.string(),
  ref_price: z.number().finite().nullable(),
  amount_step: Decimal,
  contract_size: z.number().finite().positive(),
  min_amount: z.number().finite().nullable(),
  min_cost_usdt: z.number().finite().nullable(),
  free_usdt: Decimal.nullable(),
  balance_error: z.string().nullable(),
  client_order_id: z.string(),
});
export type LegCheckJson = z.input<typeof LegCheckJson>;
export const LegChecksJson = z.array(LegCheckJson);

/** JSON text for a jsonb parameter (bigints as strings, as the venues' raw replies may hold them) */
export const jsonParam = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
