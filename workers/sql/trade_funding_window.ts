// A trade's legs and its funding window: from the open to the last close fill (null
// while no close fill is recorded).
import { z } from 'zod';
import { callRow, Id, NumLike, type SqlClient } from './client.ts';

export const text = `select s.symbol, s.leg_short_exchange, s.leg_long_exchange, extract(epoch from s.opened_at) * 1000 as since,
  extract(epoch from (select max(f.ts) from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
                      where o.signal_id = s.id and o.purpose = 'close')) * 1000 as until
  from watchlist.live_trade_signal s where s.id = $1`;
export const Params = z.object({ signalId: Id });
export const Row = z.object({
  symbol: z.string(),
  leg_short_exchange: z.string(),
  leg_long_exchange: z.string(),
  since: NumLike.nullable(),
  until: NumLike.nullable(),
});

export const tradeFundingWindow = (c: SqlClient, signalId: number): Promise<z.output<typeof Row>> =>
  callRow(c, { name: 'trade funding window', text, params: Params, row: Row, values: (x) => [x.signalId] }, { signalId });
