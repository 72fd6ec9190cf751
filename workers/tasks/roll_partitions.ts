// Daily partition maintenance: create ahead, drop past retention (all in SQL).
import type { Task } from 'graphile-worker';

export const roll_partitions: Task = async (_payload, { withPgClient, logger }) => {
  const { rows } = await withPgClient((c) => c.query('select watchlist.roll_partitions() as r'));
  logger.info(`roll_partitions ${JSON.stringify(rows[0].r)}`);
};
