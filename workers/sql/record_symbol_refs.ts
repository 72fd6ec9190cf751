// watchlist.record_symbol_refs(venue, markets): a venue's loaded markets as watchlist_symbol_ref rows.
import { z } from 'zod';
import { callValue, Count, type SqlClient } from './client.ts';

export const text = 'select watchlist.record_symbol_refs($1, $2::jsonb) as result';
export const Market = z.object({ symbol: z.string(), contractSize: z.number(), minCostUsdt: z.number().nullable() }).strict();
export const Params = z.object({ venue: z.string(), markets: z.array(Market) });
export const Result = Count;

export const recordSymbolRefs = (c: SqlClient, venue: string, markets: z.input<typeof Market>[]): Promise<number> =>
  callValue(c, { name: 'record_symbol_refs', text, params: Params, result: Result, values: (x) => [x.venue, JSON.stringify(x.markets)] }, { venue, markets });
