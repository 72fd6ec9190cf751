// watchlist.trade_recheck(signal, books, legs): the re-check on live books and the
// pre-send checks, one SQL decision before anything is sent (new → opening or ignored).
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';
import { BookOrErrorJson } from './book-shapes.ts';
import { jsonParam, LegChecksJson } from './venue-shapes.ts';

export const text = 'select watchlist.trade_recheck($1, $2::jsonb, $3::jsonb) as result';
export const Params = z.object({
  signalId: Id,
  books: z.object({ short: BookOrErrorJson, long: BookOrErrorJson }),
  legs: LegChecksJson.length(2),
});
/** the recorded re-check (signal.recheck); `ok` decides */
export const Result = z.object({
  ok: z.boolean(),
  fail: z.string().nullable().optional(),
  why: z.string().optional(),
  // what a refusal's log line names (workers/trade/not-opened.ts); shapes vary by refusal
  pnl_hat: z.unknown().optional(),
  win_prob: z.unknown().optional(),
  books: z.unknown().optional(),
  precheck: z.unknown().optional(),
});

export const tradeRecheck = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'trade_recheck', text, params: Params, result: Result,
    values: (x) => [x.signalId, jsonParam(x.books), jsonParam(x.legs)] }, p);
