// What the market collector reads before a minute: the sweep notional, the symbol list
// (collect.symbols; null means the built-in universe) and whether the scanner is installed.
import { z } from 'zod';
import { callRow, type SqlClient } from './client.ts';

export const text = `select watchlist.cfg_num('trade.notional_usdt') as notional, watchlist.cfg('collect.symbols') as symbols,
  exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'watchlist' and p.proname = 'scan' and p.proargtypes[0] = 'timestamptz'::regtype) as has_scan`;
export const Params = z.object({});
export const Row = z.object({
  notional: z.number().positive(),
  symbols: z.unknown().transform((s) => (Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : null)),
  has_scan: z.boolean(),
});

export const collectSettings = (c: SqlClient): Promise<z.output<typeof Row>> =>
  callRow(c, { name: 'collect settings', text, params: Params, row: Row, values: () => [] }, {});
