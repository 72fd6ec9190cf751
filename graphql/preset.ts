// The PostGraphile V5 preset: the `watchlist` schema as GraphQL.
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
import { LimitsPlugin } from './limits.ts';
import { SubscriptionsPlugin } from './subscriptions.ts';

export interface PresetOptions {
  /** connection string of a user that may SET ROLE wl_reader / wl_trader */
  url: string;
  /** WL_TRADER_TOKEN by default; unset means nobody can trade through GraphQL */
  traderToken?: string;
  /** Ruru (GraphiQL) at /graphiql; default: unless NODE_ENV=production */
  graphiql?: boolean;
  poolMax?: number;
  /** the pool PostGraphile connects through (graphql/pools.ts routes it by viewer); default: its own */
  pool?: import('pg').Pool;
  /** the LISTEN side of subscriptions; default: from the pool */
  pgSubscriber?: import('postgraphile/adaptors/pg').PgSubscriber;
}

export function makePreset(opts: PresetOptions): GraphileConfig.Preset {
  const viewerOf = makeAuthenticator(opts.traderToken ?? process.env.WL_TRADER_TOKEN);
  return {
    extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
    plugins: [SubscriptionsPlugin, LimitsPlugin],
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
      graphiql: opts.graphiql ?? process.env.NODE_ENV !== 'production',
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
