// watchlist.reconcile_resume(): re-enqueue every trade or manual order a crash left mid-way.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.reconcile_resume() as result';
export const Params = z.object({});
export const Result = z.array(z.record(z.string(), z.unknown()));

export const reconcileResume = (c: SqlClient): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'reconcile_resume', text, params: Params, result: Result, values: () => [] }, {});
