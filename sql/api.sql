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
  E'@api\nChange one setting (trader only): the value is checked against the registry (type, range, allowed values) and the change audited with who and why. kill_switch is the same lever as setKillSwitch: level 2 also closes every open trade and flattens manual positions. Returns the new strategy_config row.';
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

-------------------------------------------------------------------------------
-- Exposed with the description written beside their definition: the marker is added
-- here, so this list is still the one place that decides what GraphQL shows.
do $api$
declare
  o record;
  d text;
begin
  for o in select * from (values
    -- research (sql/research.sql, sql/outcomes.sql)
    ('table', 'watchlist.research_report'), ('table', 'watchlist.pnl_model_activation'),
    ('table', 'watchlist.funding_settlement'),
    ('view', 'watchlist.v_trade_predicted_vs_realised'), ('view', 'watchlist.v_trade_calibration'),
    ('view', 'watchlist.v_research_latest'),
    -- the cockpit (sql/live_views.sql, sql/balances.sql, sql/graphql.sql, sql/force_enter.sql)
    ('view', 'watchlist.v_pnl_summary'), ('view', 'watchlist.v_pnl_by_venue'), ('view', 'watchlist.v_venue_equity'),
    ('table', 'watchlist.venue_balance'), ('table', 'watchlist.status_set'),
    ('function', 'watchlist.trade_history(text, text, text, text, text)'),
    ('function', 'watchlist.live_trade_spread_sample_take_profit_spread(watchlist.live_trade_spread_sample)'),
    ('function', 'watchlist.live_trade_signal_is_active(watchlist.live_trade_signal)'),
    ('function', 'watchlist.live_trade_signal_is_finished(watchlist.live_trade_signal)'),
    ('function', 'watchlist.force_enter(text, text, text, text)')
  ) v(kind, name) loop
    d := case when o.kind = 'function' then obj_description(o.name::regprocedure, 'pg_proc')
              else obj_description(o.name::regclass, 'pg_class') end;
    if d is null then
      raise exception '% % is exposed but has no description', o.kind, o.name;
    end if;
    if d not like E'@api\n%' then
      execute format('comment on %s %s is %L', o.kind, o.name, E'@api\n' || d);
    end if;
  end loop;
end
$api$;

