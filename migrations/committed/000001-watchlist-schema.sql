--! Previous: -
--! Hash: sha1:23e442e54cb66c62d98dd5688335ed5a4695579b
--! Message: watchlist-schema

-- Schema `watchlist`: the plan's tables plus trading tables.
-- Written so it also upgrades a database that an existing writer already populated
-- with the plan's tables: every table is `create if not exists`, every column is
-- `add column if not exists`, every index `if not exists`. Rows are never rewritten.

create schema if not exists watchlist;

-------------------------------------------------------------------------------
-- Partition policy (owned here, used by watchlist.roll_partitions()).
create table if not exists watchlist.partition_policy (
  table_name      text primary key,
  retention_days  int  not null check (retention_days > 0),
  premake_days    int  not null default 2 check (premake_days >= 0)
);
insert into watchlist.partition_policy (table_name, retention_days, premake_days) values
  ('watch_signal_raw', 14, 2),
  ('watchlist_series_agg', 7, 2),
  ('market_snapshot', 14, 2)
on conflict (table_name) do nothing;

-------------------------------------------------------------------------------
-- watch_signal_raw: minute snapshots of pairs that met an A/B/C condition.
create table if not exists watchlist.watch_signal_raw (
  id          bigserial,
  ts          timestamptz not null,
  exchange    text not null,
  symbol      text not null,
  signal_type char(1) not null,
  primary key (ts, id)
) partition by range (ts);

alter table watchlist.watch_signal_raw
  add column if not exists spread_rel double precision,
  add column if not exists funding_rate double precision,
  add column if not exists funding_interval_hours double precision,
  add column if not exists next_funding_time timestamptz,
  add column if not exists volume_quote numeric,
  add column if not exists book_imbalance double precision,
  add column if not exists sweep_impact double precision,
  add column if not exists range_1h double precision,
  add column if not exists range_12h double precision,
  add column if not exists volatility double precision,
  add column if not exists slope_3m double precision,
  add column if not exists crossings_1h double precision,
  add column if not exists drift_ratio double precision,
  add column if not exists best_buy_high_sell_low double precision,
  add column if not exists best_sell_high_buy_low double precision,
  add column if not exists type_class text,
  add column if not exists triggered boolean not null default true,
  add column if not exists status text,
  add column if not exists meta jsonb,
  add column if not exists leg_a_exchange text,
  add column if not exists leg_a_symbol text,
  add column if not exists leg_a_kind text,
  add column if not exists leg_a_price numeric,
  add column if not exists leg_a_funding_rate double precision,
  add column if not exists leg_a_funding_interval_hours double precision,
  add column if not exists leg_a_next_funding_time timestamptz,
  add column if not exists leg_b_exchange text,
  add column if not exists leg_b_symbol text,
  add column if not exists leg_b_kind text,
  add column if not exists leg_b_price numeric,
  add column if not exists leg_b_funding_rate double precision,
  add column if not exists leg_b_funding_interval_hours double precision,
  add column if not exists leg_b_next_funding_time timestamptz;

create index if not exists watch_signal_raw_exchange_symbol_ts_idx on watchlist.watch_signal_raw (exchange, symbol, ts);
create index if not exists watch_signal_raw_ts_desc_idx on watchlist.watch_signal_raw (ts desc);

-------------------------------------------------------------------------------
-- watch_signal_event: consecutive triggered minutes merged into one opportunity.
create table if not exists watchlist.watch_signal_event (
  id          bigserial primary key,
  exchange    text not null,
  symbol      text not null,
  signal_type char(1) not null,
  start_ts    timestamptz not null,
  end_ts      timestamptz,
  duration_sec integer,
  features_agg jsonb,
  reason      text,
  status      text
);

