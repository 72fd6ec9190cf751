--! Previous: sha1:5e0091637fa6a56da9a79271315ec97dea47b518
--! Hash: sha1:ab7ce0c5b527d5c8c77a3f472afacca783cb91a9
--! Message: trim-orders

-- Orders that even two legs of different size (a partial IOC fill) are their own
-- purpose, 'trim', so fills, PnL and audits can tell them from opens and closes.
alter table watchlist.live_trade_order drop constraint if exists live_trade_order_purpose_check;
alter table watchlist.live_trade_order add constraint live_trade_order_purpose_check
  check (purpose in ('open', 'close', 'flatten', 'manual', 'trim'));

-- a failed set-leverage no longer lets a trade proceed unless the current leverage is
-- confirmed at or below the target; the knob that tolerated it is gone
delete from watchlist.strategy_config where key = 'trade.leverage_failure_tolerated';
