// Daily summary (cron, just after 00:00 UTC): yesterday's realised PnL from
// v_pnl_daily goes out as a NOTIFY, which the notifier (workers/notify/) delivers.
import type { Task } from 'graphile-worker';

export const daily_summary: Task = async (_payload, { withPgClient, logger }) => {
  const { rows } = await withPgClient((c) => c.query('select watchlist.notify_daily_summary() as s'));
  logger.info(`daily_summary ${JSON.stringify(rows[0].s)}`);
};
