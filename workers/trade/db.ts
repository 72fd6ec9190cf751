// The job's database handle: one pooled connection held for the whole job, with
// a session advisory lock on the trade so two runs of the same trade (a retry
// racing a resumed job) never interleave. A killed worker's connection drops,
// and the lock with it, so a crash never blocks recovery.
// Every call on it goes through a typed wrapper in workers/sql/.
import type { PoolClient } from 'pg';
import type { JobHelpers } from 'graphile-worker';
import { jobClient, type SqlClient } from '../sql/client.ts';
import { tradeUnlock, tryTradeLock } from '../sql/trade_lock.ts';

export type Q = SqlClient;

/** any pg client or pool as the flows' handle (kept for callers that wrapped a client) */
export const wrap = (c: SqlClient): Q => c;

/** the job's own query function (graphile-worker's pool) as a plain handle for venue ledgers */
export const jobDb = (helpers: JobHelpers): SqlClient => jobClient(helpers);

/** run fn holding the lock for (namespace, id); returns null when another run holds it */
export async function withTradeLock<T>(helpers: JobHelpers, ns: string, id: number, fn: (q: Q) => Promise<T>): Promise<T | null> {
  return helpers.withPgClient(async (client: PoolClient) => {
    const got = await tryTradeLock(client, ns, id);
    if (!got) {
      helpers.logger.info(`${ns} ${id}: another run holds the lock; leaving it to that run`);
      return null;
    }
    try {
      return await fn(client);
    } finally {
      await tradeUnlock(client, ns, id).catch(() => {});
    }
  });
}
