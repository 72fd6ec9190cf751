// watchlist.compute_outcomes(at, venues fetched here, shard, shards): one set-based pass over
// the due (event, horizon) of one share (by symbol pair); rows written.
import { z } from 'zod';
import { callValue, Count, type SqlClient } from './client.ts';

export const text = 'select watchlist.compute_outcomes($1, $2::text[], $3, $4) as result';
export const Params = z.object({
  at: z.string(),
  venues: z.array(z.string()),
  shard: z.number().int().min(0),
  shards: z.number().int().min(1),
}).refine((p) => p.shard < p.shards, 'shard must be below shards');
export const Result = Count;

export const computeOutcomes = (c: SqlClient, at: string, venues: string[], shard = 0, shards = 1): Promise<number> =>
  callValue(c, { name: 'compute_outcomes', text, params: Params, result: Result, values: (x) => [x.at, x.venues, x.shard, x.shards] },
    { at, venues, shard, shards });
