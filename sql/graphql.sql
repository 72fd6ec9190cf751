-- What the GraphQL API (PostGraphile V5, graphql/preset.ts) needs beyond the tables:
-- computed columns (stable functions named <table>_<field>(row) become fields of
-- that table's type), a few read helpers for the pages, and column behaviours.
-- What is exposed, and its description, is in sql/api.sql (the `@api` tag).
-- Owns: no tables. Functions: watchlist.viewer_role(),
--   watchlist.live_trade_signal_{latest_sample,current_spread,current_pnl_est,
--   held_seconds,take_profit_pnl,take_profit_spread}(live_trade_signal),
--   watchlist.pair_spread_series(symbol, short venue, long venue, hours).

-- The role the request runs as (wl_reader anonymous, wl_trader with the credential):
-- the pages use it to enable or disable the trading buttons.
create or replace function watchlist.viewer_role() returns text
language sql stable parallel safe as $$
  select current_user::text
$$;

-------------------------------------------------------------------------------
-- Computed columns of a live trade. Each reads one row through
-- live_trade_spread_sample (signal_id, ts desc).
create or replace function watchlist.live_trade_signal_latest_sample(s watchlist.live_trade_signal)
returns watchlist.live_trade_spread_sample
language sql stable parallel safe as $$
  select x.* from watchlist.live_trade_spread_sample x
  where x.signal_id = s.id order by x.ts desc limit 1
$$;

create or replace function watchlist.live_trade_signal_current_spread(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select x.spread from watchlist.live_trade_spread_sample x
  where x.signal_id = s.id order by x.ts desc limit 1
$$;

create or replace function watchlist.live_trade_signal_current_pnl_est(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select x.pnl_est from watchlist.live_trade_spread_sample x
  where x.signal_id = s.id order by x.ts desc limit 1
$$;

create or replace function watchlist.live_trade_signal_held_seconds(s watchlist.live_trade_signal)
returns integer
language sql stable parallel safe as $$
  select case when s.opened_at is null then null
    else extract(epoch from coalesce(s.closed_at, now()) - s.opened_at)::int end
$$;

-- Take-profit fires when pnl_est >= ratio × pnl_hat, the re-checked pnl_hat when
-- there is one (as sql/monitor.sql decides it; DESIGN: ratio 0.8, configurable).
create or replace function watchlist.live_trade_signal_take_profit_pnl(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select watchlist.cfg_num('trade.take_profit_ratio') * coalesce((s.recheck->>'pnl_hat')::float8, s.pnl_hat)
$$;

-- Spread pnl = entry spread − exit spread, so take-profit is reached when the
-- exit spread falls to entry − target (funding ignored): the chart's target line.
create or replace function watchlist.live_trade_signal_take_profit_spread(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select s.entry_spread - watchlist.cfg_num('trade.take_profit_ratio') * coalesce((s.recheck->>'pnl_hat')::float8, s.pnl_hat)
$$;

-------------------------------------------------------------------------------
-- (an earlier development version; the scanner keeps predictions in meta.pnl_regression)
drop function if exists watchlist.watch_signal_event_predictions(watchlist.watch_signal_event);

-------------------------------------------------------------------------------
-- A pair's spread over the last hours, one point per minute, as log(short mid /
-- long mid): from the scanner's pair_minute series (s = ln(mid_a / mid_b), venue_a <
-- venue_b, so the sign flips when the short venue is venue_b), or from the two
-- venues' market snapshots when the scanner has no such pair.
-- (dropped first: its result columns changed during development)
drop function if exists watchlist.pair_spread_series(text, text, text, int);
create or replace function watchlist.pair_spread_series(
  p_symbol text, p_short_venue text, p_long_venue text, p_hours int default 12
) returns table (ts timestamptz, spread double precision)
language sql stable parallel safe as $$
  with w as (select now() - make_interval(hours => least(greatest(coalesce(p_hours, 12), 1), 48)) as since),
  p as (
    select sp.id, case when sp.venue_a = p_short_venue then 1 else -1 end as sign
    from watchlist.scan_pair sp
    where sp.symbol = p_symbol
      and (sp.venue_a, sp.venue_b) = (least(p_short_venue, p_long_venue), greatest(p_short_venue, p_long_venue))
  )
  select m.ts, p.sign * m.s
  from p join watchlist.pair_minute m on m.pair_id = p.id, w
  where m.ts >= w.since
  union all
  select s.ts, ln(s.mid / l.mid)::double precision
  from w, watchlist.market_snapshot s
  join watchlist.market_snapshot l on l.ts = s.ts and l.symbol = s.symbol and l.venue = p_long_venue
  where not exists (select 1 from p)
    and s.symbol = p_symbol and s.venue = p_short_venue and s.ts >= w.since
    and s.mid > 0 and l.mid > 0
  order by 1
$$;

-- An event's features_agg as of now (scalar summaries are kept in typed arrays
-- while it is open): the `features` computed column.
create or replace function watchlist.watch_signal_event_features(e watchlist.watch_signal_event) returns jsonb
language sql stable parallel safe as $$
  select watchlist.event_features(e)
$$;
