-- Type B scanner: every symbol, every pair of venues quoted at a minute.
-- Owns: watchlist.scan(ts), watchlist.pair_series_factors(...), the rows of
--       watchlist.scan_pair / pair_minute / pair_hour / scan_run (migration 000002);
--       its `scan.*` settings are registered in sql/settings.sql.
--
-- Orientation. For a pair at a minute, HIGH is the venue with the higher mid (tie:
-- the alphabetically first), LOW the other. The Type B trade shorts HIGH and longs LOW.
--   spread_rel                 = (high mid − low mid) / low mid
--   best_buy_high_sell_low     = (high bid − low ask) / low ask   (entry, swept at the notional)
--   best_sell_high_buy_low     = (high ask − low bid) / low bid   (same pair, opposite book
--                                 sides: what unwinding it would cost now)
--   spread_log_short_over_long = ln(high bid / low ask)
-- bid / ask are the snapshot's sweep prices (average fill at notional_usdt).
--
-- Series. One value per pair and minute, stored for the ALPHABETICAL pair
-- (venue_a < venue_b) so that orientation flips do not break it:
--   s_t = ln(mid_a / mid_b)
-- Factors are computed on the oriented series σ·s (σ = +1 when HIGH = venue_a,
-- −1 otherwise); only slope_3m changes sign, the others are symmetric.
-- Windows are by timestamp, closed at both ends, over the points that exist
-- (missing minutes are simply absent, never filled):
--   W3  = [t − 3 min, t], W1h = [t − 1 h, t], W12h = [t − 12 h, t]
--   slope_3m     OLS slope of σ·s on x = (ts − t) in minutes over W3 (per minute); needs ≥ 2 points
--   crossings_1h number of consecutive point pairs (i−1, i) in W1h with
--                (s_{i−1} − m)(s_i − m) < 0, m = mean of s over W1h (a point exactly on m is no crossing)
--   drift_ratio  |s_last − s_first| / Σ|s_i − s_{i−1}| over consecutive points of W1h
--                (net change over path length, in [0, 1]); NULL when the path is 0
--   range_1h     max − min of s over W1h;   range_12h  the same over W12h
--   volatility   sample standard deviation of s over W1h (levels, so a missing minute
--                does not widen it the way a two-minute difference would)
-- Coverage (else the factor is NULL and meta.factors_missing says why; the scan goes on):
--   1h factors need ≥ scan.min_points_1h points with the first within
--   scan.window_start_tolerance_minutes of t − 1h ('insufficient_history_1h');
--   range_12h needs a point within the first hour of W12h ('insufficient_history_12h').
--
-- Cost. Every minute: one row per quoted pair into pair_minute and an upsert of its
-- hour bucket in pair_hour. Window factors are read only for pairs past the
-- trigger (≤ 61 minute rows + ≤ 12 hour buckets + ≤ 59 edge minutes each).

-- The hourly partition of pair_minute for p_hour; when it makes one it also drops
-- partitions that ended more than scan.series_retention_hours before p_hour.
create or replace function watchlist.ensure_pair_minute_hour(p_hour timestamptz) returns text
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_hour timestamptz := date_trunc('hour', p_hour, 'UTC');
  v_name text := format('pair_minute_h%s', to_char(v_hour at time zone 'UTC', 'YYYYMMDDHH24'));
  v_keep interval := make_interval(hours => greatest(13, watchlist.cfg_num('scan.series_retention_hours'))::int);
  part record;
begin
  perform pg_advisory_xact_lock(hashtext('wl:partitions:pair_minute'));
  if to_regclass(format('watchlist.%I', v_name)) is not null then
    return null;
  end if;
  execute format('create table watchlist.%I partition of watchlist.pair_minute for values from (%L) to (%L)',
    v_name, v_hour, v_hour + interval '1 hour');
  for part in
    select c.oid, c.relname from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'watchlist.pair_minute'::regclass
  loop
    if watchlist.partition_upper_bound(part.oid) <= v_hour - v_keep then
      execute format('drop table watchlist.%I', part.relname);
    end if;
  end loop;
  return v_name;
