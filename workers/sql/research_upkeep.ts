// watchlist.aggregate_series(from, to) and watchlist.record_trade_outcomes(): the 5-minute
// series bars of a window and the closed live trades' watchlist_outcome rows, in one call.
import { z } from 'zod';
import { callRow, Count, type SqlClient } from './client.ts';

export const text = 'select watchlist.aggregate_series($1, $2) as series, watchlist.record_trade_outcomes() as trades';
export const Params = z.object({ from: z.string(), to: z.string() });
export const Row = z.object({ series: Count, trades: Count });

export const researchUpkeep = (c: SqlClient, from: string, to: string): Promise<z.output<typeof Row>> =>
  callRow(c, { name: 'aggregate_series+record_trade_outcomes', text, params: Params, row: Row, values: (x) => [x.from, x.to] }, { from, to });
