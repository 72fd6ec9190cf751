-- The GraphQL API surface: what PostGraphile exposes, and the description GraphiQL
-- shows for each. GraphQL is default-deny (graphql/exposure.ts): a table, view or
-- function of schema watchlist is in the API only when its comment carries the
-- `@api` smart tag on the first line (PostGraphile reads smart tags only
-- before the description), so a new internal function stays hidden
-- unless someone exposes it here on purpose (CONVENTIONS.md). Exposed tables and
-- views are read-only in GraphQL; writes go through the trader functions below.
-- Applied after every other file of sql/ (db/migrate.ts), so these comments are the
-- ones in force. graphql/schema.graphql is the printed result (npm run schema:print).
-- Owns: no tables. Comments on: every table, view and function GraphQL exposes, and
--   the columns of exposed tables and views that have no comment where they are created.

-------------------------------------------------------------------------------
-- The plan's tables: signals, events, outcomes, market data, models.
comment on table watchlist.watch_signal_raw is
  E'@api\nMinute snapshots of pairs that met a Type A/B/C condition (daily partitions). Leg a is the short (high) venue, leg b the long (low) venue.';
comment on table watchlist.watch_signal_event is
  E'@api\nConsecutive triggered minutes of one key (exchange, symbol, signal type, leg pair) merged into one opportunity.';
comment on table watchlist.future_outcome is
  E'@api\n@foreignKey (event_id) references watchlist.watch_signal_event (id)\nForward performance of an event at each horizon.';
comment on table watchlist.watchlist_outcome is
  E'@api\nExecution outcomes of watchlist triggers, as the plan''s writer records them.';
comment on table watchlist.watchlist_symbol_ref is
  E'@api\nSymbol metadata per exchange: base, quote, sector, listing status, liquidity tier, contract size, minimum notional.';
comment on table watchlist.watchlist_series_agg is
  E'@api\nChart series per exchange and symbol: spot and futures prices, spread and funding (daily partitions).';
comment on table watchlist.market_snapshot is
  E'@api\nPer venue, symbol and minute: the book swept at the trade notional, top of book, mid and the funding schedule (daily partitions).';
comment on table watchlist.pnl_model is
  E'@api\nLinear PnL models per signal type and horizon (at most one active each); predict_bc reads the active one.';

-------------------------------------------------------------------------------
-- Settings.
comment on table watchlist.setting is
  E'@api\nThe settings registry: every knob, its type, unit, default and allowed range or values. Values are changed with setConfig.';
comment on table watchlist.strategy_config is
  E'@api\nThe current value of each registered setting (created from its default). Changed only through setConfig, which audits it.';
comment on table watchlist.strategy_config_audit is
  E'@api\nEvery change of a setting: old and new value, who changed it and why.';

-------------------------------------------------------------------------------
-- The trading audit trail.
comment on table watchlist.live_trade_signal is
  E'@api\n@foreignKey (event_id) references watchlist.watch_signal_event (id)\nA signal admitted or ignored by the gate, and the trade it became.';
comment on table watchlist.live_trade_order is
  E'@api\nEvery order sent (or about to be sent) to a venue: trade legs, closes, flattens and manual orders.';
comment on table watchlist.live_trade_fill is
  E'@api\nExecutions of an order as the venue reported them, one row per venue trade id.';
comment on table watchlist.live_trade_spread_sample is
  E'@api\nThe executable exit spread and estimated PnL of an open trade, sampled every minute by the monitor.';
comment on table watchlist.live_trade_exit is
  E'@api\nWhy and when a trade was closed, and its realised PnL (spread, fees and funding).';
comment on table watchlist.live_trade_error is
  E'@api\n@foreignKey (signal_id) references watchlist.live_trade_signal (id)\nEvery error of the live loop, with its stage and venue.';
comment on table watchlist.manual_order is
  E'@api\nA manual market order requested by the trader (manualTrade, kill switch 2 flatten), and what became of it.';
comment on table watchlist.trader_action is
  E'@api\nAudit of every trader lever pulled (manual orders, closes, kill switch, acknowledgements): who, when, with what arguments and result.';

-------------------------------------------------------------------------------
-- Venues.
comment on table watchlist.venue_position is
  E'@api\nPositions each venue reported at the last reconcile, per symbol.';
comment on table watchlist.venue_health is
  E'@api\nPer venue: healthy or backing off after consecutive errors, with the last success and the last error.';
comment on table watchlist.venue_mode is
  E'@api\nHow each venue of the running worker trades, written when the worker starts: live (real orders with the account''s keys), sandbox (the exchange''s demo/testnet), shadow (real books, simulated fills) or paper (simulated market).';
comment on table watchlist.venue_preflight is
  E'@api\nLatest preflight of each venue, one row per check (position_mode, margin_mode, leverage, clock, key_permissions). A venue with a failed check is not traded.';
comment on table watchlist.venue_foreign_activity is
  E'@api\nEvidence that another installation trades a venue account with our client-id convention; an unacknowledged row stops new trades on that venue.';
comment on table watchlist.worker_venue is
  E'@api\nThe venues the worker process runs (from WL_VENUES), written at worker start.';
comment on table watchlist.venue_market is
  E'@api\nThe markets (unified symbols) each running venue loaded at worker start.';
