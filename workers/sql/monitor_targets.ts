// watchlist.monitor_targets(): open trades due a spread sample, with each leg's held size.
import { z } from 'zod';
import { callRows, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select signal_id, symbol, short_exchange, long_exchange, short_qty::text, long_qty::text from watchlist.monitor_targets()';
export const Params = z.object({});
export const Row = z.object({
  signal_id: Id,
  symbol: z.string(),
  short_exchange: z.string(),
  long_exchange: z.string(),
  short_qty: Decimal,
  long_qty: Decimal,
});
export type MonitorTarget = z.output<typeof Row>;

export const monitorTargets = (c: SqlClient): Promise<MonitorTarget[]> =>
  callRows(c, { name: 'monitor_targets', text, params: Params, row: Row, values: () => [] }, {});
