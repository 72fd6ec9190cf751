// Cron, every minute: sample every open trade's executable exit spread.
import type { Task } from 'graphile-worker';
import { jobDb, wrap } from '../trade/db.ts';
import { monitorOnce } from '../trade/monitor-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const monitor_trades: Task = async (_payload, helpers) => {
  const db = jobDb(helpers);
  const r = await monitorOnce(wrap(db), (n) => venueNamed(n, db));
  if (r.sampled || r.skipped) helpers.logger.info(`monitor_trades: ${r.sampled} sampled, ${r.skipped} skipped`);
};
