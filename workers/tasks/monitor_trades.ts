// Cron, every minute: first the clock's exit decision (max hold, kill switch), which
// needs no prices and so runs even when no book can be read; then sample every open
// trade's executable exit spread.
import type { Task } from 'graphile-worker';
import { jobDb } from '../trade/db.ts';
import { monitorOnce } from '../trade/monitor-flow.ts';
import { venueNamed } from '../trade/venues.ts';
import { closeOverdueTrades } from '../sql/close_overdue_trades.ts';

export const monitor_trades: Task = async (_payload, helpers) => {
  const db = jobDb(helpers);
  const ids = await closeOverdueTrades(db);
  if (ids.length) helpers.logger.info(`monitor_trades: closing by the clock ${ids.join(', ')}`);
  const r = await monitorOnce(db, (n) => venueNamed(n, db));
  if (r.sampled || r.skipped) helpers.logger.info(`monitor_trades: ${r.sampled} sampled, ${r.skipped} skipped`);
};