end $$;

-- A snapshot the scanner may use at minute ts. The prices are the snapshot's numerics
-- (steps 1-2) or scan_quote's float8 (step 3: comparing those to 0 needs no cast back
-- to numeric per quote, and is the same test). Inlined where it is called.
drop function if exists watchlist.scan_quote_usable(numeric, numeric, numeric, timestamptz, timestamptz);
create or replace function watchlist.scan_quote_usable(p_mid anycompatible, p_bid anycompatible, p_ask anycompatible,
  p_book_ts timestamptz, p_min_book_ts timestamptz) returns boolean
language sql immutable parallel safe as $$
  select p_mid > 0 and p_bid > 0 and p_ask > 0 and (p_book_ts is null or p_book_ts >= p_min_book_ts)
$$;

-- Window factors of one pair's series at minute p_ts (stored orientation: slope_3m
-- is for s = ln(mid_a / mid_b); multiply by σ for the trade's orientation).
create or replace function watchlist.pair_series_factors(
  p_pair_id int, p_ts timestamptz,
  p_min_points_1h int default 20,
  p_start_tolerance interval default interval '5 minutes',
  out n_1h int, out n_3m int, out slope_3m double precision, out crossings_1h int,
  out drift_ratio double precision, out range_1h double precision,
  out volatility double precision, out range_12h double precision, out missing jsonb)
language sql stable parallel safe as $$
  with w as (
    select ts, s, s - avg(s) over () as d, lag(s) over (order by ts) as s_prev
    from watchlist.pair_minute
    where pair_id = p_pair_id and ts >= p_ts - interval '1 hour' and ts <= p_ts
  ),
  w2 as (
    select w.*, lag(d) over (order by ts) as d_prev from w
  ),
  h1 as (
    select count(*)::int as n, min(ts) as first_ts,
      count(*) filter (where ts >= p_ts - interval '3 minutes')::int as n3,
      regr_slope(s, extract(epoch from ts - p_ts)::float8 / 60)
        filter (where ts >= p_ts - interval '3 minutes') as slope3,
      count(*) filter (where d * d_prev < 0)::int as crossings,
      sum(abs(s - s_prev)) as path,
      abs((array_agg(s order by ts desc))[1] - (array_agg(s order by ts))[1]) as net,
      max(s) - min(s) as rng,
      stddev_samp(s) as sd
    from w2
  ),
  edges as (  -- W12h = leading partial hour + whole hour buckets + current partial hour
    select p_ts - interval '12 hours' as lo,
      date_trunc('hour', p_ts - interval '12 hours', 'UTC')
        + case when date_trunc('hour', p_ts - interval '12 hours', 'UTC') = p_ts - interval '12 hours'
               then interval '0' else interval '1 hour' end as lead_end,
      date_trunc('hour', p_ts, 'UTC') as cur_hour
  ),
  h12 as (
    select max(u.mx) - min(u.mn) as rng, min(u.first_ts) as first_ts
    from edges e, lateral (
      select b.s_max as mx, b.s_min as mn, b.first_ts from watchlist.pair_hour b
      where b.pair_id = p_pair_id and b.hour >= e.lead_end and b.hour < e.cur_hour
      union all
      select m.s, m.s, m.ts from watchlist.pair_minute m
      where m.pair_id = p_pair_id and m.ts >= e.lo and m.ts < e.lead_end
      union all
      select m.s, m.s, m.ts from watchlist.pair_minute m
      where m.pair_id = p_pair_id and m.ts >= e.cur_hour and m.ts <= p_ts
    ) u
  ),
  ok as (
    select h1.n >= p_min_points_1h and h1.first_ts <= p_ts - interval '1 hour' + p_start_tolerance as ok1,
      h1.n3 >= 2 as ok3,
      coalesce(h12.first_ts <= p_ts - interval '11 hours', false) as ok12,
      case when h1.n = 0 then 'no_history_1h' else 'insufficient_history_1h' end as why1
    from h1, h12
  )
  select h1.n, h1.n3,
    case when ok3 then h1.slope3 end,
    case when ok1 then h1.crossings end,
    case when ok1 and h1.path > 0 then h1.net / h1.path end,
    case when ok1 then h1.rng end,
    case when ok1 then h1.sd end,
    case when ok12 then h12.rng end,
    jsonb_strip_nulls(jsonb_build_object(
      'slope_3m', case when not ok3 then 'insufficient_points_3m' end,
      'crossings_1h', case when not ok1 then why1 end,
      'drift_ratio', case when not ok1 then why1 when not (h1.path > 0) then 'flat_path_1h' end,
      'range_1h', case when not ok1 then why1 end,
      'volatility', case when not ok1 then why1 end,
      'range_12h', case when not ok12 then 'insufficient_history_12h' end))
  from h1, h12, ok
