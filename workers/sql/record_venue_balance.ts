// watchlist.record_venue_balance(venue, balance): the balance as the venue reports it, for the
// pages' balances and equity (sql/balances.sql).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.record_venue_balance($1, $2::jsonb) as result';
export const Params = z.object({ venue: z.string().min(1), balance: z.record(z.string(), z.unknown()) });
export const Result = z.unknown();

export const recordVenueBalance = async (c: SqlClient, venue: string, balance: Record<string, unknown>): Promise<void> => {
  await callValue(c, { name: 'record_venue_balance', text, params: Params, result: Result, values: (x) => [x.venue, JSON.stringify(x.balance)] }, { venue, balance });
};
