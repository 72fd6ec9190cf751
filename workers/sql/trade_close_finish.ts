// watchlist.trade_close_finish(signal, funding, flat_legs): realised PnL once nothing is
// held or unresolved; otherwise what is still in the way.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';
import { jsonParam } from './venue-shapes.ts';

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);
/** per leg: the account's own payments, the public rates, or nothing (and the exit says which) */
export const FundingPayments = z.array(z.object({ ts: z.number().finite(), amount: decimalString, currency: z.string() }).loose());
export const FundingRates = z.array(z.object({ ts: z.number().finite(), rate: z.number().finite() }));
export const FundingLeg = z.discriminatedUnion('source', [
  z.object({ source: z.literal('account'), payments: FundingPayments }),
  z.object({ source: z.literal('public_rate'), rates: FundingRates }),
  z.object({ source: z.literal('none') }),
]);
export type FundingLeg = z.output<typeof FundingLeg>;

export const text = 'select watchlist.trade_close_finish($1, $2::jsonb, $3::text[]) as result';
export const Params = z.object({
  signalId: Id,
  funding: z.object({ short: FundingLeg, long: FundingLeg }),
  flatLegs: z.array(z.enum(['short', 'long'])),
});
export const Result = z.object({ action: z.enum(['noop', 'unresolved', 'remaining', 'closed']) }).loose();

export const tradeCloseFinish = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_close_finish', text, params: Params, result: Result,
    values: (x) => [x.signalId, jsonParam(x.funding), x.flatLegs] }, p);
