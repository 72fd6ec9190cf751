// Daily summary (cron, just after 00:00 UTC): yesterday's realised PnL from
// v_pnl_daily goes out as a NOTIFY, which the notifier (workers/notify/) delivers.
import type { Task } from 'graphile-worker';
import { perCallClient } from '../sql/client.ts';
import { notifyDailySummary } from '../sql/notify_daily_summary.ts';

export const daily_summary: Task = async (_payload, { withPgClient, logger }) => {
  logger.info(`daily_summary ${JSON.stringify(await notifyDailySummary(perCallClient(withPgClient)))}`);
};
