--! Previous: sha1:fe4833dd9c6009b4eb95a653c6cd84e515fa6b2b
--! Hash: sha1:f1c973e9ff0b481a4eaa009702be1c9d22599898
--! Message: paper

-- Schema `paper`: the paper (and shadow) venues' own ledger, so orders, fills and
-- positions survive a restart exactly like they would on a real exchange.
-- Amounts are numeric; amount_str keeps the quantity string as the venue accepted it.

create schema if not exists paper;

create table if not exists paper.account (
  venue           text primary key,
  currency        text not null default 'USDT',
  initial_balance numeric not null,
  realized_pnl    numeric not null default 0,
  fees            numeric not null default 0,
  updated_at      timestamptz not null default now()
);

create table if not exists paper.venue_order (
  id              bigserial primary key,
  venue           text not null,
  client_order_id text not null,
  symbol          text not null,
  side            text not null check (side in ('buy', 'sell')),
  reduce_only     boolean not null,
  amount          numeric not null check (amount > 0),   -- base units after precision
  amount_str      text not null,
  filled          numeric not null check (filled >= 0),
  avg_price       numeric,
  fee             numeric not null default 0,
  fee_currency    text not null default 'USDT',
  status          text not null check (status in ('open', 'closed', 'canceled', 'rejected', 'expired')),
  ts              timestamptz not null,                  -- venue clock (simulated time)
  created_at      timestamptz not null default now(),
  meta            jsonb,
  unique (venue, client_order_id)
);
create index if not exists venue_order_venue_symbol_idx on paper.venue_order (venue, symbol, ts);

create table if not exists paper.fill (
  id        bigserial primary key,
  order_id  bigint not null references paper.venue_order(id),
  venue     text not null,
  symbol    text not null,
  trade_id  text not null,
  price     numeric not null check (price > 0),
  qty       numeric not null check (qty > 0),
  fee       numeric not null,
  ts        timestamptz not null,
  unique (venue, trade_id)
);
create index if not exists fill_order_idx on paper.fill (order_id);

create table if not exists paper.position (
  venue        text not null,
  symbol       text not null,
  size         numeric not null default 0,   -- signed base units: + long, - short
  entry_price  numeric,
  realized_pnl numeric not null default 0,
  leverage     integer not null default 1 check (leverage > 0),
  updated_at   timestamptz not null default now(),
  primary key (venue, symbol)
);
