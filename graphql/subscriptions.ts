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
        "What changed: signal_status, sample, order, exit, config, manual_order, …"
        type: String
        "The trade it concerns, if any."
        signalId: BigInt
        "The trade's new status (signal_status)."
        status: String
        "The whole NOTIFY payload (ids and small fields only; read rows through the links)."
        payload: JSON
        "The trade, read when the notification arrives."
        liveTradeSignal: LiveTradeSignal
      }
      """A NOTIFY on channel live_trade_error."""
      type LiveTradeErrorNotification {
        "What happened (error)."
        type: String
        "The live_trade_error row."
        errorId: BigInt
        "The trade it concerns, if any."
        signalId: BigInt
        "Where in the loop it happened."
        stage: String
        "The venue involved, if any."
        venue: String
        "The whole NOTIFY payload."
        payload: JSON
        "The error row, read when the notification arrives."
        liveTradeError: LiveTradeError
      }
      """A NOTIFY on channel watchlist_signal: an event opened or closed, or raw rows were rejected."""
      type WatchlistSignalNotification {
        "event_open, event_close or raw_rejected."
        type: String
        "The event, for event_open / event_close."
        eventId: BigInt
        "The event's symbol."
        symbol: String
        "The whole NOTIFY payload."
        payload: JSON
        "The event, read when the notification arrives."
        watchSignalEvent: WatchSignalEvent
      }
      extend type Subscription {
        "Every change of the live loop (NOTIFY live_trade): trade status, samples, orders, exits, config, manual orders."
        liveTrade: LiveTradeNotification
        "Every error the live loop records (NOTIFY live_trade_error)."
        liveTradeError: LiveTradeErrorNotification
        "Events opening and closing, and raw rows rejected (NOTIFY watchlist_signal)."
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
