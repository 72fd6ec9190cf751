// watchlist.record_market_minute(ts, rows, errors): one minute of books and funding, and
// the venues that failed it. SQL reads the rows with jsonb_to_recordset, where a missing
// key is a silent null: the row shape is declared once here and checked before the call.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';
import { jsonParam } from './venue-shapes.ts';

const num = z.number().finite();
export const SnapshotRow = z.strictObject({
  venue: z.string(),
  symbol: z.string(),
  bid: num.nullable(),
  ask: num.nullable(),
  bid_top: num.nullable(),
  ask_top: num.nullable(),
  mid: num.nullable(),
  depth_ok: z.boolean(),
  notional_usdt: num,
  funding_rate: num.nullable(),
  funding_interval_hours: num.nullable(),
  next_funding_time: z.string().nullable(),
  book_ts: z.string(),
  meta: z.record(z.string(), z.unknown()),
});
export type SnapshotRow = z.input<typeof SnapshotRow>;

export const ErrorRow = z.strictObject({
  venue: z.string(),
  error_class: z.string(),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

export const text = 'select watchlist.record_market_minute($1, $2::jsonb, $3::jsonb) as result';
export const Params = z.object({ minute: z.string(), rows: z.array(SnapshotRow), errors: z.array(ErrorRow) });
export const Result = z.number().int();

export const recordMarketMinute = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'record_market_minute', text, params: Params, result: Result,
    values: (x) => [x.minute, jsonParam(x.rows), jsonParam(x.errors)] }, p);
