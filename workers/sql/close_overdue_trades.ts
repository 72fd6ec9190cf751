// watchlist.close_overdue_trades(): the clock's exit decision (max hold, kill switch); the trades it started closing.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.close_overdue_trades() as result';
export const Params = z.object({});
export const Result = z.array(Id);

export const closeOverdueTrades = (c: SqlClient): Promise<number[]> =>
  callValue(c, { name: 'close_overdue_trades', text, params: Params, result: Result, values: () => [] }, {});
