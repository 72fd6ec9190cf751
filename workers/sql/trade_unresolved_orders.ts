// watchlist.trade_unresolved_orders(signal): orders whose outcome the database does not know yet.
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';
import { ORDER_COLUMNS, OrderRow } from './order-row.ts';

export const text = `select ${ORDER_COLUMNS} from watchlist.trade_unresolved_orders($1) o`;
export const Params = z.object({ signalId: Id });

export const tradeUnresolvedOrders = (c: SqlClient, signalId: number): Promise<OrderRow[]> =>
  callRows(c, { name: 'trade_unresolved_orders', text, params: Params, row: OrderRow, values: (x) => [x.signalId] }, { signalId });
