// manual_order {manual_order_id}: enqueued by watchlist.manual_trade().
import type { Task } from 'graphile-worker';
import { withTradeLock } from '../trade/db.ts';
import { runManualOrder } from '../trade/manual-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const manual_order: Task = async (payload, helpers) => {
  const id = Number((payload as { manual_order_id: number }).manual_order_id);
  const db = { query: (t: string, p?: unknown[]) => helpers.query(t, p as any[]) };
  const result = await withTradeLock(helpers, 'wl:manual', id, (q) => runManualOrder(q, id, (n) => venueNamed(n, db)));
  helpers.logger.info(`manual_order ${id}: ${result ?? 'locked by another run'}`);
};
