--! Previous: sha1:9ed96c5944d0762387e4d4d9d22dfe9f90196798
--! Hash: sha1:5e0091637fa6a56da9a79271315ec97dea47b518
--! Message: order-fills-and-ids

-- Fills the exchange owes us, look-ups that conclude "not placed" only after a span,
-- and client order ids unique across installations.

-- A fill recorded from the order's own filled/average because the trade list did not
-- add up within trade.fill_wait_s: marked, so PnL and audits can tell it apart.
alter table watchlist.live_trade_fill
  add column if not exists synthetic boolean not null default false;

-- When look-ups first answered "no such order": "not placed" is only concluded once
-- look-ups have spanned trade.lookup_span_s from here.
alter table watchlist.live_trade_order
  add column if not exists lookup_empty_since timestamptz;

-- This installation's random prefix for client order ids (`wl` + prefix + signal,
-- leg, attempt). A wiped database or a second installation on the same keys gets a
-- different prefix, so ids never repeat across them. Six upper-case letters: the
-- signal/manual id that follows is digits, so the id stays decodable.
create table if not exists watchlist.installation (
  singleton  boolean primary key default true check (singleton),
  prefix     text not null check (prefix ~ '^[A-Z]{6}$'),
  created_at timestamptz not null default now()
);
insert into watchlist.installation (prefix)
select string_agg(chr(65 + floor(random() * 26)::int), '') from generate_series(1, 6)
on conflict do nothing;

-- Evidence that someone else trades a venue account with our id convention (another
-- installation, or this one before a database wipe): a look-up that answered with an
-- order that is not ours, or an open order with a foreign prefix. A venue with an
-- unacknowledged row opens no new trades.
create table if not exists watchlist.venue_foreign_activity (
  id              bigserial primary key,
  venue           text not null,
  detected_at     timestamptz not null default now(),
  client_order_id text not null,
  foreign_prefix  text,
  kind            text not null check (kind in ('lookup_mismatch', 'foreign_open_order')),
  evidence        jsonb,
  acknowledged_at timestamptz,
  acknowledged_by text,
  note            text,
  unique (venue, client_order_id, kind)
);
create index if not exists venue_foreign_activity_open_idx
  on watchlist.venue_foreign_activity (venue) where acknowledged_at is null;

comment on column watchlist.live_trade_fill.synthetic is
  'True for the one fill recorded from the order''s filled amount and average price because the exchange''s trade list did not add up within trade.fill_wait_s.';
comment on column watchlist.live_trade_order.lookup_empty_since is
  'When look-ups first answered "no such order"; not_placed is concluded only after trade.lookup_span_s from here.';
comment on table watchlist.installation is
  'This installation''s random client-order-id prefix (wl + prefix + signal, leg, attempt).';
comment on table watchlist.venue_foreign_activity is
  'Evidence that another installation trades a venue account with our client-id convention; an unacknowledged row stops new trades on that venue.';
