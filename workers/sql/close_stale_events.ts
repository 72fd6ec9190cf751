// watchlist.close_stale_events(): close events quiet for longer than the merge gap.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.close_stale_events() as result';
export const Params = z.object({});
export const Result = z.number().int();

export const closeStaleEvents = (c: SqlClient): Promise<number> =>
  callValue(c, { name: 'close_stale_events', text, params: Params, result: Result, values: () => [] }, {});
