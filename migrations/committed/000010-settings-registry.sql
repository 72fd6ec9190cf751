--! Previous: sha1:d58ca9bf197406326a95c99dd10624b203a64f77
--! Hash: sha1:c81929977be51a23048207f645129d7f221f05dd
--! Message: settings-registry

-- Settings with types, ranges and one home; the venues a worker runs; manual orders end.
--
-- watchlist.setting is the registry: one row per knob with its type, unit, default,
-- range or allowed values. Its rows are defined in sql/settings.sql (re-applied on
-- every migrate, so registering a knob needs no migration); that file also resets
-- stored values the registry refuses and then adds the foreign key from
-- strategy_config, which cannot be added here before the rows exist.
create table if not exists watchlist.setting (
  key            text primary key,
  type           text not null check (type in ('number', 'integer', 'boolean', 'text', 'text_array', 'integer_array')),
  unit           text,
  default_value  jsonb not null,
  min_value      numeric,
  max_value      numeric,
  -- the upper bound is the current value of this other setting (trade.leverage ≤ trade.leverage_max)
  max_key        text references watchlist.setting(key),
  allowed_values jsonb check (allowed_values is null or jsonb_typeof(allowed_values) = 'array'),
  pattern        text,
  nullable       boolean not null default false,
  needs_restart  boolean not null default false,
  description    text not null,
  check (min_value is null or max_value is null or min_value <= max_value)
);

-- The venues the worker process actually runs, and the markets each one loaded,
-- written by the worker when it builds its venue set (replacing the previous set).
create table if not exists watchlist.worker_venue (
  venue          text primary key,
  mode           text not null,
  markets_loaded boolean not null,
  n_markets      integer not null default 0,
  worker         text not null,
  started_at     timestamptz not null default now()
);
create table if not exists watchlist.venue_market (
  venue  text not null references watchlist.worker_venue(venue) on delete cascade,
  symbol text not null,
  primary key (venue, symbol)
);

-- Manual orders: a time to live, a terminal 'expired', and an exact reduce-only size
-- (the kill switch flattens manual positions by quantity, not by notional).
alter table watchlist.manual_order add column if not exists expires_at timestamptz;
alter table watchlist.manual_order add column if not exists qty_base numeric;
alter table watchlist.manual_order drop constraint if exists manual_order_qty_base_check;
alter table watchlist.manual_order add constraint manual_order_qty_base_check check (qty_base is null or qty_base > 0);
alter table watchlist.manual_order drop constraint if exists manual_order_status_check;
alter table watchlist.manual_order add constraint manual_order_status_check
  check (status in ('new', 'submitted', 'filled', 'failed', 'expired'));
-- orders left 'new' by older versions get the default time to live from their creation,
-- so the next reconcile ends them instead of sending them late
update watchlist.manual_order set expires_at = created_at + interval '60 seconds' where expires_at is null;
create index if not exists manual_order_pending_idx on watchlist.manual_order (venue, symbol, id)
  where status in ('new', 'submitted');
