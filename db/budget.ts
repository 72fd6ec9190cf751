// The connection budget: WL_DB_MAX_CONNECTIONS (default 12, for a small shared
// server whose max_connections is under 30) caps the sum of every pool and listener
// the product's processes open. Under `wl up` the supervisor holds none once its
// children run (its start-up pools are closed first); the worker child opens the
// worker and ledger shares, the API child the trader, anonymous and listen shares.
// The trader's share is taken first and nothing else uses it, so a kill switch or a
// close never waits behind readers or jobs.
//
// The worker's concurrency is derived from its pool so the pool can never deadlock:
// a job may hold two worker connections at once (withTradeLock keeps one for the
// whole job; a query through helpers.query, e.g. a paper ledger falling back to the
// job's pool, takes a second), graphile-worker's LISTEN holds one for good, and one
// must stay free to fetch jobs, run cron and record outcomes. So
//   2 × concurrency + 2 ≤ worker pool.
// With concurrency = pool − 2 (the first attempt), three trade jobs could hold every
// connection and each wait for a second one that never came.
import pg from 'pg';

export interface ConnectionBudget {
  total: number;
  trader: number;
  listen: number;
  anonymous: number;
  ledger: number;
  worker: number;
  workerConcurrency: number;
}

const TRADER = 2;
const LISTEN = 1;
/** one job at a time: 2 × 1 + 2 */
const MIN_WORKER = 4;
export const DEFAULT_MAX_CONNECTIONS = 12;

const positiveInt = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${JSON.stringify(v)}`);
  return n;
};

/** jobs a worker pool of `pool` connections may run at once (see the rule above) */
export const safeConcurrency = (pool: number) => Math.max(1, Math.floor((pool - 2) / 2));

export function connectionBudget(env: NodeJS.ProcessEnv = process.env): ConnectionBudget {
  const total = positiveInt('WL_DB_MAX_CONNECTIONS', env.WL_DB_MAX_CONNECTIONS) ?? DEFAULT_MAX_CONNECTIONS;
  const anonymous = positiveInt('WL_GRAPHQL_ANON_POOL', env.WL_GRAPHQL_ANON_POOL) ?? (total >= 20 ? 3 : total >= 12 ? 2 : 1);
  const trader = Math.max(TRADER, positiveInt('WL_GRAPHQL_TRADER_POOL', env.WL_GRAPHQL_TRADER_POOL) ?? TRADER);
  const ledger = total >= 16 ? 2 : 1; // single statements, never held: it only queues
  const worker = total - trader - LISTEN - anonymous - ledger;
  if (worker < MIN_WORKER) {
    const least = trader + LISTEN + anonymous + ledger + MIN_WORKER;
    throw new Error(`WL_DB_MAX_CONNECTIONS=${total} is too small: with the trader's ${trader} and anonymous ${anonymous} the product needs at least ${least}`);
  }
  const asked = positiveInt('WL_WORKER_CONCURRENCY', env.WL_WORKER_CONCURRENCY);
  const workerConcurrency = Math.min(asked ?? Infinity, safeConcurrency(worker));
  return { total, trader, listen: LISTEN, anonymous, ledger, worker, workerConcurrency };
}

export function describeBudget(b: ConnectionBudget): string {
  return (
    `connections: at most ${b.total} (WL_DB_MAX_CONNECTIONS) = worker ${b.worker} (${b.workerConcurrency} jobs at once) + paper ledger ${b.ledger}` +
    ` + API trader ${b.trader} (reserved) + anonymous ${b.anonymous} + listen ${b.listen}`
  );
}

/** the pool sizes a child reads (graphql/pools.ts, workers/runner.ts, workers/venues/registry.ts) */
export function budgetEnv(b: ConnectionBudget): Record<string, string> {
  return {
    WL_DB_MAX_CONNECTIONS: String(b.total),
    WL_GRAPHQL_ANON_POOL: String(b.anonymous),
    WL_GRAPHQL_TRADER_POOL: String(b.trader),
    WL_WORKER_CONCURRENCY: String(b.workerConcurrency),
  };
}

export interface ServerSlots {
  max_connections: number;
  superuser_reserved_connections: number;
  reserved_connections: number;
  in_use: number;
  free: number;
}

/**
 * Connection slots our non-superuser logins can still get: max_connections less the
 * superuser and pg_use_reserved_connections reserves, less every client session but
 * the one asking.
 */
export async function serverSlots(url: string): Promise<ServerSlots> {
  const c = new pg.Client({ connectionString: url, application_name: 'wl-budget-check' });
  c.on('error', () => {});
  await c.connect();
  try {
    const { rows } = await c.query(`select current_setting('max_connections')::int as max_connections,
        current_setting('superuser_reserved_connections')::int as superuser_reserved_connections,
        coalesce(current_setting('reserved_connections', true), '0')::int as reserved_connections,
        (select count(*)::int from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()) as in_use`);
    const r = rows[0];
    return { ...r, free: r.max_connections - r.superuser_reserved_connections - r.reserved_connections - r.in_use };
  } finally {
    await c.end().catch(() => {});
  }
}

/** refuse to start when the server cannot give the whole budget */
export async function checkServerRoom(url: string, b: ConnectionBudget): Promise<ServerSlots> {
  const s = await serverSlots(url);
  if (s.free < b.total) {
    throw new Error(
      `not enough free connections on the database server: the product needs ${b.total} (WL_DB_MAX_CONNECTIONS), the server has ${s.free} free` +
        ` (max_connections ${s.max_connections} − ${s.superuser_reserved_connections} superuser_reserved_connections − ${s.reserved_connections} reserved_connections − ${s.in_use} sessions in use).` +
        ` Close other sessions, raise max_connections, or lower WL_DB_MAX_CONNECTIONS; nothing was started`,
    );
  }
  return s;
}
