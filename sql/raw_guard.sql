-- Raw-row guard: a row a writer sends to watch_signal_raw that cannot be true is
-- diverted to watch_signal_raw_rejected with its reason, never stored, never merged.
-- Owns: watchlist.watch_signal_raw_rejected, watchlist.known_venue (rows added by
--   the worker through record_venue_modes), triggers _100_guard_params (statement: reads
--   the settings once per INSERT) and _110_guard (row) on watch_signal_raw, first of its
--   triggers so nothing later sees a refused row (order: sql/defer_ddl.sql), view
--   watchlist.v_raw_rejections.
--
-- Why: one row dated two days ahead moved its key's merge clock (event_merge_state)
-- ahead, so every true row after it looked late and opened nothing; NaN / Infinity
-- factors, absurd or negative prices and made-up venues opened events the gate then
-- had to reason about.
--
-- Rejected (reason):
--   future_ts                ts later than now + raw.max_future_skew_s (clock skew tolerance)
--   unknown_venue:<column>   exchange ('multi' or a known venue), leg_a/leg_b_exchange
--   non_finite:<column>      NaN or ±Infinity in a factor / funding column
--   bad_price:<column>       leg price not in (0, raw.max_price], or NaN
--   bad_volume               volume_quote negative or not finite
-- Rows further ahead than the premade partitions (partition_policy.premake_days) are
-- refused by PostgreSQL itself ("no partition of relation … found for row") before
-- any row trigger runs: that INSERT fails as a whole, and nothing is stored.
--
-- Speed: the statement trigger reads the settings and venue list once per statement
-- into transaction-local GUCs; the row trigger's WHEN clause evaluates the check
-- inline (an inlinable SQL function), so a good row never enters PL/pgSQL.

-- settings raw.max_future_skew_s and raw.max_price are registered in sql/settings.sql

-- The one definition of a bad raw row: its reason, or null when the row is fine.
-- p_venues is ',a,b,c,' (see raw_guard_load).
-- Stable, not immutable: timestamptz + interval is stable, and an immutable SQL function
-- with a stable body is not inlined (the WHEN clause would call it per row).
create or replace function watchlist.raw_reject_reason(
  p_ts timestamptz, p_exchange text, p_leg_a_exchange text, p_leg_b_exchange text,
  p_leg_a_price numeric, p_leg_b_price numeric, p_volume_quote numeric,
  p_spread_rel float8, p_funding_rate float8, p_funding_interval_hours float8,
  p_range_1h float8, p_range_12h float8, p_volatility float8, p_slope_3m float8,
  p_crossings_1h float8, p_drift_ratio float8, p_best_buy_high_sell_low float8,
  p_best_sell_high_buy_low float8, p_book_imbalance float8, p_sweep_impact float8,
  p_leg_a_funding_rate float8, p_leg_b_funding_rate float8,
  p_now timestamptz, p_max_future_s float8, p_max_price numeric, p_venues text)
