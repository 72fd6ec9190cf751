--! Previous: sha1:f86ce44d6c0b0393692bb5cd4d2c630e1811e798
--! Hash: sha1:2065882980a8f6d9e238b955dafda41c7ccfb2fd
--! Message: status-sets

-- Issue 10 item 2: each status set written once. The named sets of trade and
-- order statuses are rows here; sql/rules.sql turns each set into one immutable
-- predicate (trade_is_active(status), order_is_unresolved(status), …) that
-- triggers, views, GraphQL and pages use, and the partial indexes below take
-- their predicates from the same rows. Changing a set is a new migration that
-- updates these rows and rebuilds the indexes named here (sql/ is re-applied
-- after every migrate, so the predicates follow).
create table if not exists watchlist.status_set (
  entity   text not null check (entity in ('trade', 'order')),
  set_name text not null,
  status   text not null,
  primary key (entity, set_name, status)
);
comment on table watchlist.status_set is
  'Named sets of statuses (entity trade = live_trade_signal.status, order = live_trade_order.status): active, in_flight, finished, unresolved. sql/rules.sql builds one predicate function per set from these rows.';

insert into watchlist.status_set (entity, set_name, status) values
  -- a trade that holds a symbol: counts against one-per-symbol and trade.max_active
  ('trade', 'active', 'new'), ('trade', 'active', 'opening'), ('trade', 'active', 'open'), ('trade', 'active', 'closing'),
  -- a trade a job is moving on (reconcile resumes it; positions may differ meanwhile)
  ('trade', 'in_flight', 'new'), ('trade', 'in_flight', 'opening'), ('trade', 'in_flight', 'closing'),
  -- a trade that will not change again
  ('trade', 'finished', 'closed'), ('trade', 'finished', 'failed'), ('trade', 'finished', 'partial_failed'),
  -- an order whose outcome the venue has not settled yet
  ('order', 'unresolved', 'pending'), ('order', 'unresolved', 'unknown'), ('order', 'unresolved', 'open'),
  ('order', 'unresolved', 'partially_filled')
on conflict do nothing;

-- Partial indexes whose predicate is a status set, generated from the rows above.
-- The unresolved-order index covered pending/unknown only (2 of 4); the new one
-- covers the whole set, keyed as reconcile probes it (venue, symbol).
do $$
declare
  v_active text := (select string_agg(quote_literal(status), ', ' order by status)
                    from watchlist.status_set where entity = 'trade' and set_name = 'active');
  v_unresolved text := (select string_agg(quote_literal(status), ', ' order by status)
                        from watchlist.status_set where entity = 'order' and set_name = 'unresolved');
begin
  drop index if exists watchlist.live_trade_order_open_status_idx;
  execute format('create index if not exists live_trade_order_unresolved_idx on watchlist.live_trade_order (exchange, symbol) where status in (%s)', v_unresolved);
  drop index if exists watchlist.live_trade_signal_status_idx;
  execute format('create index live_trade_signal_status_idx on watchlist.live_trade_signal (status) where status in (%s)', v_active);
  drop index if exists watchlist.live_trade_signal_one_active_per_symbol;
  execute format('create unique index live_trade_signal_one_active_per_symbol on watchlist.live_trade_signal (symbol) where status in (%s) and kind = %L', v_active, 'auto');
end $$;
