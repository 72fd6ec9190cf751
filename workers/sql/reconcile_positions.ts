// watchlist.reconcile_positions(venue): flag positions our fills do not explain; how many were flagged.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.reconcile_positions($1) as result';
export const Params = z.object({ venue: z.string() });
export const Result = z.number().int();

export const reconcilePositions = (c: SqlClient, venue: string): Promise<number> =>
  callValue(c, { name: 'reconcile_positions', text, params: Params, result: Result, values: (x) => [x.venue] }, { venue });
