// manual_order {manual_order_id}: enqueued by watchlist.manual_trade().
import type { Task } from 'graphile-worker';
import { jobDb, withTradeLock } from '../trade/db.ts';
import { manualOrderJob } from './payloads.ts';
import { runManualOrderAttempt } from '../trade/manual-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const manual_order: Task = async (payload, helpers) => {
  const id = manualOrderJob.parse(payload).manual_order_id;
  const db = jobDb(helpers);
  const last = helpers.job.attempts >= helpers.job.max_attempts;
  const result = await withTradeLock(helpers, 'wl:manual', id, (q) => runManualOrderAttempt(q, id, (n) => venueNamed(n, db), last));
  helpers.logger.info(`manual_order ${id}: ${result ?? 'locked by another run'}`);
};
