// The API's connections, split so anonymous readers can never starve the trader:
//   anonymous  small (WL_GRAPHQL_ANON_POOL, default 2 of the budget of 12): every
//              anonymous request shares it, so ten heavy readers hold at most two
//   trader     its own (WL_GRAPHQL_TRADER_POOL, default 2): a kill switch or a close
//              never queues behind readers
//   listen     one connection for LISTEN (subscriptions)
// PostGraphile asks one pool for connections (pool.connect()); the router picks the
// pool of the request it is serving, which the HTTP handler records in an
// AsyncLocalStorage (graphql/server.ts). Anything outside a request (introspection,
// websockets) uses the anonymous pool; its sessions start as wl_reader either way.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { PgSubscriber } from 'postgraphile/adaptors/pg';
import { makePool } from '../db/pool.ts';
import { connectionBudget } from '../db/budget.ts';
import { ANONYMOUS_SESSION_OPTIONS, type Viewer } from './auth.ts';

export const requestViewer = new AsyncLocalStorage<Viewer>();

export interface GraphqlPools {
  /** what PostGraphile is given as its pool: connect() routes by the current request's viewer */
  router: pg.Pool;
  anonymous: pg.Pool;
  trader: pg.Pool;
  listen: pg.Pool;
  subscriber: PgSubscriber;
  end(): Promise<void>;
}

/** the API's shares of the connection budget (db/budget.ts; WL_GRAPHQL_*_POOL override) */
export const poolSizes = () => {
  const b = connectionBudget();
  return { anonymous: b.anonymous, trader: b.trader, listen: b.listen };
};

export function makeGraphqlPools(url: string, sizes = poolSizes()): GraphqlPools {
  const common = { connectionString: url, options: ANONYMOUS_SESSION_OPTIONS, idleTimeoutMillis: 30_000 };
  // application_name shows each pool's sessions in pg_stat_activity. An anonymous
  // request waits at most 10 s for a connection, then fails (the reader retries); it
  // runs without parallel workers, so three readers occupy three backends, not nine,
  // and leave the cores to the trader and the worker
  const anonymous = makePool('graphql anonymous', {
    ...common,
    options: `${ANONYMOUS_SESSION_OPTIONS} -c max_parallel_workers_per_gather=0`,
    max: sizes.anonymous,
    connectionTimeoutMillis: 10_000,
    application_name: 'wl-graphql-anonymous',
  });
  const trader = makePool('graphql trader', { ...common, max: sizes.trader, application_name: 'wl-graphql-trader' });
  const listen = makePool('graphql listen', { ...common, max: sizes.listen, application_name: 'wl-graphql-listen' });
  const router = {
    connect: () => (requestViewer.getStore() === 'trader' ? trader : anonymous).connect(),
    on() {
      return router;
    },
    async end() {},
  } as unknown as pg.Pool;
  const subscriber = new PgSubscriber(listen);
  return {
    router,
    anonymous,
    trader,
    listen,
    subscriber,
    async end() {
      subscriber.release?.();
      await Promise.all([anonymous.end(), trader.end(), listen.end()]);
    },
  };
}
