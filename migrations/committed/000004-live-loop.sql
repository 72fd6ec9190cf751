--! Previous: sha1:f1c973e9ff0b481a4eaa009702be1c9d22599898
--! Hash: sha1:0f2cc9f269018fdd824fe159bfa6d9ae49b47991
--! Message: live-loop

-- Live loop (issue 4): what the gate, the trade jobs, reconcile and manual
-- trading need beyond the trading tables of 000001.

-- live_trade_signal: the pair and legs a signal trades, and how often an
-- ignored candidate was re-evaluated (an event re-evaluated every minute for
-- the same reason keeps one row, so the funnel counts candidates, not minutes).
alter table watchlist.live_trade_signal
  add column if not exists cycle_ts timestamptz,
  add column if not exists eval_count integer not null default 1,
  add column if not exists last_eval_at timestamptz not null default now(),
  add column if not exists attempt integer not null default 1,
  add column if not exists entry_fees_usdt numeric,
  add column if not exists entry_qty numeric;

-- One active trade per symbol: two racing gates cannot both admit.
create unique index if not exists live_trade_signal_one_active_per_symbol
  on watchlist.live_trade_signal (symbol)
  where status in ('new', 'opening', 'open', 'closing') and kind = 'auto';
create index if not exists live_trade_signal_symbol_pair_created_idx
  on watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, created_at desc)
  where status <> 'ignored';
create index if not exists live_trade_signal_event_status_idx
  on watchlist.live_trade_signal (event_id, status);

alter table watchlist.live_trade_order
  add column if not exists attempt integer not null default 1,
  add column if not exists ref_price numeric,
  add column if not exists error text,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists manual_order_id bigint;
create index if not exists live_trade_order_open_status_idx
  on watchlist.live_trade_order (status) where status in ('pending', 'unknown');

alter table watchlist.live_trade_error
  add column if not exists order_id bigint;

-- Positions as the venues report them (refreshed by reconcile and after orders).
create table if not exists watchlist.venue_position (
  venue          text not null,
  symbol         text not null,
  size_base      numeric not null,
  entry_price    numeric,
  unrealized_pnl numeric,
  fetched_at     timestamptz not null default now(),
  primary key (venue, symbol)
);

-- Per-venue API health and exponential back-off.
create table if not exists watchlist.venue_health (
  venue              text primary key,
  status             text not null default 'ok' check (status in ('ok', 'backoff', 'down')),
  consecutive_errors integer not null default 0,
  backoff_until      timestamptz,
  last_ok_at         timestamptz,
  last_error_at      timestamptz,
  last_error         text
);

-- Manual single-leg orders (page buttons, `wl trade`).
create table if not exists watchlist.manual_order (
  id              bigserial primary key,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  actor           text,
  venue           text not null,
  symbol          text not null,
  action          text not null check (action in ('open_long', 'open_short', 'close_long', 'close_short')),
  notional_usdt   numeric not null check (notional_usdt > 0),
  status          text not null default 'new' check (status in ('new', 'submitted', 'filled', 'failed')),
  client_order_id text,
  order_id        bigint references watchlist.live_trade_order(id),
  error           text
);
create index if not exists manual_order_created_idx on watchlist.manual_order (created_at desc);

-- Audit of every trader lever (manual trades, closes, kill switch).
create table if not exists watchlist.trader_action (
  id     bigserial primary key,
  ts     timestamptz not null default now(),
  actor  text not null,
  action text not null,
  args   jsonb,
  result jsonb
);
create index if not exists trader_action_ts_idx on watchlist.trader_action (ts desc);