returns text language sql stable parallel safe as $$
  select case
    when p_ts > p_now + make_interval(secs => p_max_future_s) then 'future_ts'
    when p_exchange <> 'multi' and (strpos(p_venues, ',' || p_exchange || ',') = 0 or strpos(p_exchange, ',') > 0) then 'unknown_venue:exchange'
    when strpos(p_venues, ',' || p_leg_a_exchange || ',') = 0 or strpos(p_leg_a_exchange, ',') > 0 then 'unknown_venue:leg_a_exchange'
    when strpos(p_venues, ',' || p_leg_b_exchange || ',') = 0 or strpos(p_leg_b_exchange, ',') > 0 then 'unknown_venue:leg_b_exchange'
    -- NaN sorts above every number in PostgreSQL, so "not below infinity" is NaN or ±Infinity
    when not abs(p_spread_rel) < 'infinity' then 'non_finite:spread_rel'
    when not abs(p_funding_rate) < 'infinity' then 'non_finite:funding_rate'
    when not abs(p_funding_interval_hours) < 'infinity' then 'non_finite:funding_interval_hours'
    when not abs(p_range_1h) < 'infinity' then 'non_finite:range_1h'
    when not abs(p_range_12h) < 'infinity' then 'non_finite:range_12h'
    when not abs(p_volatility) < 'infinity' then 'non_finite:volatility'
    when not abs(p_slope_3m) < 'infinity' then 'non_finite:slope_3m'
    when not abs(p_crossings_1h) < 'infinity' then 'non_finite:crossings_1h'
    when not abs(p_drift_ratio) < 'infinity' then 'non_finite:drift_ratio'
    when not abs(p_best_buy_high_sell_low) < 'infinity' then 'non_finite:best_buy_high_sell_low'
    when not abs(p_best_sell_high_buy_low) < 'infinity' then 'non_finite:best_sell_high_buy_low'
    when not abs(p_book_imbalance) < 'infinity' then 'non_finite:book_imbalance'
    when not abs(p_sweep_impact) < 'infinity' then 'non_finite:sweep_impact'
    when not abs(p_leg_a_funding_rate) < 'infinity' then 'non_finite:leg_a_funding_rate'
    when not abs(p_leg_b_funding_rate) < 'infinity' then 'non_finite:leg_b_funding_rate'
    when not (p_leg_a_price > 0 and p_leg_a_price <= p_max_price) then 'bad_price:leg_a_price'
    when not (p_leg_b_price > 0 and p_leg_b_price <= p_max_price) then 'bad_price:leg_b_price'
    when not (p_volume_quote >= 0 and p_volume_quote < 'infinity') then 'bad_volume'
  end
$$;
comment on function watchlist.raw_reject_reason(timestamptz, text, text, text, numeric, numeric, numeric, float8, float8, float8,
  float8, float8, float8, float8, float8, float8, float8, float8, float8, float8, float8, float8, timestamptz, float8, numeric, text) is
  E'@behavior -queryField\nWhy a raw row would be rejected (null: it is fine). The one definition the raw guard trigger uses.';

-- Settings and venues for this statement's rows, as transaction-local GUCs.
create or replace function watchlist.raw_guard_load() returns void
language sql volatile as $$
  select set_config('wl.raw_max_future_s', greatest(0, watchlist.cfg_num('raw.max_future_skew_s'))::text, true),
         set_config('wl.raw_max_price', watchlist.cfg_num('raw.max_price')::numeric::text, true),
         set_config('wl.raw_venues', ',' || coalesce((select string_agg(venue, ',') from watchlist.known_venue), '') || ',', true)
$$;

-- No SET clause here: leaving a function that has one undoes every GUC it set.
create or replace function watchlist.raw_guard_params() returns trigger
language plpgsql as $$
begin
  perform watchlist.raw_guard_load();
  return null;
end $$;

