// Cron, every minute: first the clock's exit decision (max hold, kill switch), which
// needs no prices and so runs even when no book can be read; then sample every open
// trade's executable exit spread.
import type { Task } from 'graphile-worker';
import { jobDb, wrap } from '../trade/db.ts';
import { monitorOnce } from '../trade/monitor-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const monitor_trades: Task = async (_payload, helpers) => {
  const db = jobDb(helpers);
  const { rows } = await db.query('select watchlist.close_overdue_trades() as ids');
  if (rows[0]?.ids?.length) helpers.logger.info(`monitor_trades: closing by the clock ${rows[0].ids.join(', ')}`);
  const r = await monitorOnce(wrap(db), (n) => venueNamed(n, db));
  if (r.sampled || r.skipped) helpers.logger.info(`monitor_trades: ${r.sampled} sampled, ${r.skipped} skipped`);
};