alter table watchlist.watch_signal_event
  add column if not exists funding_interval_hours double precision,
  add column if not exists next_funding_time timestamptz,
  add column if not exists leg_a_exchange text,
  add column if not exists leg_a_symbol text,
  add column if not exists leg_a_kind text,
  add column if not exists leg_a_price numeric,
  add column if not exists leg_a_funding_rate double precision,
  add column if not exists leg_a_funding_interval_hours double precision,
  add column if not exists leg_a_next_funding_time timestamptz,
  add column if not exists leg_b_exchange text,
  add column if not exists leg_b_symbol text,
  add column if not exists leg_b_kind text,
  add column if not exists leg_b_price numeric,
  add column if not exists leg_b_funding_rate double precision,
  add column if not exists leg_b_funding_interval_hours double precision,
  add column if not exists leg_b_next_funding_time timestamptz,
  -- first triggered minute of the run that opened the event (start_ts is the N-th)
  add column if not exists first_trigger_ts timestamptz,
  add column if not exists last_trigger_ts timestamptz,
  add column if not exists n_triggers integer,
  -- running summaries of the core scalars while the event is open, one slot per
  -- name in watchlist.event_feature_names(); typed arrays because rebuilding a
  -- jsonb of 70 numbers per open event per minute dominated ingest. features_agg
  -- gets the jsonb form at close; watchlist.event_features(e) gives it any time.
  add column if not exists feat_first double precision[],
  add column if not exists feat_last double precision[],
  add column if not exists feat_min double precision[],
  add column if not exists feat_max double precision[],
  add column if not exists feat_sum double precision[],
  add column if not exists feat_n integer[],
  add column if not exists updated_at timestamptz default now();

create index if not exists watch_signal_event_exchange_symbol_start_idx on watchlist.watch_signal_event (exchange, symbol, start_ts);
create index if not exists watch_signal_event_start_desc_idx on watchlist.watch_signal_event (start_ts desc);
-- open events are extended every minute: index nothing that changes then, so the
-- update stays HOT (status only changes on close)
create index if not exists watch_signal_event_open_idx on watchlist.watch_signal_event (id) where status = 'open';
alter table watchlist.watch_signal_event set (fillfactor = 80);

-- Merge state per (exchange, symbol, signal_type, leg pair); one row per key.
create table if not exists watchlist.event_merge_state (
  key_id          bigint generated always as identity unique, -- compact key for the merge's sorts
  exchange        text not null,
  symbol          text not null,
  signal_type     char(1) not null,
  leg_a_exchange  text not null default '',
  leg_b_exchange  text not null default '',
  run_start_ts    timestamptz,      -- first minute of the current consecutive run
  run_len         integer not null default 0, -- distinct consecutive minutes in the run
  last_trigger_ts timestamptz,      -- minute of the last triggered row
  open_event_id   bigint,
  primary key (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange)
) with (fillfactor = 70);

-------------------------------------------------------------------------------
-- future_outcome: forward performance of an event at each horizon.
create table if not exists watchlist.future_outcome (
  id          bigserial primary key,
  event_id    bigint not null,
  horizon_min integer not null
);
alter table watchlist.future_outcome
  add column if not exists pnl double precision,
  add column if not exists spread_change double precision,
  add column if not exists funding_change double precision,
  add column if not exists max_drawdown double precision,
  add column if not exists volatility double precision,
  add column if not exists funding_applied jsonb,
  add column if not exists label jsonb,
  add column if not exists computed_at timestamptz default now();
create unique index if not exists future_outcome_event_horizon_key on watchlist.future_outcome (event_id, horizon_min);
create index if not exists future_outcome_event_idx on watchlist.future_outcome (event_id);
create index if not exists future_outcome_horizon_idx on watchlist.future_outcome (horizon_min);

-------------------------------------------------------------------------------
create table if not exists watchlist.watchlist_outcome (
  id          bigserial primary key,
  trigger_id  bigint
);
alter table watchlist.watchlist_outcome
  add column if not exists opened_at timestamptz,
  add column if not exists closed_at timestamptz,
  add column if not exists pnl double precision,
  add column if not exists max_drawdown double precision,
  add column if not exists holding_hours double precision,
  add column if not exists benchmark_return double precision,
  add column if not exists labels jsonb,
  add column if not exists notes text;
create index if not exists watchlist_outcome_trigger_idx on watchlist.watchlist_outcome (trigger_id);
create index if not exists watchlist_outcome_opened_idx on watchlist.watchlist_outcome (opened_at);

