--! Previous: sha1:2065882980a8f6d9e238b955dafda41c7ccfb2fd
--! Hash: sha1:257a4c4ac4bfbb79d691bb7011adfc3a2fe3638e
--! Message: outcomes

-- Issue 11, items 1, 2 and 6: forward outcomes with funding at real settlements,
-- the funding-history cache, the paper ledger's funding, writers for series/symbol/outcome.

-- future_outcome: the canonical components under their own names (pnl, spread_change and
-- funding_change stay filled with the same values: pnl = pnl_total, spread_change =
-- pnl_spread, funding_change = pnl_funding, as the plan's readers expect).
alter table watchlist.future_outcome
  add column if not exists pnl_spread double precision,
  add column if not exists pnl_funding double precision,
  add column if not exists pnl_total double precision,
  add column if not exists spread_start double precision,
  add column if not exists spread_end double precision,
  add column if not exists horizon_end timestamptz,
  add column if not exists missing boolean;
create index if not exists future_outcome_missing_idx on watchlist.future_outcome (event_id) where missing;

-- Public funding settlements per venue and symbol (venue history via REST, cached).
create table if not exists watchlist.funding_settlement (
  venue          text not null,
  symbol         text not null,
  ts             timestamptz not null,
  rate           double precision not null check (rate = rate and abs(rate) < 1),
  interval_hours double precision check (interval_hours > 0),
  source         text not null,
  fetched_at     timestamptz not null default now(),
  primary key (venue, symbol, ts)
);

-- The spans a history fetch covered (a settlement absent inside a span did not happen).
create table if not exists watchlist.funding_history_span (
  id         bigserial primary key,
  venue      text not null,
  symbol     text not null,
  from_ts    timestamptz not null,
  to_ts      timestamptz not null check (to_ts >= from_ts),
  n_points   integer not null,
  source     text not null,
  error      text,
  fetched_at timestamptz not null default now()
);
create index if not exists funding_history_span_key_idx on watchlist.funding_history_span (venue, symbol, to_ts);

-- The paper account's funding: one row per settlement with a position, money in numeric.
create table if not exists paper.funding_ledger (
  venue      text not null,
  symbol     text not null,
  ts         timestamptz not null,
  rate       numeric not null,
  size       numeric not null,  -- signed base position just before the settlement
  price      numeric not null,  -- mark used (the book mid at the settlement)
  amount     numeric not null,  -- + received, − paid: −rate × size × price
  settled_at timestamptz not null default now(),
  primary key (venue, symbol, ts)
);

-- watchlist_outcome: one row per closed live trade (writer: watchlist.record_trade_outcomes)
alter table watchlist.watchlist_outcome
  add column if not exists signal_id bigint,
  add column if not exists event_id bigint,
  add column if not exists symbol text,
  add column if not exists pnl_hat double precision,
  add column if not exists recorded_at timestamptz default now();
create unique index if not exists watchlist_outcome_signal_key on watchlist.watchlist_outcome (signal_id);
