// watchlist.outcome_funding_needs(at): the legs whose due horizons no cached funding history covers yet.
import { z } from 'zod';
import { callRows, type SqlClient } from './client.ts';

export const text = `select venue, symbol, (extract(epoch from from_ts) * 1000)::bigint::text as from_ms, (extract(epoch from to_ts) * 1000)::bigint::text as to_ms
  from watchlist.outcome_funding_needs($1)`;
export const Params = z.object({ at: z.string() });
const Ms = z.string().regex(/^\d+$/).transform(Number);
export const Row = z.object({ venue: z.string(), symbol: z.string(), from_ms: Ms, to_ms: Ms });

export const outcomeFundingNeeds = (c: SqlClient, at: string): Promise<z.output<typeof Row>[]> =>
  callRows(c, { name: 'outcome_funding_needs', text, params: Params, row: Row, values: (x) => [x.at] }, { at });