-------------------------------------------------------------------------------
create table if not exists watchlist.watchlist_symbol_ref (
  exchange text not null,
  symbol   text not null
);
alter table watchlist.watchlist_symbol_ref
  add column if not exists quote text,
  add column if not exists base text,
  add column if not exists sector text,
  add column if not exists industry text,
  add column if not exists listed boolean,
  add column if not exists status text,
  add column if not exists liquidity_tier text,
  add column if not exists contract_size numeric,
  add column if not exists min_notional numeric,
  add column if not exists updated_at timestamptz default now();
create index if not exists watchlist_symbol_ref_exchange_symbol_idx on watchlist.watchlist_symbol_ref (exchange, symbol);

-------------------------------------------------------------------------------
-- watchlist_series_agg: the 12h chart series.
create table if not exists watchlist.watchlist_series_agg (
  id        bigserial,
  ts        timestamptz not null,
  exchange  text not null,
  symbol    text not null,
  primary key (ts, id)
) partition by range (ts);
alter table watchlist.watchlist_series_agg
  add column if not exists spot_price numeric,
  add column if not exists futures_price numeric,
  add column if not exists spread_rel double precision,
  add column if not exists funding_rate double precision,
  add column if not exists funding_interval_hours double precision,
  add column if not exists next_funding_time timestamptz,
  add column if not exists series_meta jsonb;
create index if not exists watchlist_series_agg_exchange_symbol_ts_idx on watchlist.watchlist_series_agg (exchange, symbol, ts);
create index if not exists watchlist_series_agg_ts_desc_idx on watchlist.watchlist_series_agg (ts desc);

-------------------------------------------------------------------------------
-- market_snapshot: per venue, symbol and minute, the book swept at the trade
-- notional plus funding schedule. The scanner reads only this.
create table if not exists watchlist.market_snapshot (
  ts            timestamptz not null,  -- the minute (truncated)
  venue         text not null,
  symbol        text not null,
  bid           numeric,   -- average sell fill at notional_usdt (what a short gets)
  ask           numeric,   -- average buy fill at notional_usdt (what a long pays)
  bid_top       numeric,
  ask_top       numeric,
  mid           numeric,
  depth_ok      boolean,   -- both sides covered the notional
  notional_usdt numeric,
  funding_rate  double precision,
  funding_interval_hours double precision,
  next_funding_time timestamptz,
  book_ts       timestamptz,           -- exchange time of the book
  collected_at  timestamptz not null default now(),
  meta          jsonb,
  primary key (ts, venue, symbol)
) partition by range (ts);
create index if not exists market_snapshot_symbol_ts_idx on watchlist.market_snapshot (symbol, ts);

-------------------------------------------------------------------------------
-- strategy_config: every knob, audited.
create table if not exists watchlist.strategy_config (
  key         text primary key,
  value       jsonb not null,
  description text,
  updated_at  timestamptz not null default now(),
  updated_by  text not null default current_user
);
create table if not exists watchlist.strategy_config_audit (
  id         bigserial primary key,
  key        text not null,
  old_value  jsonb,
  new_value  jsonb,
  changed_at timestamptz not null default now(),
  changed_by text not null default current_user,
  note       text
);

-------------------------------------------------------------------------------
-- pnl_model: linear models per (signal type, horizon); one active row each.
create table if not exists watchlist.pnl_model (
  id            bigserial primary key,
  signal_type   char(1) not null,
  horizon_min   integer not null,
  version       text not null,
  intercept     double precision not null,
  coefs         jsonb not null,   -- {factor: coefficient}
  resid_std     double precision not null check (resid_std > 0),
  fee_threshold double precision not null default 0.001,
  n_obs         integer,
  r2            double precision,
  is_prior      boolean not null default false,
  active        boolean not null default true,
  fitted_at     timestamptz not null default now(),
  notes         text
);
create unique index if not exists pnl_model_one_active on watchlist.pnl_model (signal_type, horizon_min) where active;

