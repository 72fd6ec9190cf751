--! Previous: sha1:97fc538dc520eb772ee093f2a2d390c1945f471d
--! Hash: sha1:f86ce44d6c0b0393692bb5cd4d2c630e1811e798
--! Message: cockpit

-- Issue 12, item 4: balances per venue as the venues report them.
-- venue_balance: the latest USDT balance each venue answered (reconcile reads it every
--   pass), so the pages show what the account holds next to realised PnL.
create table if not exists watchlist.venue_balance (
  venue      text primary key,
  currency   text not null default 'USDT',
  total      numeric not null,
  free       numeric,
  fetched_at timestamptz not null default now()
);
