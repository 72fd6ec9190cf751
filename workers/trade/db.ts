// The job's database handle: one pooled connection held for the whole job, with
// a session advisory lock on the trade so two runs of the same trade (a retry
// racing a resumed job) never interleave. A killed worker's connection drops,
// and the lock with it, so a crash never blocks recovery.
import type { PoolClient } from 'pg';
import type { JobHelpers } from 'graphile-worker';

export interface Q {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
  one<T = any>(text: string, params?: unknown[]): Promise<T>;
}

export function wrap(c: { query(text: string, params?: unknown[]): Promise<{ rows: any[] }> }): Q {
  return {
    query: (t, p) => c.query(t, p),
    async one(t, p) {
      const r = await c.query(t, p);
      return r.rows[0] ? (Object.values(r.rows[0])[0] as any) : (undefined as any);
    },
  };
}

/** the job's own query function (graphile-worker's pool) as a plain handle for venue ledgers */
export const jobDb = (helpers: JobHelpers) => ({ query: (t: string, p?: unknown[]) => helpers.query(t, p as any[]) });

/** run fn holding the lock for (namespace, id); returns null when another run holds it */
export async function withTradeLock<T>(helpers: JobHelpers, ns: string, id: number, fn: (q: Q) => Promise<T>): Promise<T | null> {
  return helpers.withPgClient(async (client: PoolClient) => {
    const q = wrap(client);
    const got = await q.one<boolean>('select pg_try_advisory_lock(hashtext($1), ($2::bigint % 2147483647)::int)', [ns, id]);
    if (!got) {
      helpers.logger.info(`${ns} ${id}: another run holds the lock; leaving it to that run`);
      return null;
    }
    try {
      return await fn(q);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1), ($2::bigint % 2147483647)::int)', [ns, id]).catch(() => {});
    }
  });
}
