-- What a signal is described by, declared once. The scanner (sql/scan.sql), the event
-- merge (sql/event_merge.sql), the gate (sql/gate.sql), the re-check (sql/trade_state.sql)
-- and the priors (sql/predict.sql) read these; none of them spells a factor name.
-- Owns: watchlist.signal_factors(), watchlist.signal_factor_names(),
--       watchlist.factors_of(), watchlist.factors_from_measures(), watchlist.factors_missing(),
--       watchlist.factors_on_recheck(), watchlist.prediction_key(), watchlist.event_prediction(),
--       watchlist.event_feature_names() and the slot helpers generated from it
--       (raw_feature_slots, slots_coalesce/least/greatest/sum/count).
--
-- Factors. A factor is a key of meta.factors (a raw row's, hence an event's and a
-- signal's payload) and of pnl_model.coefs; predict_bc reads the keys its model names.
-- Each is taken from a MEASURE the caller computes:
--   slope_3m, drift_ratio, crossings_1h   the pair's series (pair_series_factors; slope
--                                         oriented high over low)
--   log_ratio                             ln(short bid / long ask)
--   rel_spread                            short bid / long ask − 1
-- on_recheck says what the re-check on live books does with it: 'book' recomputes it from
-- the books' log_ratio / rel_spread, 'kept' keeps the event's value (history does not
-- change in the seconds between the event and the order).
--
-- How to add a factor: a row in signal_factors() below, then a pnl_model row whose coefs
-- use it (fitted, or a prior in sql/predict.sql). If its measure is new, compute it where
-- the scanner builds its measures (scan_write_triggered in sql/scan.sql) and, for a
-- 'book' factor, in the re-check's book measures (trade_recheck).
-- How to add a signal type: its factor rows here, its scanner (a function writing raw
-- rows with meta.factors from these, like sql/scan.sql), a pnl_model row per horizon,
-- and the type in the trade.signal_types setting. Merge, gate, re-check and predict
-- need no change.

create or replace function watchlist.signal_factors()
returns table (signal_type text, name text, measure text, on_recheck text)
language sql immutable parallel safe as $$
  values
    ('B', 'raw_slope_3m', 'slope_3m', 'kept'),
    ('B', 'raw_drift_ratio', 'drift_ratio', 'kept'),
    ('B', 'raw_crossings_1h', 'crossings_1h', 'kept'),
    ('B', 'spread_log_short_over_long', 'log_ratio', 'book'),
    ('B', 'raw_best_buy_high_sell_low', 'rel_spread', 'book')
$$;

create or replace function watchlist.signal_factor_names(p_signal_type text) returns text[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(f.name order by f.name), '{}') from watchlist.signal_factors() f where f.signal_type = p_signal_type
$$;

-- meta.factors and meta.factors_missing of a raw row, from its measures and the reasons
-- its measures are missing: a measure that is null gives a JSON null factor; a measure's
-- reason goes under the name of the factor taken from it, and reasons of measures that
-- are no factor (range_1h, volatility, …) keep their names. One row, as a set: a
-- set-returning SQL function in FROM is inlined into the scanner's query (a scalar one
-- reading signal_factors() is not, and would run as a query of its own for every row).
create or replace function watchlist.factors_of(p_signal_type text, p_measures jsonb, p_missing jsonb)
returns table (factors jsonb, factors_missing jsonb) language sql stable parallel safe as $$
  select coalesce(jsonb_object_agg(f.name, p_measures -> f.measure), '{}'),
    (p_missing - coalesce(array_agg(f.measure), '{}'))
      || coalesce(jsonb_object_agg(f.name, p_missing -> f.measure) filter (where p_missing ? f.measure), '{}')
  from watchlist.signal_factors() f where f.signal_type = p_signal_type
$$;

-- meta.factors alone (factors_of).
create or replace function watchlist.factors_from_measures(p_signal_type text, p_measures jsonb) returns jsonb
language sql immutable parallel safe as $$
  select f.factors from watchlist.factors_of(p_signal_type, p_measures, '{}') f
$$;