-- Only rows the WHEN clause flagged get here (or every row of an INSERT straight into
-- a partition, where the parent's statement trigger did not load the settings).
create or replace function watchlist.raw_guard_divert() returns trigger
language plpgsql security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_reason text;
begin
  if coalesce(current_setting('wl.raw_venues', true), '') = '' then
    perform watchlist.raw_guard_load();
  end if;
  v_reason := watchlist.raw_reject_reason(new.ts, new.exchange, new.leg_a_exchange, new.leg_b_exchange,
    new.leg_a_price, new.leg_b_price, new.volume_quote, new.spread_rel, new.funding_rate, new.funding_interval_hours,
    new.range_1h, new.range_12h, new.volatility, new.slope_3m, new.crossings_1h, new.drift_ratio,
    new.best_buy_high_sell_low, new.best_sell_high_buy_low, new.book_imbalance, new.sweep_impact,
    new.leg_a_funding_rate, new.leg_b_funding_rate,
    statement_timestamp(), current_setting('wl.raw_max_future_s')::float8,
    current_setting('wl.raw_max_price')::numeric, current_setting('wl.raw_venues'));
  if v_reason is null then
    return new;
  end if;
  insert into watchlist.watch_signal_raw_rejected (reason, row_data) values (v_reason, to_jsonb(new));
  -- identical payloads fold into one per transaction: one note per reason per batch
  perform pg_notify('watchlist_signal', json_build_object('type', 'raw_rejected', 'reason', v_reason)::text);
  return null;
end $$;

-- declared through ensure_trigger (sql/defer_ddl.sql): recreated only when changed, at the end of the apply
select watchlist.ensure_trigger('watchlist.watch_signal_raw', '_100_guard_params', $ddl$
create trigger _100_guard_params before insert on watchlist.watch_signal_raw
  for each statement execute function watchlist.raw_guard_params()
$ddl$);

select watchlist.ensure_trigger('watchlist.watch_signal_raw', '_110_guard', $ddl$
create trigger _110_guard before insert on watchlist.watch_signal_raw
  for each row
  when (coalesce(current_setting('wl.raw_venues', true), '') = ''
        or watchlist.raw_reject_reason(new.ts, new.exchange, new.leg_a_exchange, new.leg_b_exchange,
             new.leg_a_price, new.leg_b_price, new.volume_quote, new.spread_rel, new.funding_rate, new.funding_interval_hours,
             new.range_1h, new.range_12h, new.volatility, new.slope_3m, new.crossings_1h, new.drift_ratio,
             new.best_buy_high_sell_low, new.best_sell_high_buy_low, new.book_imbalance, new.sweep_impact,
             new.leg_a_funding_rate, new.leg_b_funding_rate,
             statement_timestamp(), nullif(current_setting('wl.raw_max_future_s', true), '')::float8,
             nullif(current_setting('wl.raw_max_price', true), '')::numeric, current_setting('wl.raw_venues', true)) is not null)
  execute function watchlist.raw_guard_divert()
$ddl$);

-- What operators look at: rejections per hour and reason, with the latest example.
create or replace view watchlist.v_raw_rejections as
  select date_trunc('hour', r.received_at) as hour, r.reason, r.writer, count(*)::int as n,
         max(r.received_at) as last_at,
         (array_agg(r.row_data order by r.id desc))[1] as last_row
  from watchlist.watch_signal_raw_rejected r
  group by 1, 2, 3;
comment on column watchlist.watch_signal_raw_rejected.row_data is 'The row as the writer sent it (NaN / Infinity as strings).';
comment on column watchlist.watch_signal_raw_rejected.reason is 'future_ts, unknown_venue:<column>, non_finite:<column>, bad_price:<column> or bad_volume.';
comment on column watchlist.watch_signal_raw_rejected.writer is 'The database role of the session that sent it.';
comment on table watchlist.known_venue is
  'Venue names a raw row may carry: the exchanges the code knows, plus every venue a worker has run (added at its start).';
comment on column watchlist.watch_signal_raw_rejected.id is 'Rejection id (increasing).';
comment on column watchlist.watch_signal_raw_rejected.received_at is 'When the row was rejected.';
comment on column watchlist.known_venue.venue is 'Venue name as raw rows carry it (lower case).';
comment on column watchlist.known_venue.source is 'seed (shipped), worker (a worker ran it), operator or bench.';
comment on column watchlist.known_venue.added_at is 'When it became known.';
comment on column watchlist.v_raw_rejections.hour is 'Hour (UTC) the rows were rejected in.';
comment on column watchlist.v_raw_rejections.reason is 'Why (see watch_signal_raw_rejected.reason).';
comment on column watchlist.v_raw_rejections.writer is 'The database role that sent them.';
comment on column watchlist.v_raw_rejections.n is 'How many rows.';
comment on column watchlist.v_raw_rejections.last_at is 'The latest rejection in that hour.';
comment on column watchlist.v_raw_rejections.last_row is 'The latest rejected row, as sent.';
