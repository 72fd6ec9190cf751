// Daily partition maintenance: create ahead, drop past retention (all in SQL).
import type { Task } from 'graphile-worker';
import { rollPartitions } from '../sql/roll_partitions.ts';

export const roll_partitions: Task = async (_payload, { withPgClient, logger }) => {
  const r = await withPgClient((c) => rollPartitions(c));
  logger.info(`roll_partitions ${JSON.stringify(r)}`);
};
