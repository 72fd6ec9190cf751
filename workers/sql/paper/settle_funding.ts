// paper.settle_funding(venue, symbol, points): settle each funding point into the paper
// ledger at the position held just before it (idempotent); how many rows were new.
import { z } from 'zod';
import { callValue, Decimal, Count, type SqlClient } from '../client.ts';

export const text = 'select paper.settle_funding($1, $2, $3::jsonb) as result';
export const Params = z.object({
  venue: z.string(),
  symbol: z.string(),
  points: z.array(z.object({ ts: z.number().int(), rate: Decimal }).strict()),
});
export const Result = Count;

export const paperSettleFunding = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'paper.settle_funding', text, params: Params, result: Result, values: (x) => [x.venue, x.symbol, JSON.stringify(x.points)] }, p);