$$;

-- The minute's quotes as the scanner reads them (sweep prices as float8). A view, so
-- its row type carries one venue's quote through the steps below.
create or replace view watchlist.scan_quote as
select m.ts, m.symbol, m.venue, m.bid::float8 as bid, m.ask::float8 as ask, m.bid_top::float8 as bid_top,
  m.ask_top::float8 as ask_top, m.mid::float8 as mid, coalesce(m.depth_ok, false) as depth_ok, m.notional_usdt,
  m.book_ts, m.funding_rate, m.funding_interval_hours, m.next_funding_time
from watchlist.market_snapshot m;

-- Step 1: ids for pairs quoted together for the first time.
create or replace function watchlist.scan_new_pairs(p_ts timestamptz, p_min_book_ts timestamptz) returns integer
language plpgsql volatile as $$
declare v_n int;
begin
  insert into watchlist.scan_pair (symbol, venue_a, venue_b, first_ts)
  select a.symbol, a.venue, b.venue, p_ts
  from watchlist.market_snapshot a
  join watchlist.market_snapshot b on b.ts = a.ts and b.symbol = a.symbol and b.venue > a.venue
  where a.ts = p_ts
    and watchlist.scan_quote_usable(a.mid, a.bid, a.ask, a.book_ts, p_min_book_ts)
    and watchlist.scan_quote_usable(b.mid, b.bid, b.ask, b.book_ts, p_min_book_ts)
    and not exists (select 1 from watchlist.scan_pair p
                    where p.symbol = a.symbol and p.venue_a = a.venue and p.venue_b = b.venue)
  order by 1, 2, 3
  on conflict do nothing;
  get diagnostics v_n = row_count;
  return v_n;
end $$;

-- Step 2: every pair's series point at the minute, and its hour bucket. Returns the
-- number of pairs extended.
create or replace function watchlist.scan_extend_series(p_ts timestamptz, p_min_book_ts timestamptz) returns integer
language plpgsql volatile as $$
declare
  v_hour timestamptz := date_trunc('hour', p_ts, 'UTC');
  v_n int;
begin
  with q as (
    select m.symbol, m.venue, m.mid::float8 as mid
    from watchlist.market_snapshot m
    where m.ts = p_ts and watchlist.scan_quote_usable(m.mid, m.bid, m.ask, m.book_ts, p_min_book_ts)
  ),
  ins as (
    insert into watchlist.pair_minute (pair_id, ts, s)
    select p.id, p_ts, ln(a.mid / b.mid)
    from q a
    join q b on b.symbol = a.symbol and b.venue > a.venue
    join watchlist.scan_pair p on p.symbol = a.symbol and p.venue_a = a.venue and p.venue_b = b.venue
    on conflict (pair_id, ts) do nothing
    returning pair_id, s
  )
  insert into watchlist.pair_hour as h (pair_id, hour, n, s_min, s_max, first_ts)
  select ins.pair_id, v_hour, 1, ins.s, ins.s, p_ts from ins order by ins.pair_id
  on conflict (pair_id, hour) do update set
    n = h.n + 1,
    s_min = least(h.s_min, excluded.s_min),
    s_max = greatest(h.s_max, excluded.s_max),
    first_ts = least(h.first_ts, excluded.first_ts);
  get diagnostics v_n = row_count;
  delete from watchlist.pair_hour where hour < v_hour - interval '13 hours';
  return v_n;
