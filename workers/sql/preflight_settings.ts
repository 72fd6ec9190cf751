// The settings preflight checks against: target leverage, allowed clock skew, the symbols (null: built-in list).
import { z } from 'zod';
import { callRow, type SqlClient } from './client.ts';

export const text = `select watchlist.cfg_num('trade.leverage') as leverage, watchlist.cfg_num('venue.max_clock_skew_ms') as skew,
  watchlist.cfg('collect.symbols') as symbols`;
export const Params = z.object({});
export const Row = z.object({
  leverage: z.number(),
  skew: z.number(),
  symbols: z.unknown().transform((s) => (Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : null)),
});

export const preflightSettings = (c: SqlClient): Promise<z.output<typeof Row>> =>
  callRow(c, { name: 'preflight settings', text, params: Params, row: Row, values: () => [] }, {});
