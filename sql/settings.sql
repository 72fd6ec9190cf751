-- The settings registry: every knob, its type, unit, default and allowed values.
-- Owns: the rows of watchlist.setting, the rows of watchlist.strategy_config created
--       from defaults, the clean-up of stored values the registry refuses, the
--       foreign key strategy_config.key → setting.key, and watchlist.v_settings.
-- Registering a knob is one row here; read it with watchlist.cfg_num('key') /
-- cfg_text / cfg (no default literal at the read site), change it with set_config().
-- Ranges are inclusive. needs_restart: the value is read once at process start.

insert into watchlist.setting as t (key, type, unit, default_value, min_value, max_value, max_key, allowed_values, pattern, nullable, needs_restart, description) values
  ('event.n_consecutive', 'integer', 'minutes', '2', 1, 60, null, null, null, false, false, 'an event opens on the N-th consecutive triggered minute'),
  ('event.gap_minutes', 'integer', 'minutes', '3', 1, 1440, null, null, null, false, false, 'an open event extends while triggers arrive within M minutes; closes after M quiet minutes'),
  ('collect.symbols', 'text_array', null, 'null', null, null, null, null, '^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$', true, false, 'symbols the collector samples (unified perp symbols); null = the default universe'),
  ('scan.b_min_spread', 'number', 'fraction', '0.004', 0, 1, null, null, null, false, false, 'Type B trigger: best_buy_high_sell_low (high bid vs low ask at the notional) at least this'),
  ('scan.b_min_pnl_hat', 'number', 'fraction', 'null', -1, 1, null, null, null, true, false, 'Type B trigger: also require pnl_hat at scan.b_pnl_horizon above this (null = off)'),
  ('scan.b_pnl_horizon', 'integer', 'minutes', '240', 1, 10080, null, null, null, false, false, 'horizon scan.b_min_pnl_hat reads'),
  ('scan.require_depth_ok', 'boolean', null, 'true', null, null, null, null, null, false, false, 'Type B trigger: both books must cover the notional'),
  ('scan.max_quote_age_seconds', 'number', 'seconds', '60', 1, 3600, null, null, null, false, false, 'a snapshot whose book_ts is older than the minute minus this is stale and ignored'),
  ('scan.pairs_top_n', 'integer', 'pairs', '5', 1, 50, null, null, null, false, false, 'pairs per symbol kept in meta.pairs_top'),
  ('scan.min_points_1h', 'integer', 'points', '20', 2, 61, null, null, null, false, false, '1h window factors need at least this many minute points'),
  ('scan.window_start_tolerance_minutes', 'number', 'minutes', '5', 0, 60, null, null, null, false, false, '1h window factors need a point within this many minutes of t − 1h'),
  ('scan.horizons', 'integer_array', 'minutes', '[60, 240, 480]', 1, 10080, null, null, null, false, false, 'horizons predicted into meta.pnl_regression'),
  ('scan.series_retention_hours', 'integer', 'hours', '26', 13, 720, null, null, null, false, false, 'hourly pair_minute partitions older than this are dropped (windows need 12h)'),
  ('trade.signal_types', 'text_array', null, '["B"]', null, null, null, '["A", "B", "C"]', null, false, false, 'signal types the gate trades (Type C/A need spot orders: not automated)'),
  ('trade.horizon_min', 'integer', 'minutes', '240', 1, 10080, null, null, null, false, false, 'prediction horizon the gate reads from pnl_regression'),
  ('trade.pnl_hat_min', 'number', 'fraction', '0.013', -1, 1, null, null, null, false, false, 'admit only when pnl_hat > this'),
  ('trade.win_prob_min', 'number', 'probability', '0.94', 0, 1, null, null, null, false, false, 'admit only when win_prob > this'),
  ('trade.notional_usdt', 'number', 'USDT', '50', 1, 10000000, null, null, null, false, false, 'USDT per leg; the collector and the re-check sweep books at this notional'),
  ('trade.leverage_max', 'integer', 'x', '1', 1, 125, null, null, null, false, false, 'operator cap on trade.leverage: raise it deliberately before raising the leverage'),
  ('trade.leverage', 'integer', 'x', '1', 1, null, 'trade.leverage_max', null, null, false, false, 'leverage set on both legs before opening (at most trade.leverage_max)'),
  ('trade.cooldown_min', 'integer', 'minutes', '60', 0, 10080, null, null, null, false, false, 'minutes after a trade on symbol+pair before the same pair may trade again'),
  ('trade.max_active', 'integer', 'trades', '10', 0, 1000000, null, null, null, false, false, 'at most this many trades new/opening/open/closing (0 admits none)'),
  ('trade.daily_cap', 'integer', 'trades', '20', 0, 1000000, null, null, null, false, false, 'at most this many admitted trades per UTC day (0 admits none)'),
  ('trade.take_profit_ratio', 'number', 'ratio', '0.8', -1, 10, null, null, null, false, false, 'take profit when pnl_est >= ratio x pnl_hat'),
  ('trade.max_hold_hours', 'number', 'hours', '168', 0, 8760, null, null, null, false, false, 'forced exit after this many hours (7 days)'),
  ('trade.monitor_interval_s', 'integer', 'seconds', '60', 0, 3600, null, null, null, false, false, 'seconds between spread samples of an open trade'),
  ('trade.max_book_age_ms', 'integer', 'ms', '5000', 0, 600000, null, null, null, false, false, 'order books older than this are refused'),
  ('trade.max_event_age_s', 'integer', 'seconds', '300', 1, 86400, null, null, null, false, false, 'events whose last trigger is older than this (backfills, lagging writers) are ignored as stale_event'),
  ('trade.max_signal_age_s', 'integer', 'seconds', '120', 1, 86400, null, null, null, false, false, 'an admitted signal not started within this many seconds is dropped'),
  ('trade.venues', 'text_array', null, '["binance", "okx", "bybit", "bitget"]', null, null, null, null, '^[a-z][a-z0-9_]{0,31}$', false, false, 'venues the gate may trade; the gate also requires a worker running the venue (watchlist.worker_venue, from WL_VENUES)'),
  ('trade.taker_fee_default', 'number', 'fraction', '0.0005', 0, 0.01, null, null, null, false, false, 'taker fee fraction used for exit estimates when a venue reports none'),
  ('trade.backoff_base_s', 'number', 'seconds', '2', 0, 3600, null, null, null, false, false, 'venue API back-off: first delay (doubles per consecutive error)'),
  ('trade.backoff_max_s', 'number', 'seconds', '300', 0, 86400, null, null, null, false, false, 'venue API back-off: longest delay'),
  ('trade.resume_after_s', 'number', 'seconds', '20', 0, 3600, null, null, null, false, false, 'reconcile resumes opening/closing trades untouched for this long'),
  ('trade.manual_fallback_usdt', 'number', 'USDT', '50', 1, 100000, null, null, null, false, false, 'manual orders below a venue minimum are retried at this notional'),
  ('trade.manual_max_usdt', 'number', 'USDT', '1000', 1, 10000000, null, null, null, false, false, 'largest manual order notional'),
  ('trade.manual_ttl_s', 'integer', 'seconds', '60', 5, 3600, null, null, null, false, false, 'a manual order no worker has sent within this many seconds ends expired, never sent later'),
  ('trade.fee_conversion_attempts', 'integer', 'count', '5', 1, 100, null, null, null, false, false, 'failed pricings of a fee charged in another coin before the conversion job stops retrying that fill (each failure is an error row)'),
  ('trade.margin_buffer', 'number', 'fraction', '0.1', 0, 1, null, null, null, false, false, 'free margin needed on each venue above notional / leverage (fees, the move while both legs fill)'),
  ('trade.trim_max_attempts', 'integer', 'count', '3', 1, 10, null, null, null, false, false, 'trims of the larger leg tried before an uneven trade opens with a qty_mismatch error row'),
  ('venue.max_clock_skew_ms', 'integer', 'ms', '1000', 100, 60000, null, null, null, false, false, 'preflight: largest accepted difference between an exchange''s clock and ours'),
  ('raw.max_future_skew_s', 'number', 'seconds', '300', 0, 3600, null, null, null, false, false, 'raw rows dated later than now + this are quarantined (writer clock-skew tolerance)'),
  ('raw.max_price', 'number', 'USDT', '1000000000', 0.000001, 1e15, null, null, null, false, false, 'raw rows with a leg price above this are quarantined'),
  ('trade.lookup_span_s', 'number', 'seconds', '30', 1, 600, null, null, null, false, false, 'look-ups must answer "no such order" for this long (and the venue position be explained) before an order without an exchange id is concluded not placed'),
  ('trade.fill_wait_s', 'number', 'seconds', '120', 0, 3600, null, null, null, false, false, 'a filled order whose trade list does not add up is read again for this long, then one synthetic fill from its average is recorded'),
  ('trade.lookup_clock_tolerance_s', 'number', 'seconds', '5', 0, 60, null, null, null, false, false, 'a found order may be created at most this much before our prepared row (clock difference) and still be ours'),
  ('ingest.attach', 'boolean', null, 'false', null, null, null, null, null, false, false, 'attach mode: an external writer owns watch_signal_raw/watch_signal_event; the scanner writes no raw rows, the SQL merge creates no events, the gate trades the writer''s events (set by wl up --attach / WL_ATTACH)'),
  ('model.fit_days', 'number', 'days', '30', 1, 3650, null, null, null, false, false, 'wl model fit: days of events (by decision time) the fit uses'),
  ('model.folds', 'integer', 'windows', '4', 1, 50, null, null, null, false, false, 'wl model fit: rolling test windows (each fitted on everything whose outcome was known before it)'),
  ('model.min_train_n', 'integer', 'events', '30', 10, 10000000, null, null, null, false, false, 'fewer outcomes than this to train on: the fit is recorded too_thin and the prior stays'),
  ('model.min_test_n', 'integer', 'events', '10', 5, 10000000, null, null, null, false, false, 'fewer out-of-sample outcomes than this: the fit is recorded too_thin (a fit with at least this many is recorded with its metrics; model.auto_activate_min_test_n decides whether it may replace the active model by itself)'),
  ('model.auto_activate_min_test_n', 'integer', 'events', '30', 5, 10000000, null, null, null, false, false, 'a fit becomes active by itself only when at least this many out-of-sample rows (after the active model''s training window) judged it against the active model; fewer: recorded, activated only by wl model activate'),
  ('model.calib_bins', 'integer', 'bins', '10', 2, 100, null, null, null, false, false, 'pnl_hat bins of the out-of-sample win_prob calibration'),
  ('model.auto_activate', 'boolean', null, 'true', null, null, null, null, null, false, false, 'a new fit becomes active by itself only when its out-of-sample R² beats the active model''s on the same test rows after the active model''s training window'),
  ('kill_switch', 'integer', 'level', '0', 0, 2, null, null, null, false, false, '0 off, 1 stop new entries, 2 stop entries and flatten every open trade and manual position'),
  ('outcome.horizons', 'integer_array', 'minutes', '[15, 30, 60, 240, 480, 1440, 2880, 5760]', 1, 20160, null, null, null, false, false, 'horizons (from the event''s start_ts) the outcome worker computes into future_outcome'),
  ('outcome.settle_lag_min', 'integer', 'minutes', '10', 0, 1440, null, null, null, false, false, 'an outcome is computed this long after its horizon end (venues publish funding history late)'),
  ('outcome.quote_tolerance_min', 'integer', 'minutes', '5', 0, 60, null, null, null, false, false, 'start/end quote may be at most this many minutes before the point (else no_quotes_start / no_quotes_end / partial_horizon)'),
  ('outcome.retry_hours', 'integer', 'hours', '48', 0, 8760, null, null, null, false, false, 'an outcome row with missing data is recomputed while its horizon end is younger than this'),
  ('outcome.batch_items', 'integer', 'rows', '100000', 1, 10000000, null, null, null, false, false, 'at most this many (event, horizon) outcomes per pass of the outcome worker'),
  ('outcome.parallel', 'integer', 'connections', '2', 1, 4, null, null, null, false, false, 'the outcome worker computes its pass as this many shares side by side, each on its own worker connection for the seconds the pass takes (by symbol pair, so no path is computed twice; a share holds no connection while it waits for one)'),
  ('outcome.history_fetch_max', 'integer', 'calls', '40', 0, 10000, null, null, null, false, false, 'venue funding-history fetches per pass of the outcome worker'),
  ('retention.event_days', 'integer', 'days', '180', 1, 3650, null, null, null, false, false, 'events, their future_outcome rows and cached funding settlements older than this are deleted (daily)'),
  ('check.outcome_coverage_min', 'number', 'fraction', '0.95', 0, 1, null, null, null, false, false, 'wl check data: share of due Type B (event, horizon) outcomes with pnl_total, at least'),
  ('check.raw_join_min', 'number', 'fraction', '0.99', 0, 1, null, null, null, false, false, 'wl check data: share of events with a raw row at ts = start_ts, at least'),
  ('check.funding_missing_max', 'number', 'fraction', '0.05', 0, 1, null, null, null, false, false, 'wl check data: share of perp snapshots without next_funding_time / interval, at most'),
  ('check.prediction_coverage_min', 'number', 'fraction', '0.9', 0, 1, null, null, null, false, false, 'wl check data: share of Type B events with a 240-minute pnl_hat, at least'),
  ('check.window_days', 'integer', 'days', '7', 1, 365, null, null, null, false, false, 'wl check data looks at events and snapshots of the last N days')
