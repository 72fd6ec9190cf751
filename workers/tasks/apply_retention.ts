// Daily: events, their outcomes and the funding caches older than retention.event_days.
import type { Task } from 'graphile-worker';
import { perCallClient } from '../sql/client.ts';
import { applyRetention } from '../sql/apply_retention.ts';

export const apply_retention: Task = async (_payload, { withPgClient, logger }) => {
  logger.info(`apply_retention: ${JSON.stringify(await applyRetention(perCallClient(withPgClient)))}`);
};