comment on table watchlist.watch_signal_raw_rejected is
  E'@api\nRaw rows a writer sent that cannot be true (future timestamp, unknown venue, non-finite factor, bad price), kept with the reason instead of being stored in watch_signal_raw.';

-------------------------------------------------------------------------------
-- The analyst views.
comment on view watchlist.v_active_trades is
  E'@api\nTrades in flight (opening, open, closing) with their newest spread sample and take-profit target.';
comment on view watchlist.v_expected_position is
  E'@api\nSigned base quantity the product''s orders should hold per venue and symbol (each order by its effective quantity); reconcile compares it with venue_position.';
comment on view watchlist.v_manual_position is
  E'@api\nSigned base quantity manual orders hold per venue and symbol (their fills); kill switch 2 flattens it.';
comment on view watchlist.v_signal_funnel is
  E'@api\nGate decisions per UTC day: signals per status and reason, and how many evaluations they took.';
comment on view watchlist.v_trade_pnl is
  E'@api\nRealised against predicted PnL per closed trade: spread PnL, fees, funding, and whether every part is known.';
comment on view watchlist.v_pnl_daily is
  E'@api\nRealised PnL per UTC day of the exit: trades, rollbacks (partial_failed trades'' realised loss), PnL, fees and funding in USDT, win rate, and how many PnLs are incomplete (a leg unknown or a fee unconverted).';
comment on view watchlist.v_pnl_by_pair is
  E'@api\nRealised PnL per symbol and venue pair (short, long): trades, rollbacks, PnL in USDT, mean PnL fraction, win rate, incomplete PnLs.';
comment on view watchlist.v_venue_errors is
  E'@api\nPer venue and hour: orders, failed orders, errors and the order failure rate.';
comment on view watchlist.v_prediction_coverage is
  E'@api\nShare of Type B raw rows / events (last 7 days) with a 240m pnl_hat, and missing-factor reasons, per hour, leg venue and symbol.';
comment on view watchlist.v_raw_rejections is
  E'@api\nRaw rows the guard diverted, per hour, reason and writing role, with the latest rejected row.';
comment on view watchlist.v_settings is
  E'@api\nEvery setting with the value in force, its default and what it accepts.';

-------------------------------------------------------------------------------
-- Read helpers for the pages (root query fields).
comment on function watchlist.viewer_role() is
  E'@api\nThe database role this request runs as: wl_reader (anonymous) or wl_trader.';
comment on function watchlist.pair_spread_series(text, text, text, int) is
  E'@api\nMinute spread log(short mid / long mid) of a venue pair over the last p_hours (max 48): pair_minute, else market_snapshot.';

-- Computed columns (a function named <table>_<field>(row) is a field of that table's type).
comment on function watchlist.live_trade_signal_latest_sample(watchlist.live_trade_signal) is
  E'@api\nThe newest spread sample of this trade.';
comment on function watchlist.live_trade_signal_current_spread(watchlist.live_trade_signal) is
  E'@api\nExecutable exit spread log(short ask / long bid) of the newest sample.';
comment on function watchlist.live_trade_signal_current_pnl_est(watchlist.live_trade_signal) is
  E'@api\nEstimated PnL (fraction of notional) if closed at the newest sample.';
comment on function watchlist.live_trade_signal_held_seconds(watchlist.live_trade_signal) is
  E'@api\nSeconds since the trade opened (until it closed, once closed).';
comment on function watchlist.live_trade_signal_take_profit_pnl(watchlist.live_trade_signal) is
  E'@api\npnl_est at which the trade takes profit: take-profit ratio × pnl_hat.';
comment on function watchlist.live_trade_signal_take_profit_spread(watchlist.live_trade_signal) is
  E'@api\nExit spread at which take-profit is reached (entry spread − target pnl, funding ignored).';
comment on function watchlist.watch_signal_event_features(watchlist.watch_signal_event) is
  E'@api\nfeatures_agg as of now: meta snapshots plus first/last/min/max/mean of the core scalars.';

-- The trader's levers (mutations; PostgreSQL grants them to wl_trader only, sql/grants.sql).
comment on function watchlist.set_config(text, jsonb, text) is
  E'@api\nChange one setting (trader only): the value is checked against the registry (type, range, allowed values) and the change audited with who and why. Returns the new strategy_config row.';
comment on function watchlist.set_kill_switch(int, text) is
  E'@api\nSet the kill switch (trader only): 0 off, 1 no new entries, 2 no new entries, close every open trade and flatten what manual orders hold.';
comment on function watchlist.manual_trade(text, text, text, numeric) is
  E'@api\nQueue one manual market order (trader only): p_action open_long, open_short, close_long or close_short of p_notional_usdt on a venue the worker runs; returns the manual_order id.';
comment on function watchlist.request_close(bigint, text) is
  E'@api\nAsk the monitor to close an open trade (trader only), with a reason; returns the live_trade_exit id.';
comment on function watchlist.expire_manual_orders() is
  E'@api\nEnd every unsent manual order past its time to live (trader only); returns how many expired.';
comment on function watchlist.acknowledge_foreign_activity(text, text) is
  E'@api\nOperator acknowledgement that another installation (or this one before a database wipe) trades this venue account; new trades on the venue resume.';