on conflict (key) do update set type = excluded.type, unit = excluded.unit, default_value = excluded.default_value,
  min_value = excluded.min_value, max_value = excluded.max_value, max_key = excluded.max_key,
  allowed_values = excluded.allowed_values, pattern = excluded.pattern, nullable = excluded.nullable,
  needs_restart = excluded.needs_restart, description = excluded.description;

-- A registry row whose own default it refuses is a bug in this file: fail the migrate.
do $$
declare r record;
begin
  for r in select key, default_value from watchlist.setting loop
    if watchlist.setting_error(r.key, r.default_value) is not null
       and watchlist.setting_error(r.key, r.default_value) not like '%lower it first' then
      raise exception 'settings.sql: default of % (%) is invalid: %', r.key, r.default_value, watchlist.setting_error(r.key, r.default_value);
    end if;
  end loop;
end $$;

-- Stored values the registry refuses (an older version accepted anything) are reset
-- to the default, with an audit row keeping the old value; keys the registry does
-- not know are removed the same way. The migrate never fails on them, and nothing
-- is lost: strategy_config_audit has every old value.
do $$
declare r record; v_err text;
  -- on a fresh database the check trigger is created at the end of the apply (sql/defer_ddl.sql);
  -- a database from before the _NNN_ names still has it as strategy_config_check until then
  v_trig text := (select tgname from pg_trigger where tgrelid = 'watchlist.strategy_config'::regclass
                  and tgname in ('_100_check', 'strategy_config_check') order by tgname limit 1);
