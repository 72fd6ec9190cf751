// GraphQL subscriptions fed by PostgreSQL LISTEN/NOTIFY. Each NOTIFY channel is a
// topic on the pg service's pgSubscriber (one listening connection for all
// subscribers); the JSON payload carries ids, and each event links to its row so
// a page can fetch what it needs in the same subscription.
import { context, lambda, listen, type Step } from 'postgraphile/grafast';
import { jsonParse } from 'postgraphile/@dataplan/json';
import { extendSchema, gql } from 'postgraphile/utils';

type Json = Record<string, unknown>;

// payload ids arrive as JSON numbers; BigInt columns are strings in Grafast
const idOf = (key: string) => (e: Json | null) => (e && e[key] != null ? String(e[key]) : null);
const textOf = (key: string) => (e: Json | null) => (e && e[key] != null ? String(e[key]) : null);

function resourceFor(build: GraphileBuild.Build, table: string) {
  const r = Object.values(build.input.pgRegistry.pgResources).find(
    (x) => !x.parameters && x.codec.extensions?.pg?.schemaName === 'watchlist' && x.codec.extensions?.pg?.name === table,
  );
  if (!r) throw new Error(`subscriptions: table watchlist.${table} not in the GraphQL registry`);
  return r;
}

function topic(channel: string) {
  return {
    subscribePlan() {
      return listen(context().get('pgSubscriber'), channel, jsonParse);
    },
    plan($event: Step) {
      return $event;
    },
  };
}

export const SubscriptionsPlugin = extendSchema((build) => {
  const signals = resourceFor(build, 'live_trade_signal');
  const events = resourceFor(build, 'watch_signal_event');
  const errors = resourceFor(build, 'live_trade_error');
  const common = (fields: Record<string, (e: Step) => Step>) => ({
    plans: {
      type: ($e: Step) => lambda($e, textOf('type')),
      payload: ($e: Step) => $e,
      ...fields,
    },
  });
  return {
    typeDefs: gql`
      """A NOTIFY on channel live_trade: a trade's status, a spread sample, an order, an exit, a config change or a manual order."""
      type LiveTradeNotification {
        type: String
        signalId: BigInt
        status: String
        payload: JSON
        liveTradeSignal: LiveTradeSignal
      }
      """A NOTIFY on channel live_trade_error."""
      type LiveTradeErrorNotification {
        type: String
        errorId: BigInt
        signalId: BigInt
        stage: String
        venue: String
        payload: JSON
        liveTradeError: LiveTradeError
      }
      """A NOTIFY on channel watchlist_signal: an event opened or closed."""
      type WatchlistSignalNotification {
        type: String
        eventId: BigInt
        symbol: String
        payload: JSON
        watchSignalEvent: WatchSignalEvent
      }
      extend type Subscription {
        liveTrade: LiveTradeNotification
        liveTradeError: LiveTradeErrorNotification
        watchlistSignal: WatchlistSignalNotification
      }
    `,
    objects: {
      Subscription: {
        plans: {
          liveTrade: topic('live_trade'),
          liveTradeError: topic('live_trade_error'),
          watchlistSignal: topic('watchlist_signal'),
        },
      },
      LiveTradeNotification: common({
        signalId: ($e) => lambda($e, idOf('signal_id')),
        status: ($e) => lambda($e, textOf('status')),
        liveTradeSignal: ($e) => signals.get({ id: lambda($e, idOf('signal_id')) }),
      }),
      LiveTradeErrorNotification: common({
        errorId: ($e) => lambda($e, idOf('error_id')),
        signalId: ($e) => lambda($e, idOf('signal_id')),
        stage: ($e) => lambda($e, textOf('stage')),
        venue: ($e) => lambda($e, textOf('venue')),
        liveTradeError: ($e) => errors.get({ id: lambda($e, idOf('error_id')) }),
      }),
      WatchlistSignalNotification: common({
        eventId: ($e) => lambda($e, idOf('event_id')),
        symbol: ($e) => lambda($e, textOf('symbol')),
        watchSignalEvent: ($e) => events.get({ id: lambda($e, idOf('event_id')) }),
      }),
    },
  };
}, 'WatchlistSubscriptionsPlugin');
