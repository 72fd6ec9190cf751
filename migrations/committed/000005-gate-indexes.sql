--! Previous: sha1:0f2cc9f269018fdd824fe159bfa6d9ae49b47991
--! Hash: sha1:9ed96c5944d0762387e4d4d9d22dfe9f90196798
--! Message: gate-indexes

-- The gate's cooldown and one-trade-per-symbol look-ups read traded signals of one
-- symbol; ignored candidates (one per event) would otherwise make them scan a table
-- that grows with every event.
create index if not exists live_trade_signal_traded_symbol_idx
  on watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange)
  where status <> 'ignored';
