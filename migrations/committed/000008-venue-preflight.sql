--! Previous: sha1:ab7ce0c5b527d5c8c77a3f472afacca783cb91a9
--! Hash: sha1:54b0dbc35721f823f251dc9c73e01740d9a834b8
--! Message: venue-preflight

-- Preflight per venue (wl preflight, and at start of wl up / wl worker): the latest
-- result of each check. One row per (venue, check); a new run replaces the venue's rows,
-- so a check that no longer applies does not linger. Failures are also written to
-- live_trade_error (stage 'preflight') with the history.
create table if not exists watchlist.venue_preflight (
  venue       text not null,
  "check"     text not null,
  ok          boolean not null,
  detail      text not null default '',
  -- where the checks ran: live exchange, its demo/testnet, or a simulated venue
  environment text not null default 'live' check (environment in ('live', 'sandbox', 'paper', 'shadow')),
  checked_at  timestamptz not null default now(),
  primary key (venue, "check")
);
