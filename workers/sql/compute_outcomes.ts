// watchlist.compute_outcomes(at, venues fetched here): one set-based pass over due (event, horizon); rows written.
import { z } from 'zod';
import { callValue, Count, type SqlClient } from './client.ts';

export const text = 'select watchlist.compute_outcomes($1, $2::text[]) as result';
export const Params = z.object({ at: z.string(), venues: z.array(z.string()) });
export const Result = Count;

export const computeOutcomes = (c: SqlClient, at: string, venues: string[]): Promise<number> =>
  callValue(c, { name: 'compute_outcomes', text, params: Params, result: Result, values: (x) => [x.at, x.venues] }, { at, venues });
