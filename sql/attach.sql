-- Attach mode: an external writer (plan §0, watchlist_pg_writer.py) owns
-- watch_signal_raw and watch_signal_event; the product trades from its events.
-- Owns: watchlist.attach_mode(), watchlist.event_status_live(),
--       watchlist.event_trade_meta() (the writer's event shapes read as they are).
--
-- Which events are traded (one rule, so a dual-write never trades one opportunity twice):
--   * standalone (ingest.attach = false): the SQL merge (sql/event_merge.sql) makes the
--     events, status 'open' while live; a writer still writing its own events alongside
--     (statuses new/confirmed/dropped) is never gated.
--   * attach (ingest.attach = true): the SQL merge creates no event and closes none, the
--     scanner writes no raw row; the writer's events are gated. Its statuses map to:
--       new       -> live (gated on insert and on every update while live)
--       confirmed -> live
--       dropped   -> ended, never gated
--       open      -> live, closed -> ended (the SQL merge's own names, if the writer uses them)
--     anything else is not traded.

create or replace function watchlist.attach_mode() returns boolean
language sql stable parallel safe as $$
  select coalesce(watchlist.cfg_text('ingest.attach')::boolean, false)
$$;

create or replace function watchlist.event_status_live(p_status text) returns boolean
language sql stable parallel safe as $$
  select p_status = 'open' or (p_status in ('new', 'confirmed') and watchlist.attach_mode())
$$;

-- A scalar of an event: the SQL merge keeps feat_last; the writer's features_agg has
-- {name: {first, last, mean, min, max}} (or a bare number).
create or replace function watchlist.event_scalar_last(e watchlist.watch_signal_event, p_name text) returns float8
language sql stable parallel safe as $$
  select coalesce(
    e.feat_last[array_position(watchlist.event_feature_names(), p_name)],
    case when jsonb_typeof(e.features_agg #> array[p_name, 'last']) = 'number' then (e.features_agg #>> array[p_name, 'last'])::float8 end,
    case when jsonb_typeof(e.features_agg -> p_name) = 'number' then (e.features_agg ->> p_name)::float8 end)
$$;

-- meta_last as the gate reads it. Where trigger_details.prices is missing (older writer
-- rows), the legs come from the event's leg columns (leg_a = high/short, leg_b = low/long),
-- else the first of meta_last.pairs_top; their prices from the writer's latest raw row of
-- the event (meta.exchanges price_bid/price_ask), else the leg columns' prices. Missing
-- factors take the plan's §0.1.3 fallback: raw_best_buy_high_sell_low = best_buy_high_sell_low,
-- spread_log_short_over_long = ln(1 + best_buy_high_sell_low). Each fallback used is listed
-- in meta_last.fallback, so the signal's payload says how its inputs were obtained.
-- Legs that cannot be determined leave prices absent and set fallback 'legs_unknown'.
create or replace function watchlist.event_trade_meta(e watchlist.watch_signal_event) returns jsonb
language plpgsql stable as $$
declare
  m jsonb := coalesce(e.features_agg->'meta_last', '{}'::jsonb);
  f jsonb := coalesce(m->'factors', '{}'::jsonb);
  v_fb text[] := '{}';
  v_hi text;
  v_lo text;
  v_ex jsonb;
  v_hi_q jsonb;
  v_lo_q jsonb;
  v_bbhs float8;
begin
  if jsonb_typeof(m #> '{trigger_details,prices,high}') is distinct from 'object'
     or jsonb_typeof(m #> '{trigger_details,prices,low}') is distinct from 'object' then
    v_hi := nullif(e.leg_a_exchange, '');
    v_lo := nullif(e.leg_b_exchange, '');
    if v_hi is not null and v_lo is not null then
      v_fb := array_append(v_fb, 'legs_from_columns');
    else
      v_hi := m #>> '{pairs_top,0,high_exch}';
      v_lo := m #>> '{pairs_top,0,low_exch}';
      if coalesce(v_hi, '') <> '' and coalesce(v_lo, '') <> '' then v_fb := array_append(v_fb, 'legs_from_pairs_top'); end if;
    end if;
    if coalesce(v_hi, '') = '' or coalesce(v_lo, '') = '' or v_hi = v_lo then
      v_fb := array_append(v_fb, 'legs_unknown');
    else
      select r.meta->'exchanges' into v_ex from watchlist.watch_signal_raw r
      where r.exchange = e.exchange and r.symbol = e.symbol and r.signal_type = e.signal_type
        and r.ts between e.start_ts and coalesce(e.last_trigger_ts, e.end_ts, e.start_ts) + interval '1 minute'
        and jsonb_typeof(r.meta->'exchanges') = 'array'
      order by r.ts desc limit 1;
      select x into v_hi_q from jsonb_array_elements(coalesce(v_ex, '[]')) x where x->>'name' = v_hi limit 1;
      select x into v_lo_q from jsonb_array_elements(coalesce(v_ex, '[]')) x where x->>'name' = v_lo limit 1;
      if v_hi_q is not null and v_lo_q is not null then
        v_fb := array_append(v_fb, 'prices_from_raw_meta');
        m := jsonb_set(m, '{trigger_details}', coalesce(m->'trigger_details', '{}') || jsonb_build_object('prices', jsonb_build_object(
          'high', jsonb_build_object('exchange', v_hi, 'bid', v_hi_q->'price_bid', 'ask', v_hi_q->'price_ask'),
          'low', jsonb_build_object('exchange', v_lo, 'bid', v_lo_q->'price_bid', 'ask', v_lo_q->'price_ask'))));
      elsif e.leg_a_price > 0 and e.leg_b_price > 0 and v_hi = e.leg_a_exchange and v_lo = e.leg_b_exchange then
        v_fb := array_append(v_fb, 'prices_from_columns');
        m := jsonb_set(m, '{trigger_details}', coalesce(m->'trigger_details', '{}') || jsonb_build_object('prices', jsonb_build_object(
          'high', jsonb_build_object('exchange', v_hi, 'bid', e.leg_a_price, 'ask', e.leg_a_price),
          'low', jsonb_build_object('exchange', v_lo, 'bid', e.leg_b_price, 'ask', e.leg_b_price))));
      else
        -- the legs are known but not their prices: the gate says invalid_prices
        m := jsonb_set(m, '{trigger_details}', coalesce(m->'trigger_details', '{}') || jsonb_build_object('prices', jsonb_build_object(
          'high', jsonb_build_object('exchange', v_hi), 'low', jsonb_build_object('exchange', v_lo))));
      end if;
    end if;
  end if;
  if jsonb_typeof(f->'raw_best_buy_high_sell_low') is distinct from 'number'
     or jsonb_typeof(f->'spread_log_short_over_long') is distinct from 'number' then
    v_bbhs := coalesce(
      case when jsonb_typeof(m #> '{trigger_details,best_buy_high_sell_low}') = 'number'
           then (m #>> '{trigger_details,best_buy_high_sell_low}')::float8 end,
      watchlist.event_scalar_last(e, 'best_buy_high_sell_low'));
    if v_bbhs is not null and v_bbhs > -1 then
      if jsonb_typeof(f->'raw_best_buy_high_sell_low') is distinct from 'number' then
        f := f || jsonb_build_object('raw_best_buy_high_sell_low', v_bbhs);
      end if;
      if jsonb_typeof(f->'spread_log_short_over_long') is distinct from 'number' then
        f := f || jsonb_build_object('spread_log_short_over_long', ln(1 + v_bbhs));
      end if;
      v_fb := array_append(v_fb, 'factors_from_best_buy_high_sell_low');
      m := m || jsonb_build_object('factors', f);
    end if;
  end if;
  if cardinality(v_fb) > 0 then
    m := m || jsonb_build_object('fallback', to_jsonb(v_fb));
  end if;
  return m;
end $$;

comment on function watchlist.event_trade_meta(watchlist.watch_signal_event) is
  'An event''s meta_last as the gate reads it, with the plan §0.1.3 fallbacks (listed in its fallback key) where the writer left prices or factors out.';

-- One opportunity, traded once, whoever merged it: another event of the same symbol,
-- signal type and leg pair whose span overlaps this one's (within event.gap_minutes)
-- and already led to a trade makes this one a duplicate. This is what keeps a
-- dual-write (the writer's event and the SQL merge's for the same minutes) from being
-- traded twice once the first trade has ended and the cooldown allows the pair again.
create or replace function watchlist.gate_same_opportunity(e watchlist.watch_signal_event, p_short text, p_long text) returns boolean
language sql stable as $$
  select exists (
    select 1 from watchlist.live_trade_signal s
    join watchlist.watch_signal_event p on p.id = s.event_id
    where s.symbol = e.symbol and s.kind = 'auto' and s.status <> 'ignored' and s.event_id <> e.id
      and s.leg_short_exchange = p_short and s.leg_long_exchange = p_long
      and p.signal_type = e.signal_type
      and p.start_ts <= coalesce(e.last_trigger_ts, e.end_ts, e.start_ts) + make_interval(mins => watchlist.cfg_num('event.gap_minutes')::int)
      and e.start_ts <= coalesce(p.last_trigger_ts, p.end_ts, p.start_ts) + make_interval(mins => watchlist.cfg_num('event.gap_minutes')::int))
$$;
