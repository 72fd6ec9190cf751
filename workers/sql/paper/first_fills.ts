// The paper account's first fill per symbol (ms): where its funding settlement starts.
import { z } from 'zod';
import { callRows, type SqlClient } from '../client.ts';

export const text = `select o.symbol, (extract(epoch from min(f.ts)) * 1000)::bigint::text as first_fill
  from paper.fill f join paper.venue_order o on o.id = f.order_id
  where o.venue = $1 group by o.symbol`;
export const Params = z.object({ venue: z.string() });
export const Row = z.object({ symbol: z.string(), first_fill: z.string().regex(/^\d+$/).transform(Number) });

export const paperFirstFills = (c: SqlClient, venue: string): Promise<z.output<typeof Row>[]> =>
  callRows(c, { name: 'paper.first_fills', text, params: Params, row: Row, values: (x) => [x.venue] }, { venue });
