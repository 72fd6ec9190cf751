// Daily: events, their outcomes and the funding caches older than retention.event_days.
import type { Task } from 'graphile-worker';

export const apply_retention: Task = async (_payload, { withPgClient, logger }) => {
  const { rows } = await withPgClient((c) => c.query('select watchlist.apply_retention() as r'));
  logger.info(`apply_retention: ${JSON.stringify(rows[0].r)}`);
};
