// The PostGraphile V5 preset: what schema `watchlist` exposes as GraphQL. Default-deny:
// only tables, views and functions whose comment carries `@api` (graphql/exposure.ts,
// sql/api.sql) are in the API.
// Amber is GRANT-aware and the schema is built once, so it is introspected as the
// most privileged role the server serves (wl_trader): the trader functions appear
// as mutations, and PostgreSQL itself refuses them to anonymous requests, which
// run as wl_reader (the pool's session role; the trader's role comes per request
// through pgSettings — graphql/auth.ts).
import './env.ts';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';
import { ANONYMOUS_SESSION_OPTIONS, makeAuthenticator, pgSettingsFor } from './auth.ts';
import { maskError } from './errors.ts';
import { limitsFromEnv, makeLimitsPlugin, type Limits } from './limits.ts';
import { SubscriptionsPlugin } from './subscriptions.ts';
import { ApiExposurePlugin } from './exposure.ts';

export interface PresetOptions {
  /** connection string of a user that may SET ROLE wl_reader / wl_trader */
  url: string;
  /** WL_TRADER_TOKEN by default; unset means nobody can trade through GraphQL */
  traderToken?: string;
  /** Ruru (GraphiQL) at /graphiql; default: only with WL_DEV_GRAPHIQL=1 (a development tool: it runs inline scripts) */
  graphiql?: boolean;
  /** cost limits over those of the environment (graphql/limits.ts) */
  limits?: Partial<Limits>;
  poolMax?: number;
  /** the pool PostGraphile connects through (graphql/pools.ts routes it by viewer); default: its own */
  pool?: import('pg').Pool;
  /** the LISTEN side of subscriptions; default: from the pool */
  pgSubscriber?: import('postgraphile/adaptors/pg').PgSubscriber;
}

/** Ruru is served only when asked for explicitly: WL_DEV_GRAPHIQL=1 */
export const graphiqlFromEnv = (env: NodeJS.ProcessEnv = process.env) => env.WL_DEV_GRAPHIQL === '1';

export function makePreset(opts: PresetOptions): GraphileConfig.Preset {
  const viewerOf = makeAuthenticator(opts.traderToken ?? process.env.WL_TRADER_TOKEN);
  return {
    extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
    plugins: [ApiExposurePlugin, SubscriptionsPlugin, makeLimitsPlugin(limitsFromEnv(process.env, opts.limits))],
    pgServices: [
      makePgService({
        connectionString: opts.url,
        schemas: ['watchlist'],
        pubsub: true,
        pgSettingsForIntrospection: { role: 'wl_trader' },
        ...(opts.pool
          ? { pool: opts.pool, pgSubscriber: opts.pgSubscriber }
          : { poolConfig: { max: opts.poolMax ?? 10, options: ANONYMOUS_SESSION_OPTIONS } }),
      }),
    ],
    grafast: {
      context(requestContext) {
        const header =
          requestContext.node?.req.headers.authorization ?? requestContext.ws?.normalizedConnectionParams?.authorization;
        return { pgSettings: pgSettingsFor(viewerOf(header)) };
      },
    },
    grafserv: {
      graphqlPath: '/graphql',
      websockets: true,
      graphiql: opts.graphiql ?? graphiqlFromEnv(),
      graphiqlPath: '/graphiql',
      graphiqlOnGraphQLGET: false,
      maxRequestLength: 100_000,
      maskError,
    },
    schema: {
      // filters on columns and computed columns; not across relations (unindexed joins)
      connectionFilterRelations: false,
      connectionFilterComputedColumns: true,
      connectionFilterSetofFunctions: false,
      connectionFilterAllowNullInput: false,
    },
  };
}
