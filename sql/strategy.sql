-- Live-loop knobs with the plan's defaults (DESIGN "Decisions the plan left open").
-- Owns: watchlist.strategy_config rows with keys trade.* and kill_switch
--       (defaults only: values already set are kept; change them with set_config()).
insert into watchlist.strategy_config (key, value, description) values
  ('trade.signal_types', '["B"]', 'signal types the gate trades (Type C/A need spot orders: not automated)'),
  ('trade.horizon_min', '240', 'prediction horizon (minutes) the gate reads from pnl_regression'),
  ('trade.pnl_hat_min', '0.013', 'admit only when pnl_hat > this'),
  ('trade.win_prob_min', '0.94', 'admit only when win_prob > this'),
  ('trade.notional_usdt', '50', 'USDT per leg; the re-check sweeps the books at this notional'),
  ('trade.leverage', '1', 'leverage set on both legs before opening'),
  ('trade.cooldown_min', '60', 'minutes after a trade on symbol+pair before the same pair may trade again'),
  ('trade.max_active', '10', 'at most this many trades new/opening/open/closing'),
  ('trade.daily_cap', '20', 'at most this many admitted trades per UTC day'),
  ('trade.take_profit_ratio', '0.8', 'take profit when pnl_est >= ratio x pnl_hat'),
  ('trade.max_hold_hours', '168', 'forced exit after this many hours (7 days)'),
  ('trade.monitor_interval_s', '60', 'seconds between spread samples of an open trade'),
  ('trade.max_book_age_ms', '5000', 'order books older than this are refused'),
  ('trade.max_event_age_s', '300', 'events whose last trigger is older than this (backfills, lagging writers) are ignored as stale_event'),
  ('trade.max_signal_age_s', '120', 'an admitted signal not started within this many seconds is dropped'),
  ('trade.venues', '["binance","okx","bybit","bitget"]', 'venues the gate may trade'),
  ('trade.taker_fee_default', '0.0005', 'taker fee fraction used for exit estimates when a venue reports none'),
  ('trade.backoff_base_s', '2', 'venue API back-off: first delay (doubles per consecutive error)'),
  ('trade.backoff_max_s', '300', 'venue API back-off: longest delay'),
  ('trade.resume_after_s', '20', 'reconcile resumes opening/closing trades untouched for this long'),
  ('trade.manual_fallback_usdt', '50', 'manual orders below a venue minimum are retried at this notional'),
  ('trade.manual_max_usdt', '1000', 'largest manual order notional (USDT)'),
  ('kill_switch', '0', '0 off, 1 stop new entries, 2 stop entries and flatten every open trade')
on conflict (key) do nothing;
