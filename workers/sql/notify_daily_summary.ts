// watchlist.notify_daily_summary(): yesterday's realised PnL from v_pnl_daily as a NOTIFY
// (the notifier delivers it); returns what it sent.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.notify_daily_summary() as result';
export const Params = z.object({});
export const Result = z.unknown();

export const notifyDailySummary = (c: SqlClient): Promise<unknown> =>
  callValue(c, { name: 'notify_daily_summary', text, params: Params, result: Result, values: () => [] }, {});