end $$;

-- The JSON helpers below are stable (as jsonb_build_object is), not immutable: an
-- immutable SQL function whose body is only stable is not inlined, and would run as a
-- query of its own for every row.

-- One leg of a pair as meta.orderbook.legs lists it.
create or replace function watchlist.scan_leg_json(q watchlist.scan_quote, p_side text, p_ts timestamptz) returns jsonb
language sql stable parallel safe as $$
  select jsonb_build_object('exchange', q.venue, 'type', 'perp', 'side', p_side, 'sell', q.bid, 'buy', q.ask,
    'mid', q.mid, 'bid_top', q.bid_top, 'ask_top', q.ask_top, 'depth_ok', q.depth_ok,
    'notional_usdt', q.notional_usdt, 'book_ts', q.book_ts, 'age_seconds', extract(epoch from p_ts - q.book_ts)::float8)
$$;

-- One venue's quote as meta.exchanges lists it.
create or replace function watchlist.scan_exchange_json(q watchlist.scan_quote) returns jsonb
language sql stable parallel safe as $$
  select jsonb_build_object('name', q.venue, 'kind', 'perp', 'price_bid', q.bid, 'price_ask', q.ask,
    'bid_top', q.bid_top, 'ask_top', q.ask_top, 'mid', q.mid, 'depth_ok', q.depth_ok,
    'funding_rate', q.funding_rate, 'funding_interval_hours', q.funding_interval_hours,
    'next_funding_time', q.next_funding_time)
$$;

-- A triggered Type B row's meta (the plan's shape; the gate reads trigger_details and,
-- through the event, factors and pnl_regression).
create or replace function watchlist.scan_raw_meta(hi watchlist.scan_quote, lo watchlist.scan_quote, p_ts timestamptz,
  p_fwd double precision, p_rev double precision, p_slog double precision, p_factors jsonb, p_missing jsonb,
  p_series jsonb, p_pairs_top jsonb, p_exchanges jsonb, p_prediction jsonb, p_thresholds jsonb) returns jsonb
language sql stable parallel safe as $$
  select jsonb_build_object(
    'pairs_top', p_pairs_top,
    'exchanges', p_exchanges,
    'orderbook', jsonb_build_object(
      'ts', p_ts, 'notional_usdt', coalesce(hi.notional_usdt, lo.notional_usdt),
      'max_quote_age_seconds', p_thresholds->'max_quote_age_seconds',
      'forward_spread', p_fwd, 'reverse_spread', p_rev,
      'legs', jsonb_build_array(watchlist.scan_leg_json(hi, 'short', p_ts), watchlist.scan_leg_json(lo, 'long', p_ts))),
    'factors', p_factors,
    'factors_missing', p_missing,
    'series', p_series,
    'funding_diff', hi.funding_rate - lo.funding_rate,
    'trigger_details', jsonb_build_object(
      'prices', jsonb_build_object(
        'high', jsonb_build_object('exchange', hi.venue, 'bid', hi.bid, 'ask', hi.ask, 'mid', hi.mid),
        'low', jsonb_build_object('exchange', lo.venue, 'bid', lo.bid, 'ask', lo.ask, 'mid', lo.mid)),
      'spread_log_short_over_long', p_slog,
      'best_buy_high_sell_low', p_fwd,
      'thresholds', p_thresholds - 'max_quote_age_seconds'),
    watchlist.prediction_key(), p_prediction)
$$;

-- Predictions for a signal's factors at every horizon: {<minutes>: predict_bc(...)}. One
-- row, as a set: a set-returning SQL function in FROM is inlined (a scalar one with a FROM
-- clause is not, and would run as a query of its own for every row).
drop function if exists watchlist.scan_predictions(text, int[], jsonb);
create or replace function watchlist.scan_predictions(p_signal_type text, p_horizons int[], p_factors jsonb)
returns table (pred jsonb) language sql stable parallel safe as $$
  select jsonb_object_agg(hz::text, to_jsonb(p))
  from unnest(p_horizons) hz, lateral watchlist.predict_bc(p_signal_type, hz, p_factors) p