-------------------------------------------------------------------------------
-- Columns of exposed tables and views (their GraphQL field descriptions), where the
-- file that creates them has none. One row per column; a column that no longer
-- exists is skipped, so a rename elsewhere never fails the migrate (the description
-- test, test/graphql-schema.test.ts, notices the missing description instead).
-- Columns of watch_signal_event that the event browser filters by carry their
-- behaviour here too (tags first, then the description).
do $$
declare r record;
begin
  for r in
    select * from (values
      -- watch_signal_raw (leg a = short / high venue, leg b = long / low venue)
      ('watch_signal_raw', 'id', 'Row id (increasing; with ts the primary key).'),
      ('watch_signal_raw', 'ts', 'The minute this snapshot is of (UTC).'),
      ('watch_signal_raw', 'exchange', 'Venue of a single-venue signal, or multi for a cross-venue pair.'),
      ('watch_signal_raw', 'symbol', 'Unified perp symbol, e.g. BTC/USDT:USDT.'),
      ('watch_signal_raw', 'signal_type', 'Signal type: A, B (cross-venue perp spread) or C.'),
      ('watch_signal_raw', 'spread_rel', 'Relative spread between the two legs (high over low − 1).'),
      ('watch_signal_raw', 'funding_rate', 'Funding rate difference the pair earns per interval (short leg − long leg).'),
      ('watch_signal_raw', 'funding_interval_hours', 'Funding interval in hours.'),
      ('watch_signal_raw', 'next_funding_time', 'Next funding settlement.'),
      ('watch_signal_raw', 'volume_quote', 'Traded volume in the quote currency (USDT).'),
      ('watch_signal_raw', 'book_imbalance', 'Order-book imbalance between bid and ask depth.'),
      ('watch_signal_raw', 'sweep_impact', 'Price impact of sweeping the book at the trade notional.'),
      ('watch_signal_raw', 'range_1h', 'Range of the pair spread over the last hour.'),
      ('watch_signal_raw', 'range_12h', 'Range of the pair spread over the last 12 hours.'),
      ('watch_signal_raw', 'volatility', 'Volatility of the pair spread.'),
      ('watch_signal_raw', 'slope_3m', 'Slope of the pair spread over the last 3 minutes.'),
      ('watch_signal_raw', 'crossings_1h', 'How often the spread crossed its mean in the last hour.'),
      ('watch_signal_raw', 'drift_ratio', 'Drift of the spread relative to its volatility.'),
      ('watch_signal_raw', 'best_buy_high_sell_low', 'Executable spread: sell the high venue at its bid, buy the low venue at its ask.'),
      ('watch_signal_raw', 'best_sell_high_buy_low', 'Executable spread the other way round (buy high, sell low).'),
      ('watch_signal_raw', 'type_class', 'Finer class of the signal type, as the scanner names it.'),
      ('watch_signal_raw', 'triggered', 'Whether this minute met the signal condition (only triggered minutes make events).'),
      ('watch_signal_raw', 'status', 'Writer status of the row.'),
      ('watch_signal_raw', 'meta', 'Scanner details: trigger_details (prices per leg), factors, pnl_regression per horizon, pairs_top.'),
      ('watch_signal_raw', 'leg_a_exchange', 'Short leg (high venue).'),
      ('watch_signal_raw', 'leg_a_symbol', 'Short leg symbol on its venue.'),
      ('watch_signal_raw', 'leg_a_kind', 'Short leg instrument kind (perp).'),
      ('watch_signal_raw', 'leg_a_price', 'Short leg price.'),
      ('watch_signal_raw', 'leg_a_funding_rate', 'Short leg funding rate per interval.'),
      ('watch_signal_raw', 'leg_a_funding_interval_hours', 'Short leg funding interval in hours.'),
      ('watch_signal_raw', 'leg_a_next_funding_time', 'Short leg next funding settlement.'),
      ('watch_signal_raw', 'leg_b_exchange', 'Long leg (low venue).'),
      ('watch_signal_raw', 'leg_b_symbol', 'Long leg symbol on its venue.'),
      ('watch_signal_raw', 'leg_b_kind', 'Long leg instrument kind (perp).'),
      ('watch_signal_raw', 'leg_b_price', 'Long leg price.'),
      ('watch_signal_raw', 'leg_b_funding_rate', 'Long leg funding rate per interval.'),
      ('watch_signal_raw', 'leg_b_funding_interval_hours', 'Long leg funding interval in hours.'),
      ('watch_signal_raw', 'leg_b_next_funding_time', 'Long leg next funding settlement.'),
      -- watch_signal_event
      ('watch_signal_event', 'id', 'Event id.'),
      ('watch_signal_event', 'exchange', 'Venue of a single-venue signal, or multi for a cross-venue pair.'),
      ('watch_signal_event', 'symbol', 'Unified perp symbol.'),
      ('watch_signal_event', 'signal_type', E'@behavior +filterBy +orderBy\nSignal type: A, B or C.'),
      ('watch_signal_event', 'start_ts', 'The minute the event opened (the N-th consecutive triggered minute: the decision time).'),
      ('watch_signal_event', 'end_ts', E'@behavior +filterBy +orderBy\nThe last minute of the event so far (final once closed).'),
      ('watch_signal_event', 'duration_sec', 'Seconds from start_ts to end_ts.'),
      ('watch_signal_event', 'features_agg', 'Feature summaries: first/last/min/max/mean of the core scalars (written at close) and meta_first/meta_last snapshots; see features for the current values.'),
      ('watch_signal_event', 'reason', 'Why the writer made or ended the event, when it says.'),
      ('watch_signal_event', 'status', E'@behavior +filterBy +orderBy\nopen or closed (SQL merge); new, confirmed or dropped (an attached writer).'),
      ('watch_signal_event', 'funding_interval_hours', 'Funding interval in hours.'),
      ('watch_signal_event', 'next_funding_time', 'Next funding settlement.'),
      ('watch_signal_event', 'leg_a_exchange', E'@behavior +filterBy\nShort leg (high venue).'),
      ('watch_signal_event', 'leg_a_symbol', 'Short leg symbol on its venue.'),
      ('watch_signal_event', 'leg_a_kind', 'Short leg instrument kind (perp).'),
      ('watch_signal_event', 'leg_a_price', 'Short leg price at the last trigger.'),
      ('watch_signal_event', 'leg_a_funding_rate', 'Short leg funding rate per interval.'),
      ('watch_signal_event', 'leg_a_funding_interval_hours', 'Short leg funding interval in hours.'),
      ('watch_signal_event', 'leg_a_next_funding_time', 'Short leg next funding settlement.'),
      ('watch_signal_event', 'leg_b_exchange', E'@behavior +filterBy\nLong leg (low venue).'),
      ('watch_signal_event', 'leg_b_symbol', 'Long leg symbol on its venue.'),
      ('watch_signal_event', 'leg_b_kind', 'Long leg instrument kind (perp).'),
      ('watch_signal_event', 'leg_b_price', 'Long leg price at the last trigger.'),
      ('watch_signal_event', 'leg_b_funding_rate', 'Long leg funding rate per interval.'),
      ('watch_signal_event', 'leg_b_funding_interval_hours', 'Long leg funding interval in hours.'),
      ('watch_signal_event', 'leg_b_next_funding_time', 'Long leg next funding settlement.'),
      ('watch_signal_event', 'first_trigger_ts', 'First triggered minute of the run that opened the event.'),
      ('watch_signal_event', 'last_trigger_ts', 'Latest triggered minute.'),
      ('watch_signal_event', 'n_triggers', 'Triggered minutes so far.'),
      ('watch_signal_event', 'feat_first', 'Running summary while open: first value of each core scalar (slots in event_feature_names order).'),
      ('watch_signal_event', 'feat_last', 'Running summary while open: last value of each core scalar.'),
      ('watch_signal_event', 'feat_min', 'Running summary while open: minimum of each core scalar.'),
      ('watch_signal_event', 'feat_max', 'Running summary while open: maximum of each core scalar.'),
      ('watch_signal_event', 'feat_sum', 'Running summary while open: sum of each core scalar (mean = sum / n).'),
      ('watch_signal_event', 'feat_n', 'Running summary while open: how many values of each core scalar.'),
      ('watch_signal_event', 'updated_at', 'When the event last changed.'),
      -- future_outcome
      ('future_outcome', 'id', 'Outcome id.'),
      ('future_outcome', 'event_id', 'The event.'),
      ('future_outcome', 'horizon_min', 'Horizon in minutes after the event start.'),
      ('future_outcome', 'pnl', 'PnL (fraction of notional) of entering at the event start and exiting at the horizon.'),
      ('future_outcome', 'spread_change', 'Change of the spread over the horizon.'),
      ('future_outcome', 'funding_change', 'Funding earned over the horizon.'),
      ('future_outcome', 'max_drawdown', 'Worst PnL on the way to the horizon.'),
      ('future_outcome', 'volatility', 'Spread volatility over the horizon.'),
      ('future_outcome', 'funding_applied', 'Funding settlements counted, per leg.'),
      ('future_outcome', 'label', 'Labels derived from the outcome (e.g. win).'),
      ('future_outcome', 'computed_at', 'When the outcome was computed.'),
      -- watchlist_outcome
      ('watchlist_outcome', 'id', 'Outcome id.'),
      ('watchlist_outcome', 'trigger_id', 'The writer''s trigger (event) id.'),
      ('watchlist_outcome', 'opened_at', 'When the position opened.'),
      ('watchlist_outcome', 'closed_at', 'When it closed.'),
      ('watchlist_outcome', 'pnl', 'PnL (fraction of notional).'),
      ('watchlist_outcome', 'max_drawdown', 'Worst PnL while held.'),
      ('watchlist_outcome', 'holding_hours', 'Hours held.'),
      ('watchlist_outcome', 'benchmark_return', 'Return of the benchmark over the same time.'),
      ('watchlist_outcome', 'labels', 'Labels the writer attached.'),
      ('watchlist_outcome', 'notes', 'Free-text notes.'),
      -- watchlist_symbol_ref
      ('watchlist_symbol_ref', 'exchange', 'Venue.'),
      ('watchlist_symbol_ref', 'symbol', 'Unified symbol.'),
      ('watchlist_symbol_ref', 'quote', 'Quote currency.'),
      ('watchlist_symbol_ref', 'base', 'Base currency.'),
      ('watchlist_symbol_ref', 'sector', 'Sector.'),
      ('watchlist_symbol_ref', 'industry', 'Industry.'),
      ('watchlist_symbol_ref', 'listed', 'Whether the venue lists it.'),
      ('watchlist_symbol_ref', 'status', 'Listing status on the venue.'),
      ('watchlist_symbol_ref', 'liquidity_tier', 'Liquidity tier.'),
      ('watchlist_symbol_ref', 'contract_size', 'Base units per contract.'),
      ('watchlist_symbol_ref', 'min_notional', 'Minimum order notional in USDT.'),
      ('watchlist_symbol_ref', 'updated_at', 'When the row was last refreshed.'),
      -- watchlist_series_agg
      ('watchlist_series_agg', 'id', 'Row id (with ts the primary key).'),
      ('watchlist_series_agg', 'ts', 'The point in time.'),
      ('watchlist_series_agg', 'exchange', 'Venue.'),
      ('watchlist_series_agg', 'symbol', 'Unified symbol.'),
      ('watchlist_series_agg', 'spot_price', 'Spot price.'),
      ('watchlist_series_agg', 'futures_price', 'Perp price.'),
      ('watchlist_series_agg', 'spread_rel', 'Relative spread.'),
      ('watchlist_series_agg', 'funding_rate', 'Funding rate per interval.'),
      ('watchlist_series_agg', 'funding_interval_hours', 'Funding interval in hours.'),
      ('watchlist_series_agg', 'next_funding_time', 'Next funding settlement.'),
      ('watchlist_series_agg', 'series_meta', 'Writer details of the point.'),
      -- market_snapshot
      ('market_snapshot', 'ts', 'The minute (truncated, UTC).'),
      ('market_snapshot', 'venue', 'Venue.'),
      ('market_snapshot', 'symbol', 'Unified perp symbol.'),
      ('market_snapshot', 'bid', 'Average sell fill at notional_usdt (what a short gets).'),
      ('market_snapshot', 'ask', 'Average buy fill at notional_usdt (what a long pays).'),
      ('market_snapshot', 'bid_top', 'Best bid.'),
      ('market_snapshot', 'ask_top', 'Best ask.'),
      ('market_snapshot', 'mid', 'Mid of the top of book.'),
      ('market_snapshot', 'depth_ok', 'Whether both sides of the book covered the notional.'),
      ('market_snapshot', 'notional_usdt', 'Notional the book was swept at.'),
      ('market_snapshot', 'funding_rate', 'Current funding rate per interval.'),
      ('market_snapshot', 'funding_interval_hours', 'Funding interval in hours.'),
      ('market_snapshot', 'next_funding_time', 'Next funding settlement (never in the past).'),
      ('market_snapshot', 'book_ts', 'Exchange time of the book.'),
      ('market_snapshot', 'collected_at', 'When the collector stored it.'),
      ('market_snapshot', 'meta', 'Collector details (source, depth levels).'),
      -- pnl_model
      ('pnl_model', 'id', 'Model id.'),
      ('pnl_model', 'signal_type', 'Signal type the model predicts.'),
      ('pnl_model', 'horizon_min', 'Horizon in minutes.'),
      ('pnl_model', 'version', 'Model version, as predictions cite it.'),
      ('pnl_model', 'intercept', 'Intercept of the linear model.'),
      ('pnl_model', 'coefs', 'Coefficient per factor: {factor: coefficient}.'),
      ('pnl_model', 'resid_std', 'Residual standard deviation (win probability = P(pnl > fee threshold)).'),
      ('pnl_model', 'fee_threshold', 'PnL a trade must beat to count as a win (round-trip fees).'),
      ('pnl_model', 'n_obs', 'Observations the model was fitted on.'),
      ('pnl_model', 'r2', 'R² of the fit.'),
      ('pnl_model', 'is_prior', 'True for a hand-set prior rather than a fitted model.'),
      ('pnl_model', 'active', 'The model in use for its signal type and horizon (one at most).'),
      ('pnl_model', 'fitted_at', 'When it was fitted.'),
      ('pnl_model', 'notes', 'Free-text notes.'),
      -- setting, strategy_config, strategy_config_audit
      ('setting', 'key', 'Setting key, e.g. trade.max_active.'),
      ('setting', 'type', 'number, integer, boolean, text, text_array or integer_array.'),
      ('setting', 'unit', 'Unit of the value (USDT, seconds, fraction …).'),
      ('setting', 'default_value', 'Value in force when none is stored.'),
      ('setting', 'min_value', 'Lowest accepted value.'),
      ('setting', 'max_value', 'Highest accepted value.'),
      ('setting', 'allowed_values', 'The accepted values, when the setting is a choice.'),
      ('setting', 'pattern', 'Regular expression a text value must match.'),
      ('setting', 'nullable', 'Whether null is accepted.'),
      ('setting', 'description', 'What the setting does.'),
      ('strategy_config', 'key', 'Setting key (see setting).'),
      ('strategy_config', 'value', 'The value in force.'),
      ('strategy_config', 'description', 'Note on the value.'),
      ('strategy_config', 'updated_at', 'When it last changed.'),
      ('strategy_config', 'updated_by', 'Who changed it (role or graphql:trader).'),
      ('strategy_config_audit', 'id', 'Audit id.'),
      ('strategy_config_audit', 'key', 'Setting key.'),
      ('strategy_config_audit', 'old_value', 'Value before.'),
      ('strategy_config_audit', 'new_value', 'Value after.'),
      ('strategy_config_audit', 'changed_at', 'When.'),
      ('strategy_config_audit', 'changed_by', 'Who (role, graphql:trader, or migrate).'),
      ('strategy_config_audit', 'note', 'Why.'),
      -- live_trade_signal
      ('live_trade_signal', 'id', 'Signal id (the trade''s id).'),
      ('live_trade_signal', 'created_at', 'When the gate first assessed the candidate.'),
      ('live_trade_signal', 'updated_at', 'When the row last changed.'),
      ('live_trade_signal', 'event_id', 'The event it came from (null for a manual trade).'),
      ('live_trade_signal', 'symbol', 'Unified perp symbol.'),
      ('live_trade_signal', 'signal_type', 'Signal type (B).'),
      ('live_trade_signal', 'horizon_min', 'Horizon of the prediction traded, in minutes.'),
      ('live_trade_signal', 'pnl_hat', 'Predicted PnL (fraction of notional) at the gate.'),
      ('live_trade_signal', 'win_prob', 'Predicted probability of beating the fee threshold.'),
      ('live_trade_signal', 'threshold', 'The gate thresholds in force when it was assessed.'),
      ('live_trade_signal', 'leg_long_exchange', 'Venue of the long leg (the low venue).'),
      ('live_trade_signal', 'leg_short_exchange', 'Venue of the short leg (the high venue).'),
      ('live_trade_signal', 'status', 'new, ignored, opening, open, closing, closed, failed or partial_failed.'),
      ('live_trade_signal', 'reason', 'Why it was ignored or failed.'),
      ('live_trade_signal', 'payload', 'What the gate saw: event features, prices, fallbacks used.'),
      ('live_trade_signal', 'recheck', 'The re-check on live books before the orders: spread, factors, re-predicted pnl_hat.'),
      ('live_trade_signal', 'kind', 'auto (from an event) or manual.'),
      ('live_trade_signal', 'notional_usdt', 'Notional per leg in USDT.'),
      ('live_trade_signal', 'leverage', 'Leverage set on both legs.'),
      ('live_trade_signal', 'entry_spread', 'Executed entry spread log(short fill / long fill).'),
      ('live_trade_signal', 'opened_at', 'When both legs were filled.'),
      ('live_trade_signal', 'closed_at', 'When the trade ended.'),
      ('live_trade_signal', 'cycle_ts', 'Minute of the event cycle last assessed (one assessment per minute).'),
      ('live_trade_signal', 'eval_count', 'How often the gate assessed this candidate (an ignored one keeps one row).'),
      ('live_trade_signal', 'last_eval_at', 'When the gate last assessed it.'),
      ('live_trade_signal', 'attempt', 'Open attempt number (client order ids carry it).'),
      ('live_trade_signal', 'entry_fees_usdt', 'Fees of the entry fills in USDT.'),
      ('live_trade_signal', 'entry_qty', 'Base quantity each leg holds.'),
      -- live_trade_order
      ('live_trade_order', 'id', 'Order id.'),
      ('live_trade_order', 'signal_id', 'The trade (null for a manual order).'),
      ('live_trade_order', 'leg', 'long or short.'),
      ('live_trade_order', 'purpose', 'open, close, flatten or manual.'),
      ('live_trade_order', 'exchange', 'Venue.'),
      ('live_trade_order', 'symbol', 'Unified perp symbol.'),
      ('live_trade_order', 'side', 'buy or sell.'),
      ('live_trade_order', 'client_order_id', 'Our client order id (installation prefix, signal, leg, attempt); looked up by it after an unknown outcome.'),
      ('live_trade_order', 'exchange_order_id', 'The venue''s order id.'),
      ('live_trade_order', 'reduce_only', 'Whether it may only reduce a position.'),
      ('live_trade_order', 'amount', 'Base quantity requested.'),
      ('live_trade_order', 'notional_usdt', 'Notional requested in USDT.'),
      ('live_trade_order', 'normalized_qty', 'Quantity string as sent (exchange precision).'),
      ('live_trade_order', 'submitted_at', 'When it was sent.'),
      ('live_trade_order', 'status', 'pending, submitted, filled, partially_filled, rejected, not_placed, unknown, …'),
      ('live_trade_order', 'filled_qty', 'Filled base quantity the venue reported.'),
      ('live_trade_order', 'avg_price', 'Average fill price.'),
      ('live_trade_order', 'fee', 'Fee the venue reported.'),
      ('live_trade_order', 'fee_currency', 'Currency of fee.'),
      ('live_trade_order', 'order_resp', 'The venue''s answer (scrubbed of secrets).'),
      ('live_trade_order', 'updated_at', 'When the row last changed.'),
      ('live_trade_order', 'attempt', 'Attempt number of the trade this order belongs to.'),
      ('live_trade_order', 'ref_price', 'Reference price the quantity was computed from.'),
      ('live_trade_order', 'error', 'Why it failed, when it did.'),
      ('live_trade_order', 'created_at', 'When the row was created.'),
      ('live_trade_order', 'manual_order_id', 'The manual order it executes, if any.'),
      -- live_trade_fill
      ('live_trade_fill', 'id', 'Fill id.'),
      ('live_trade_fill', 'order_id', 'The order.'),
      ('live_trade_fill', 'signal_id', 'The trade.'),
      ('live_trade_fill', 'exchange', 'Venue.'),
      ('live_trade_fill', 'trade_id', 'The venue''s trade id (unique per order).'),
      ('live_trade_fill', 'ts', 'Execution time.'),
      ('live_trade_fill', 'price', 'Execution price.'),
      ('live_trade_fill', 'qty', 'Executed base quantity.'),
      ('live_trade_fill', 'fee', 'Fee charged.'),
      ('live_trade_fill', 'fee_currency', 'Currency of fee.'),
      ('live_trade_fill', 'fee_conversion_attempts', 'How often converting the fee to USDT was tried.'),
      -- live_trade_spread_sample
      ('live_trade_spread_sample', 'id', 'Sample id.'),
      ('live_trade_spread_sample', 'signal_id', 'The trade.'),
      ('live_trade_spread_sample', 'ts', 'When sampled.'),
      ('live_trade_spread_sample', 'bidask', 'The books read: bid and ask per leg.'),
      ('live_trade_spread_sample', 'spread', 'Executable exit spread log(short ask / long bid).'),
      ('live_trade_spread_sample', 'pnl_est', 'Estimated PnL (fraction of notional) if closed now.'),
      ('live_trade_spread_sample', 'funding_accrued', 'Funding accrued so far (fraction of notional).'),
      -- live_trade_exit
      ('live_trade_exit', 'id', 'Exit id.'),
      ('live_trade_exit', 'signal_id', 'The trade (one exit each).'),
      ('live_trade_exit', 'reason', 'take_profit, max_hold, manual, kill_switch or rollback.'),
      ('live_trade_exit', 'requested_at', 'When the close was requested.'),
      ('live_trade_exit', 'closed_at', 'When both legs were closed.'),
      ('live_trade_exit', 'exit_fills', 'The closing fills per leg.'),
      ('live_trade_exit', 'spread_pnl', 'PnL from the spread alone (entry − exit spread).'),
      ('live_trade_exit', 'fees_usdt', 'Entry and exit fees in USDT.'),
      ('live_trade_exit', 'funding_usdt', 'Funding received (positive) or paid while held, in USDT.'),
      ('live_trade_exit', 'realized_pnl_usdt', 'Realised PnL in USDT: fills, fees and funding.'),
      ('live_trade_exit', 'realized_pnl_frac', 'Realised PnL as a fraction of notional.'),
      ('live_trade_exit', 'pnl_hat', 'The prediction the trade was taken on (re-checked pnl_hat when there was one).'),
      -- live_trade_error
      ('live_trade_error', 'id', 'Error id.'),
      ('live_trade_error', 'ts', 'When.'),
      ('live_trade_error', 'signal_id', 'The trade, if any.'),
      ('live_trade_error', 'stage', 'Where in the loop: gate, recheck, open, monitor, close, flatten, manual, reconcile, …'),
      ('live_trade_error', 'venue', 'Venue, if one was involved.'),
      ('live_trade_error', 'error_class', 'Typed venue error: network, rate_limit, invalid, insufficient_funds, not_found, auth, duplicate, or internal.'),
      ('live_trade_error', 'message', 'The error message (scrubbed of secrets).'),
      ('live_trade_error', 'payload', 'Context (scrubbed of secrets).'),
      ('live_trade_error', 'order_id', 'The order, if any.'),
      -- manual_order
      ('manual_order', 'id', 'Manual order id.'),
      ('manual_order', 'created_at', 'When requested.'),
      ('manual_order', 'updated_at', 'When the row last changed.'),
      ('manual_order', 'actor', 'Who requested it (graphql:trader, cli, kill_switch).'),
      ('manual_order', 'venue', 'Venue.'),
      ('manual_order', 'symbol', 'Unified perp symbol.'),
      ('manual_order', 'action', 'open_long, open_short, close_long or close_short.'),
      ('manual_order', 'notional_usdt', 'Notional requested in USDT.'),
      ('manual_order', 'status', 'new, submitted, filled, failed or expired.'),
      ('manual_order', 'client_order_id', 'Client order id of the order sent.'),
      ('manual_order', 'order_id', 'The order sent (live_trade_order).'),
      ('manual_order', 'error', 'Why it failed, when it did.'),
      ('manual_order', 'expires_at', 'Unsent after this, it expires instead of being sent late.'),
      ('manual_order', 'qty_base', 'Exact base quantity (reduce-only flattens), instead of a notional.'),
      -- trader_action
      ('trader_action', 'id', 'Action id.'),
      ('trader_action', 'ts', 'When.'),
      ('trader_action', 'actor', 'Who (graphql:trader, cli).'),
      ('trader_action', 'action', 'Which lever: manual_trade, request_close, set_kill_switch, set_config, acknowledge_foreign_activity.'),
      ('trader_action', 'args', 'Its arguments.'),
      ('trader_action', 'result', 'What it returned.'),
      -- venues
      ('venue_position', 'venue', 'Venue.'),
      ('venue_position', 'symbol', 'Unified perp symbol.'),
      ('venue_position', 'size_base', 'Signed position in base units (long positive).'),
      ('venue_position', 'entry_price', 'Average entry price.'),
      ('venue_position', 'unrealized_pnl', 'Unrealised PnL the venue reports.'),
      ('venue_position', 'fetched_at', 'When it was read.'),
      ('venue_health', 'venue', 'Venue.'),
      ('venue_health', 'status', 'ok, backoff or down.'),
      ('venue_health', 'consecutive_errors', 'Errors in a row since the last success.'),
      ('venue_health', 'backoff_until', 'No calls before this.'),
      ('venue_health', 'last_ok_at', 'Last successful call.'),
      ('venue_health', 'last_error_at', 'Last error.'),
      ('venue_health', 'last_error', 'Last error message (scrubbed).'),
      ('venue_foreign_activity', 'id', 'Row id.'),
      ('venue_foreign_activity', 'venue', 'Venue.'),
      ('venue_foreign_activity', 'detected_at', 'When detected.'),
      ('venue_foreign_activity', 'client_order_id', 'The client order id seen.'),
      ('venue_foreign_activity', 'foreign_prefix', 'Installation prefix it carries, when not ours.'),
      ('venue_foreign_activity', 'kind', 'lookup_mismatch (a look-up answered with an order that is not ours) or foreign_open_order.'),
      ('venue_foreign_activity', 'evidence', 'What the venue answered.'),
      ('venue_foreign_activity', 'acknowledged_at', 'When the operator acknowledged it (trading on the venue resumes).'),
      ('venue_foreign_activity', 'acknowledged_by', 'Who acknowledged it.'),
      ('venue_foreign_activity', 'note', 'The acknowledgement''s note.'),
      ('worker_venue', 'venue', 'Venue.'),
      ('worker_venue', 'mode', 'live, sandbox, shadow or paper.'),
      ('worker_venue', 'markets_loaded', 'Whether its markets loaded at start.'),
      ('worker_venue', 'n_markets', 'How many markets loaded.'),
      ('worker_venue', 'worker', 'The worker that wrote it.'),
      ('worker_venue', 'started_at', 'When that worker started.'),
      ('venue_market', 'venue', 'Venue.'),
      ('venue_market', 'symbol', 'Unified symbol it loaded.'),
      -- views
      ('v_active_trades', 'signal_id', 'The trade.'),
      ('v_active_trades', 'symbol', 'Unified perp symbol.'),
      ('v_active_trades', 'status', 'new, opening, open or closing.'),
      ('v_active_trades', 'leg_short_exchange', 'Short leg venue.'),
      ('v_active_trades', 'leg_long_exchange', 'Long leg venue.'),
      ('v_active_trades', 'opened_at', 'When both legs filled.'),
      ('v_active_trades', 'held_for', 'Time held so far.'),
      ('v_active_trades', 'entry_spread', 'Executed entry spread.'),
      ('v_active_trades', 'entry_qty', 'Base quantity per leg.'),
      ('v_active_trades', 'pnl_hat', 'Predicted PnL (re-checked when there was a re-check).'),
      ('v_active_trades', 'win_prob', 'Predicted win probability.'),
      ('v_active_trades', 'take_profit_at', 'pnl_est at which it takes profit.'),
      ('v_active_trades', 'sampled_at', 'Time of the newest spread sample.'),
      ('v_active_trades', 'exit_spread', 'Executable exit spread of the newest sample.'),
      ('v_active_trades', 'pnl_est', 'Estimated PnL if closed at the newest sample.'),
      ('v_active_trades', 'funding_accrued', 'Funding accrued so far.'),
      ('v_expected_position', 'venue', 'Venue.'),
      ('v_expected_position', 'symbol', 'Unified perp symbol.'),
      ('v_expected_position', 'expected_size_base', 'Signed base quantity our orders should hold (buys positive).'),
      ('v_manual_position', 'venue', 'Venue.'),
      ('v_manual_position', 'symbol', 'Unified perp symbol.'),
      ('v_manual_position', 'size_base', 'Signed base quantity manual orders hold.'),
      ('v_manual_position', 'avg_price', 'Average price of those fills.'),
      ('v_signal_funnel', 'day', 'UTC day the candidates were first assessed.'),
      ('v_signal_funnel', 'status', 'Signal status.'),
      ('v_signal_funnel', 'reason', 'Ignore or failure reason ('''' when none).'),
      ('v_signal_funnel', 'signals', 'Candidates.'),
      ('v_signal_funnel', 'evaluations', 'Gate assessments they took.'),
      ('v_trade_pnl', 'signal_id', 'The trade.'),
      ('v_trade_pnl', 'symbol', 'Unified perp symbol.'),
      ('v_trade_pnl', 'leg_short_exchange', 'Short leg venue.'),
      ('v_trade_pnl', 'leg_long_exchange', 'Long leg venue.'),
      ('v_trade_pnl', 'opened_at', 'When both legs filled.'),
      ('v_trade_pnl', 'closed_at', 'When it closed.'),
      ('v_trade_pnl', 'exit_reason', 'take_profit, max_hold, manual, kill_switch or rollback.'),
      ('v_trade_pnl', 'pnl_hat', 'Prediction traded on (re-checked).'),
      ('v_trade_pnl', 'gate_pnl_hat', 'Prediction at the gate.'),
      ('v_trade_pnl', 'win_prob', 'Predicted win probability.'),
      ('v_trade_pnl', 'spread_pnl', 'PnL from the spread alone.'),
      ('v_trade_pnl', 'fees_usdt', 'Fees in USDT.'),
      ('v_trade_pnl', 'funding_usdt', 'Funding in USDT.'),
      ('v_trade_pnl', 'realized_pnl_usdt', 'Realised PnL in USDT.'),
      ('v_trade_pnl', 'realized_pnl_frac', 'Realised PnL as a fraction of notional.'),
      ('v_trade_pnl', 'frac_minus_predicted', 'Realised minus predicted PnL fraction.'),
      ('v_trade_pnl', 'fees_unconverted', 'Fees not yet converted to USDT, per currency.'),
      ('v_trade_pnl', 'funding_sources', 'Per leg, where realised funding came from.'),
      ('v_trade_pnl', 'pnl_complete', 'False while a leg''s PnL, a fee conversion or a leg''s funding is unknown.'),
      ('v_pnl_daily', 'day', 'UTC day of the exit.'),
      ('v_pnl_daily', 'trades', 'Trades closed.'),
      ('v_pnl_daily', 'rollbacks', 'Of which rollbacks (partial_failed).'),
      ('v_pnl_daily', 'realized_pnl_usdt', 'Realised PnL in USDT.'),
      ('v_pnl_daily', 'fees_usdt', 'Fees in USDT.'),
      ('v_pnl_daily', 'funding_usdt', 'Funding in USDT.'),
      ('v_pnl_daily', 'win_rate', 'Share of trades with positive realised PnL.'),
      ('v_pnl_daily', 'incomplete', 'Trades whose PnL is incomplete.'),
      ('v_pnl_by_pair', 'symbol', 'Unified perp symbol.'),
      ('v_pnl_by_pair', 'leg_short_exchange', 'Short leg venue.'),
      ('v_pnl_by_pair', 'leg_long_exchange', 'Long leg venue.'),
      ('v_pnl_by_pair', 'trades', 'Trades closed.'),
      ('v_pnl_by_pair', 'rollbacks', 'Of which rollbacks.'),
      ('v_pnl_by_pair', 'realized_pnl_usdt', 'Realised PnL in USDT.'),
      ('v_pnl_by_pair', 'avg_pnl_frac', 'Mean realised PnL fraction.'),
      ('v_pnl_by_pair', 'win_rate', 'Share of trades with positive realised PnL.'),
      ('v_pnl_by_pair', 'incomplete', 'Trades whose PnL is incomplete.'),
      ('v_venue_errors', 'venue', 'Venue.'),
      ('v_venue_errors', 'hour', 'Hour (UTC).'),
      ('v_venue_errors', 'orders', 'Orders created.'),
      ('v_venue_errors', 'failed_orders', 'Orders rejected, not placed or of unknown outcome.'),
      ('v_venue_errors', 'errors', 'Errors recorded.'),
      ('v_venue_errors', 'order_failure_rate', 'failed_orders / orders.'),
      ('v_prediction_coverage', 'source', 'raw (minutes) or event.'),
      ('v_prediction_coverage', 'hour', 'Hour (UTC).'),
      ('v_prediction_coverage', 'venue', 'Leg venue.'),
      ('v_prediction_coverage', 'symbol', 'Unified perp symbol.'),
      ('v_prediction_coverage', 'n_rows', 'Rows.'),
      ('v_prediction_coverage', 'n_predicted', 'Rows with a 240m pnl_hat.'),
      ('v_prediction_coverage', 'share_predicted', 'n_predicted / n_rows.'),
      ('v_prediction_coverage', 'reasons', 'Why the others have none, with counts.'),
      ('v_settings', 'key', 'Setting key.'),
      ('v_settings', 'type', 'Value type.'),
      ('v_settings', 'unit', 'Unit.'),
      ('v_settings', 'value', 'Value in force (stored, else default).'),
      ('v_settings', 'default_value', 'Registry default.'),
      ('v_settings', 'domain', 'What it accepts (range or values).'),
      ('v_settings', 'needs_restart', 'Whether a change needs a process restart.'),
      ('v_settings', 'description', 'What it does.'),
      ('v_settings', 'updated_at', 'When the stored value last changed.'),
      ('v_settings', 'updated_by', 'Who changed it.'),
      -- status_set (sql/rules.sql builds one predicate per set)
      ('status_set', 'entity', 'trade (live_trade_signal.status) or order (live_trade_order.status).'),
      ('status_set', 'set_name', 'Name of the set: active, in_flight, finished (trades), unresolved (orders).'),
      ('status_set', 'status', 'A status that belongs to the set.'),
      -- research_report (wl report ic)
      ('research_report', 'id', 'Report id (increasing).'),
      ('research_report', 'created_at', 'When the report was written.'),
      ('research_report', 'params', 'The report''s arguments: days, horizons, signal types, bucket minutes, minimum bucket size.'),
      ('research_report', 'markdown', 'The report as Markdown (what report.md holds).'),
      -- future_outcome (the outcome worker, sql/outcomes.sql)
      ('future_outcome', 'spread_start', 'Entry spread at the decision time: log(high venue bid / low venue ask) at the notional.'),
      ('future_outcome', 'spread_end', 'Exit spread at the horizon end: log(high venue ask / low venue bid) at the notional.'),
      ('future_outcome', 'horizon_end', 'start_ts + horizon: the end of the path.'),
      ('future_outcome', 'missing', 'True when data was missing and the PnL columns are null (label says why).'),
      -- funding_settlement (cached venue funding history)
      ('funding_settlement', 'venue', 'Venue.'),
      ('funding_settlement', 'symbol', 'Unified perp symbol.'),
      ('funding_settlement', 'ts', 'Settlement time.'),
      ('funding_settlement', 'rate', 'Funding rate settled (a short receives +rate, a long pays it).'),
      ('funding_settlement', 'interval_hours', 'Interval since the previous settlement, in hours.'),
      ('funding_settlement', 'source', 'Where the rate came from: history:<mode> (the venue''s history API), schedule or rule.'),
      ('funding_settlement', 'fetched_at', 'When it was fetched.'),
      -- pnl_model_activation (wl model activate, automatic activation)
      ('pnl_model_activation', 'id', 'Audit row id.'),
      ('pnl_model_activation', 'at', 'When the activation happened.'),
      ('pnl_model_activation', 'signal_type', 'Signal type of the model.'),
      ('pnl_model_activation', 'horizon_min', 'Horizon of the model, minutes.'),
      ('pnl_model_activation', 'from_version', 'The version active before (null: none).'),
      ('pnl_model_activation', 'to_version', 'The version made active.'),
      ('pnl_model_activation', 'actor', 'Who activated it (the CLI user, or the weekly fit job).'),
      ('pnl_model_activation', 'reason', 'Why: the out-of-sample comparison, or the reason given.'),
      -- watchlist_outcome (each closed live trade)
      ('watchlist_outcome', 'signal_id', 'The live trade (live_trade_signal.id) this outcome is of.'),
      ('watchlist_outcome', 'event_id', 'The event the trade came from.'),
      ('watchlist_outcome', 'symbol', 'Unified perp symbol.'),
      ('watchlist_outcome', 'pnl_hat', 'The prediction the trade was admitted on.'),
      ('watchlist_outcome', 'recorded_at', 'When the row was written.'),
      -- pnl_model (fit columns)
      ('pnl_model', 'train_from', 'First decision time in the training window.'),
      ('pnl_model', 'train_to', 'Last decision time in the training window.'),
      ('pnl_model', 'n_test', 'Out-of-sample events the metrics were measured on.'),
      ('pnl_model', 'folds', 'Per rolling window: its training and test ranges, n and coefficients.'),
      ('pnl_model', 'params', 'The fit''s parameters (days, folds, minimum sizes, bins).')
    ) v(tbl, col, description)
  loop
    if exists (select 1 from pg_attribute a
               where a.attrelid = to_regclass('watchlist.' || quote_ident(r.tbl))
                 and a.attname = r.col and not a.attisdropped) then
      execute format('comment on column watchlist.%I.%I is %L', r.tbl, r.col, r.description);
    end if;
  end loop;
end $$;