-- meta.factors_missing alone (factors_of).
create or replace function watchlist.factors_missing(p_signal_type text, p_missing jsonb) returns jsonb
language sql immutable parallel safe as $$
  select f.factors_missing from watchlist.factors_of(p_signal_type, '{}', p_missing) f
$$;

-- The factors the re-check predicts with: 'book' factors from the live books' measures,
-- 'kept' factors as the event had them.
create or replace function watchlist.factors_on_recheck(p_signal_type text, p_event_factors jsonb, p_book_measures jsonb)
returns jsonb language sql immutable parallel safe as $$
  select coalesce(jsonb_object_agg(f.name, case f.on_recheck when 'book' then p_book_measures -> f.measure
                                                             else p_event_factors -> f.name end), '{}')
  from watchlist.signal_factors() f where f.signal_type = p_signal_type
$$;

-- Where a raw row's meta (and so an event's meta_first / meta_last) keeps its
-- predictions: {<horizon minutes>: {pnl_hat, win_prob, model_version, reason}}.
create or replace function watchlist.prediction_key() returns text
language sql immutable parallel safe as $$ select 'pnl_regression' $$;

-- The latest prediction of an event at a horizon (features_agg.meta_last.pnl_regression.<h>).
create or replace function watchlist.event_prediction(p_features_agg jsonb, p_horizon text) returns jsonb
language sql immutable parallel safe as $$
  select p_features_agg #> array['meta_last', watchlist.prediction_key(), p_horizon]
$$;

-- The scalars an event summarises, in the slot order of its feat_* arrays (a raw row's
-- columns of these names). Stored arrays keep their slots: append, never reorder.
-- The merge's slot-wise helpers below are generated from this list.
create or replace function watchlist.event_feature_names() returns text[]
language sql immutable parallel safe as $$
  select array['spread_rel', 'funding_rate', 'best_buy_high_sell_low', 'best_sell_high_buy_low',
               'range_1h', 'range_12h', 'volatility', 'slope_3m', 'crossings_1h', 'drift_ratio']
$$;

-- Slot-wise helpers over an event's feat_* arrays, generated from the one list of slots
-- (watchlist.event_feature_names(), sql/factors.sql) and written out element by
-- element so the planner inlines them:
--   raw_feature_slots(r)   a raw row's scalars in slot order
--   slots_coalesce / slots_least / slots_greatest / slots_sum (null + x = x) / slots_count
do $gen$
declare
  v_names text[] := watchlist.event_feature_names();
  v_i int[] := array(select generate_series(1, cardinality(v_names)));
  fold constant text := 'create or replace function watchlist.%s(a %s, b %s) returns %s language sql immutable parallel safe as %L';
begin
  execute format('create or replace function watchlist.raw_feature_slots(r watchlist.watch_signal_raw) returns float8[] '
    'language sql immutable parallel safe as %L',
    'select array[' || (select string_agg(format('r.%I::float8', n), ', ') from unnest(v_names) n) || ']::float8[]');
  execute format(fold, 'slots_coalesce', 'float8[]', 'float8[]', 'float8[]',
    'select array[' || (select string_agg(format('coalesce(a[%s], b[%s])', i, i), ', ') from unnest(v_i) i) || ']');
  execute format(fold, 'slots_least', 'float8[]', 'float8[]', 'float8[]',
    'select array[' || (select string_agg(format('least(a[%s], b[%s])', i, i), ', ') from unnest(v_i) i) || ']');
  execute format(fold, 'slots_greatest', 'float8[]', 'float8[]', 'float8[]',
    'select array[' || (select string_agg(format('greatest(a[%s], b[%s])', i, i), ', ') from unnest(v_i) i) || ']');
  execute format(fold, 'slots_sum', 'float8[]', 'float8[]', 'float8[]',
    'select array[' || (select string_agg(format('coalesce(a[%s] + b[%s], a[%s], b[%s])', i, i, i, i), ', ') from unnest(v_i) i) || ']');
  execute format(fold, 'slots_count', 'int[]', 'int[]', 'int[]',
    'select array[' || (select string_agg(format('coalesce(a[%s], 0) + coalesce(b[%s], 0)', i, i), ', ') from unnest(v_i) i) || ']');
end $gen$;
