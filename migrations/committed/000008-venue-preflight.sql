--! Previous: sha1:ec231e2c6f6b3c9df9d1828e01db6342a799e77c
--! Hash: sha1:39edf2c66d9ccde3a0ec2f7418fe03971ac2d4a9
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