begin
  if v_trig is not null then execute format('alter table watchlist.strategy_config disable trigger %I', v_trig); end if;
  for r in select c.key, c.value from watchlist.strategy_config c
           where not exists (select 1 from watchlist.setting s where s.key = c.key) loop
    delete from watchlist.strategy_config where key = r.key;
    insert into watchlist.strategy_config_audit (key, old_value, new_value, changed_by, note)
    values (r.key, r.value, null, 'migrate', 'unregistered setting removed');
  end loop;
  -- caps before the values they bound, so trade.leverage is judged against a valid trade.leverage_max
  for r in select c.key, c.value, s.default_value from watchlist.strategy_config c join watchlist.setting s using (key)
           order by s.max_key is not null, c.key loop
    v_err := watchlist.setting_error(r.key, r.value);
    if v_err is not null and v_err not like '%lower it first' then
      update watchlist.strategy_config set value = r.default_value, updated_at = now(), updated_by = 'migrate' where key = r.key;
      insert into watchlist.strategy_config_audit (key, old_value, new_value, changed_by, note)
      values (r.key, r.value, r.default_value, 'migrate', 'invalid value reset to the registry default: ' || v_err);
    end if;
  end loop;
  if v_trig is not null then execute format('alter table watchlist.strategy_config enable trigger %I', v_trig); end if;
end $$;

-- Every registered setting has a row, so psql and the pages see the value in force.
insert into watchlist.strategy_config (key, value, description, updated_by)
select s.key, s.default_value, s.description, 'registry default' from watchlist.setting s
on conflict (key) do nothing;
update watchlist.strategy_config c set description = s.description
from watchlist.setting s where s.key = c.key and c.description is distinct from s.description;

do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'strategy_config_key_fkey'
                 and conrelid = 'watchlist.strategy_config'::regclass) then
    alter table watchlist.strategy_config
      add constraint strategy_config_key_fkey foreign key (key) references watchlist.setting(key);
  end if;
end $$;

create or replace view watchlist.v_settings as
select s.key, s.type, s.unit, coalesce(c.value, s.default_value) as value, s.default_value,
       watchlist.setting_domain(s) as domain, s.needs_restart, s.description, c.updated_at, c.updated_by
from watchlist.setting s left join watchlist.strategy_config c on c.key = s.key
order by s.key;

comment on column watchlist.setting.max_key is 'the upper bound is the current value of this other setting';
comment on column watchlist.setting.needs_restart is 'the value is read once at process start';
