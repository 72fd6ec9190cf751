// A paper order by client id, with its fills, as the paper venue reports it back.
import { z } from 'zod';
import { callRows, Decimal, Id, NumLike, type SqlClient } from '../client.ts';

export const text = `select o.id, o.symbol, o.client_order_id, o.side, o.status, o.amount_str, o.filled::text as filled,
    o.avg_price::text as avg_price, o.fee::text as fee, o.reduce_only, o.meta, extract(epoch from o.ts) * 1000 as ts_ms,
    coalesce((select jsonb_agg(jsonb_build_object('trade_id', f.trade_id, 'price', f.price::text, 'qty', f.qty::text, 'fee', f.fee::text) order by f.id)
              from paper.fill f where f.order_id = o.id), '[]') as fills
  from paper.venue_order o where o.venue = $1 and o.client_order_id = $2`;
export const Params = z.object({ venue: z.string(), clientOrderId: z.string() });
export const Row = z.object({
  id: Id,
  symbol: z.string(),
  client_order_id: z.string(),
  side: z.enum(['buy', 'sell']),
  status: z.enum(['open', 'closed', 'canceled', 'rejected', 'expired']),
  amount_str: Decimal,
  filled: Decimal,
  avg_price: Decimal.nullable(),
  fee: Decimal,
  reduce_only: z.boolean(),
  meta: z.unknown(),
  ts_ms: NumLike,
  fills: z.array(z.object({ trade_id: z.string(), price: Decimal, qty: Decimal, fee: Decimal })),
});
export type PaperOrderRow = z.output<typeof Row>;

export async function paperOrder(c: SqlClient, venue: string, clientOrderId: string): Promise<PaperOrderRow | null> {
  const rows = await callRows(c, { name: 'paper order', text, params: Params, row: Row, values: (x) => [x.venue, x.clientOrderId] }, { venue, clientOrderId });
  return rows[0] ?? null;
}
