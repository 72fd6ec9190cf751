--! Previous: sha1:9ed96c5944d0762387e4d4d9d22dfe9f90196798
--! Hash: sha1:39f2dfed64dd14e588e7ae08a2bae201c0b5bacc
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
