--! Previous: sha1:0e4924d2209ca51a9656d493fd015d5fa7d33137
--! Hash: sha1:8d57cbc90114717dce6acff4905a0570e23b16c0
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
