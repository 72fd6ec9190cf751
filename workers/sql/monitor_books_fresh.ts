// watchlist.monitor_books_fresh(signal, short age ms, long age ms): true when both exit books
// are fresh by book_is_stale (sql/rules.sql); otherwise records the StaleBook error and is false.
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const text = 'select watchlist.monitor_books_fresh($1, $2, $3) as result';
export const Params = z.object({ signalId: Id, shortAgeMs: z.number().nullable(), longAgeMs: z.number().nullable() });
export const Result = z.boolean();

export const monitorBooksFresh = (c: SqlClient, p: z.input<typeof Params>): Promise<boolean> =>
  callValue(c, { name: 'monitor_books_fresh', text, params: Params, result: Result, values: (x) => [x.signalId, x.shortAgeMs, x.longAgeMs] }, p);