$$;

-- Step 3: pairs past the Type B trigger → one raw row each, in ONE insert (so the
-- statement-level event merge runs once). HIGH/LOW, spreads and factors: file header.
create or replace function watchlist.scan_write_triggered(p_ts timestamptz, p_min_book_ts timestamptz, p_thr jsonb)
returns integer language plpgsql volatile as $$
declare
  v_min_spread double precision := p_thr->>'b_min_spread';
  v_min_pnl_hat double precision := p_thr->>'b_min_pnl_hat';
  v_pnl_h text := p_thr->>'b_pnl_horizon';
  v_require_depth boolean := p_thr->>'require_depth_ok';
  v_top_n int := watchlist.cfg_num('scan.pairs_top_n')::int;
  v_min_pts int := watchlist.cfg_num('scan.min_points_1h')::int;
  v_tol interval := make_interval(secs => 60 * watchlist.cfg_num('scan.window_start_tolerance_minutes'));
  v_horizons int[] := coalesce(
    (select array_agg(h::int) from jsonb_array_elements_text(watchlist.cfg('scan.horizons')) h), '{}');
  v_n int;
begin
  with q as (
    select s.symbol, s.venue, s.bid, s.ask, s.mid, s.depth_ok from watchlist.scan_quote s
    where s.ts = p_ts and watchlist.scan_quote_usable(s.mid, s.bid, s.ask, s.book_ts, p_min_book_ts)
  ),
  pr as (
    select h.symbol, h.venue as hi_venue, l.venue as lo_venue,
      (h.mid - l.mid) / l.mid as spread_rel, (h.bid - l.ask) / l.ask as e_fwd,
      (h.ask - l.bid) / l.bid as e_rev, ln(h.bid / l.ask) as slog, h.depth_ok and l.depth_ok as depth_ok
    from q h join q l on l.symbol = h.symbol and (h.mid > l.mid or (h.mid = l.mid and h.venue < l.venue))
  ),
  fac as (
    select pr.*, p.venue_a, p.venue_b, x.sgn, f.n_1h, f.n_3m, x.sgn * f.slope_3m as slope_3m, f.crossings_1h,
      f.drift_ratio, f.range_1h, f.volatility, f.range_12h,
      fm.factors, fm.factors_missing
    from pr
    join watchlist.scan_pair p on p.symbol = pr.symbol
      and p.venue_a = least(pr.hi_venue, pr.lo_venue) and p.venue_b = greatest(pr.hi_venue, pr.lo_venue)
    cross join lateral (select case when pr.hi_venue = p.venue_a then 1 else -1 end as sgn) x
    cross join lateral watchlist.pair_series_factors(p.id, p_ts, v_min_pts, v_tol) f
    cross join lateral watchlist.factors_of('B', to_jsonb(f) - 'missing' || jsonb_build_object('slope_3m', x.sgn * f.slope_3m,
      'log_ratio', pr.slog, 'rel_spread', pr.e_fwd), f.missing) fm  -- measures: sql/factors.sql
    where pr.e_fwd >= v_min_spread and (pr.depth_ok or not v_require_depth)
  ),
  keep as (
    select fac.*, pd.pred from fac
    cross join lateral watchlist.scan_predictions('B', v_horizons, fac.factors) pd
    where v_min_pnl_hat is null or (pd.pred -> v_pnl_h ->> 'pnl_hat')::float8 > v_min_pnl_hat
  ),
  tops as (
    select x.symbol, jsonb_agg(jsonb_build_object(
        'high_exch', x.hi_venue, 'low_exch', x.lo_venue, 'spread_pct', x.e_fwd, 'reverse_spread_pct', x.e_rev,
        'spread_rel', x.spread_rel, 'dir', 'buy_high_sell_low') order by x.rn) as pairs_top
    from (select pr.*, row_number() over (partition by pr.symbol order by pr.e_fwd desc, pr.hi_venue, pr.lo_venue) as rn
          from pr where pr.symbol in (select symbol from keep)) x
    where x.rn <= v_top_n group by x.symbol
  ),
  qk as (  -- quotes as rows for the symbols written only (carried through every pair, they cost)
    select s.symbol, s.venue, s as quote from watchlist.scan_quote s join q on (q.symbol, q.venue) = (s.symbol, s.venue)
    where s.ts = p_ts and q.symbol in (select symbol from keep)
  ),
  exch as (select symbol, jsonb_agg(watchlist.scan_exchange_json(quote) order by venue) as exchanges from qk group by symbol)
  insert into watchlist.watch_signal_raw (
    ts, exchange, symbol, signal_type, type_class, triggered, status,
    spread_rel, funding_rate, funding_interval_hours, next_funding_time, sweep_impact,
    range_1h, range_12h, volatility, slope_3m, crossings_1h, drift_ratio,
    best_buy_high_sell_low, best_sell_high_buy_low, meta,
    leg_a_exchange, leg_a_symbol, leg_a_kind, leg_a_price, leg_a_funding_rate, leg_a_funding_interval_hours, leg_a_next_funding_time,
    leg_b_exchange, leg_b_symbol, leg_b_kind, leg_b_price, leg_b_funding_rate, leg_b_funding_interval_hours, leg_b_next_funding_time)
  select p_ts, 'multi', k.symbol, 'B', 'B', true, 'triggered',
    k.spread_rel, (hq.quote).funding_rate, (hq.quote).funding_interval_hours, (hq.quote).next_funding_time,
    greatest(((hq.quote).ask - (hq.quote).ask_top) / (hq.quote).ask_top, ((hq.quote).bid_top - (hq.quote).bid) / (hq.quote).bid_top,
             ((lq.quote).ask - (lq.quote).ask_top) / (lq.quote).ask_top, ((lq.quote).bid_top - (lq.quote).bid) / (lq.quote).bid_top),
    k.range_1h, k.range_12h, k.volatility, k.slope_3m, k.crossings_1h, k.drift_ratio, k.e_fwd, k.e_rev,
    watchlist.scan_raw_meta(hq.quote, lq.quote, p_ts, k.e_fwd, k.e_rev, k.slog, k.factors, k.factors_missing,
      jsonb_build_object('venue_a', k.venue_a, 'venue_b', k.venue_b, 'orientation', k.sgn, 'n_1h', k.n_1h, 'n_3m', k.n_3m,
        'range_1h', k.range_1h, 'range_12h', k.range_12h, 'volatility', k.volatility),
      t.pairs_top, e.exchanges, k.pred, p_thr),
    k.hi_venue, k.symbol, 'perp', (hq.quote).bid, (hq.quote).funding_rate, (hq.quote).funding_interval_hours, (hq.quote).next_funding_time,
    k.lo_venue, k.symbol, 'perp', (lq.quote).ask, (lq.quote).funding_rate, (lq.quote).funding_interval_hours, (lq.quote).next_funding_time
  from keep k
  join tops t on t.symbol = k.symbol
  join exch e on e.symbol = k.symbol
  join qk hq on (hq.symbol, hq.venue) = (k.symbol, k.hi_venue) join qk lq on (lq.symbol, lq.venue) = (k.symbol, k.lo_venue)
  where not watchlist.attach_mode()  -- attach mode: the writer owns watch_signal_raw (series, snapshots still kept)
  order by k.symbol, k.hi_venue, k.lo_venue;
  get diagnostics v_n = row_count;
  return v_n;
