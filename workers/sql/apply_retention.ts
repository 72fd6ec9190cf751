// watchlist.apply_retention(): delete events, their outcomes and funding caches older than retention.event_days.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.apply_retention() as result';
export const Params = z.object({});
export const Result = z.record(z.string(), z.unknown());

export const applyRetention = (c: SqlClient): Promise<Record<string, unknown>> =>
  callValue(c, { name: 'apply_retention', text, params: Params, result: Result, values: () => [] }, {});
