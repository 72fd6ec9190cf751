--! Previous: sha1:9ed96c5944d0762387e4d4d9d22dfe9f90196798
--! Hash: sha1:ec231e2c6f6b3c9df9d1828e01db6342a799e77c
--! Message: trim-orders

-- Orders that even two legs of different size (a partial IOC fill) are their own
-- purpose, 'trim', so fills, PnL and audits can tell them from opens and closes.
alter table watchlist.live_trade_order drop constraint if exists live_trade_order_purpose_check;
alter table watchlist.live_trade_order add constraint live_trade_order_purpose_check
  check (purpose in ('open', 'close', 'flatten', 'manual', 'trim'));

-- a failed set-leverage no longer lets a trade proceed unless the current leverage is
-- confirmed at or below the target; the knob that tolerated it is gone
delete from watchlist.strategy_config where key = 'trade.leverage_failure_tolerated';