-------------------------------------------------------------------------------
-- Trading tables.
create table if not exists watchlist.live_trade_signal (
  id                 bigserial primary key,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  event_id           bigint,
  symbol             text not null,
  signal_type        char(1) not null default 'B',
  horizon_min        integer,
  pnl_hat            double precision,
  win_prob           double precision,
  threshold          jsonb,
  leg_long_exchange  text,
  leg_short_exchange text,
  status             text not null default 'new'
    check (status in ('new','ignored','opening','open','closing','closed','failed','partial_failed')),
  reason             text,
  payload            jsonb,
  recheck            jsonb,
  kind               text not null default 'auto' check (kind in ('auto','manual')),
  notional_usdt      numeric,
  leverage           integer,
  entry_spread       double precision,
  opened_at          timestamptz,
  closed_at          timestamptz
);
create index if not exists live_trade_signal_created_idx on watchlist.live_trade_signal (created_at desc);
create index if not exists live_trade_signal_event_idx on watchlist.live_trade_signal (event_id);
create index if not exists live_trade_signal_status_idx on watchlist.live_trade_signal (status) where status in ('new','opening','open','closing');

create table if not exists watchlist.live_trade_order (
  id                bigserial primary key,
  signal_id         bigint references watchlist.live_trade_signal(id),
  leg               text check (leg in ('long','short')),
  purpose           text not null default 'open' check (purpose in ('open','close','flatten','manual')),
  exchange          text not null,
  symbol            text not null,
  side              text not null check (side in ('buy','sell')),
  client_order_id   text not null unique,
  exchange_order_id text,
  reduce_only       boolean not null default false,
  amount            numeric,     -- base units requested
  notional_usdt     numeric,
  normalized_qty    text,        -- quantity string as sent (exchange precision)
  submitted_at      timestamptz,
  status            text not null default 'pending',
  filled_qty        numeric,
  avg_price         numeric,
  fee               numeric,
  fee_currency      text,
  order_resp        jsonb,
  updated_at        timestamptz not null default now()
);
create index if not exists live_trade_order_signal_idx on watchlist.live_trade_order (signal_id);

create table if not exists watchlist.live_trade_fill (
  id           bigserial primary key,
  order_id     bigint not null references watchlist.live_trade_order(id),
  signal_id    bigint references watchlist.live_trade_signal(id),
  exchange     text not null,
  trade_id     text not null,
  ts           timestamptz not null,
  price        numeric not null,
  qty          numeric not null,
  fee          numeric,
  fee_currency text,
  unique (order_id, trade_id)
);
create index if not exists live_trade_fill_signal_idx on watchlist.live_trade_fill (signal_id);

create table if not exists watchlist.live_trade_spread_sample (
  id              bigserial primary key,
  signal_id       bigint not null references watchlist.live_trade_signal(id),
  ts              timestamptz not null,
  bidask          jsonb,
  spread          double precision,
  pnl_est         double precision,
  funding_accrued double precision
);
create index if not exists live_trade_spread_sample_signal_ts_idx on watchlist.live_trade_spread_sample (signal_id, ts desc);

create table if not exists watchlist.live_trade_exit (
  id                bigserial primary key,
  signal_id         bigint not null unique references watchlist.live_trade_signal(id),
  reason            text not null check (reason in ('take_profit','max_hold','manual','kill_switch','rollback')),
  requested_at      timestamptz not null default now(),
  closed_at         timestamptz,
  exit_fills        jsonb,
  spread_pnl        double precision,
  fees_usdt         numeric,
  funding_usdt      numeric,
  realized_pnl_usdt numeric,
  realized_pnl_frac double precision,
  pnl_hat           double precision
);

create table if not exists watchlist.live_trade_error (
  id          bigserial primary key,
  ts          timestamptz not null default now(),
  signal_id   bigint,
  stage       text not null,
  venue       text,
  error_class text,
  message     text not null,
  payload     jsonb
);
create index if not exists live_trade_error_ts_idx on watchlist.live_trade_error (ts desc);
create index if not exists live_trade_error_signal_idx on watchlist.live_trade_error (signal_id);
