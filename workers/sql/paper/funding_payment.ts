// What the paper account paid or received at one settlement: − rate × the signed
// position just before it × the last fill price, in numeric.
import { z } from 'zod';
import { callRow, Decimal, type SqlClient } from '../client.ts';

export const text = `select coalesce(-($4::numeric) * sum(case when o.side = 'buy' then f.qty else -f.qty end)
    * (array_agg(f.price order by f.ts desc, f.id desc))[1], 0)::text as amount
  from paper.fill f join paper.venue_order o on o.id = f.order_id
  where o.venue = $1 and o.symbol = $2 and f.ts < to_timestamp($3::float8 / 1000)`;
export const Params = z.object({ venue: z.string(), symbol: z.string(), ts: z.number().finite(), rate: Decimal });
export const Row = z.object({ amount: Decimal });

export async function paperFundingPayment(c: SqlClient, p: z.input<typeof Params>): Promise<string> {
  const r = await callRow(c, { name: 'paper funding payment', text, params: Params, row: Row, values: (x) => [x.venue, x.symbol, x.ts, x.rate] }, p);
  return r.amount;
}