end $$;

-- Scan one minute: extend every pair's series (steps 1-2), and write one triggered
-- watch_signal_raw row per Type B pair past the thresholds (step 3). Idempotent per
-- minute: a minute already scanned is skipped unless p_force (which appends raw rows again).
create or replace function watchlist.scan(p_ts timestamptz, p_force boolean default false)
returns jsonb
-- The minute's snapshots are newer than the table's statistics (estimated at
-- one row), which makes nested loops over them quadratic: hash joins only (the
-- setting holds for the steps this calls).
language plpgsql volatile set search_path = watchlist, pg_catalog set enable_nestloop = off as $$
declare
  v_t0 timestamptz := clock_timestamp();
  v_ts timestamptz := date_trunc('minute', p_ts, 'UTC');
  v_hour timestamptz := date_trunc('hour', p_ts, 'UTC');
  v_max_age double precision := watchlist.cfg_num('scan.max_quote_age_seconds');
  v_min_book_ts timestamptz := v_ts - make_interval(secs => v_max_age);
  -- as meta.trigger_details.thresholds records them (and the quote age beside them)
  v_thr jsonb := jsonb_build_object('b_min_spread', watchlist.cfg_num('scan.b_min_spread'),
    'b_min_pnl_hat', watchlist.cfg_num('scan.b_min_pnl_hat'), 'b_pnl_horizon', watchlist.cfg_num('scan.b_pnl_horizon')::int,
    'require_depth_ok', watchlist.cfg_text('scan.require_depth_ok')::boolean, 'max_quote_age_seconds', v_max_age);
  v_new_pairs int;
  v_series int;
  v_raw int;
  v_summary jsonb;
  v_steps jsonb := '{}';
