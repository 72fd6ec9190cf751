// watchlist.trade_lookup_empty(order, position, stage): a look-up answered "no such
// order"; SQL says what the job does next.
import { z } from 'zod';
import { callValue, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.trade_lookup_empty($1, $2::numeric, $3) as result';
export const Params = z.object({ orderId: Id, position: Decimal.nullable(), stage: z.string() });
export const Result = z.discriminatedUnion('action', [
  z.object({ action: z.literal('wait'), remaining_s: z.number() }),
  z.object({ action: z.literal('check_position'), expected: z.number() }),
  z.object({ action: z.literal('not_placed') }),
  z.object({ action: z.literal('unknown'), why: z.string() }),
]);
export type LookupNext = z.output<typeof Result>;

export const tradeLookupEmpty = (c: SqlClient, p: z.input<typeof Params>): Promise<LookupNext> =>
  callValue(c, { name: 'trade_lookup_empty', text, params: Params, result: Result, values: (x) => [x.orderId, x.position, x.stage] }, p);