begin
  insert into watchlist.scan_run (ts) values (v_ts) on conflict (ts) do nothing;
  if not found then
    if not p_force then
      return jsonb_build_object('ts', v_ts, 'skipped', 'already_scanned');
    end if;
    update watchlist.scan_run set started_at = v_t0 where ts = v_ts;
  end if;

  if to_regclass(format('watchlist.pair_minute_h%s', to_char(v_hour at time zone 'UTC', 'YYYYMMDDHH24'))) is null then
    perform watchlist.ensure_pair_minute_hour(v_hour);
  end if;
  if not watchlist.attach_mode() and to_regclass(format('watchlist.watch_signal_raw_p%s', to_char(v_ts at time zone 'UTC', 'YYYYMMDD'))) is null then
    perform watchlist.ensure_partitions('watch_signal_raw', v_ts, v_ts);
  end if;

  v_new_pairs := watchlist.scan_new_pairs(v_ts, v_min_book_ts);
  v_steps := v_steps || jsonb_build_object('pairs_ms', round(extract(epoch from clock_timestamp() - v_t0)::numeric * 1000, 1));
  v_series := watchlist.scan_extend_series(v_ts, v_min_book_ts);
  v_steps := v_steps || jsonb_build_object('series_ms', round(extract(epoch from clock_timestamp() - v_t0)::numeric * 1000, 1));
  v_raw := watchlist.scan_write_triggered(v_ts, v_min_book_ts, v_thr);

  v_summary := jsonb_build_object('ts', v_ts, 'pairs', v_series, 'new_pairs', v_new_pairs, 'raw_rows', v_raw,
    'ms', round(extract(epoch from clock_timestamp() - v_t0)::numeric * 1000, 1), 'ms_after', v_steps);
  update watchlist.scan_run set duration_ms = (v_summary->>'ms')::float8, summary = v_summary where ts = v_ts;
  return v_summary;
end $$;

-- Internal steps: not part of the GraphQL API (a function taking a view's row type first
-- would otherwise become a computed column of it).
comment on view watchlist.scan_quote is E'@behavior -*\nThe minute''s quotes as the scanner reads them (internal).';
comment on function watchlist.scan_leg_json(watchlist.scan_quote, text, timestamptz) is E'@behavior -*\nInternal scanner step.';
comment on function watchlist.scan_exchange_json(watchlist.scan_quote) is E'@behavior -*\nInternal scanner step.';
comment on function watchlist.scan_raw_meta(watchlist.scan_quote, watchlist.scan_quote, timestamptz, double precision, double precision,
  double precision, jsonb, jsonb, jsonb, jsonb, jsonb, jsonb, jsonb) is E'@behavior -*\nInternal scanner step.';
