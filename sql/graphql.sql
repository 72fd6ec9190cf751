-- What the GraphQL API (PostGraphile V5, graphql/preset.ts) needs beyond the tables:
-- computed columns (stable functions named <table>_<field>(row) become fields of
-- that table's type), a few read helpers for the pages, and column behaviours.
-- What is exposed, and its description, is in sql/api.sql (the `@api` tag).
-- Owns: no tables. Functions: watchlist.viewer_role(),
--   watchlist.live_trade_signal_{latest_sample,current_spread,current_pnl_est,
--   held_seconds,take_profit_pnl,take_profit_spread,is_active,is_finished}(live_trade_signal),
--   take_profit_spread_at, live_trade_spread_sample_take_profit_spread, trade_history,
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

-- The take-profit target as sql/monitor.sql decides it (the rule: sql/rules.sql).
create or replace function watchlist.live_trade_signal_take_profit_pnl(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select watchlist.take_profit_pnl(s)
$$;

-- The chart's take-profit line, exact: the monitor closes when a sample's
-- pnl_est >= take_profit_pnl (trade_exit_reason, sql/monitor.sql), and a sample's pnl_est
-- moves one for one against its exit spread (pnl_est = entry − spread − fees + funding),
-- so the exit fires at spread <= spread + pnl_est − take_profit_pnl with that sample's
-- own fees and funding. Before the first sample: entry − target − the fees the monitor
-- would charge (entry fees paid, the default taker fee twice for the exit).
create or replace function watchlist.take_profit_spread_at(s watchlist.live_trade_signal, p_spread double precision, p_pnl_est double precision)
returns double precision
language sql stable parallel safe as $$
  select p_spread + p_pnl_est - watchlist.take_profit_pnl(s)
$$;
comment on function watchlist.take_profit_spread_at(watchlist.live_trade_signal, double precision, double precision) is
  'Exit spread at which a sample with this spread and pnl_est would reach take-profit (the monitor''s exit rule solved for the spread).';

create or replace function watchlist.live_trade_signal_take_profit_spread(s watchlist.live_trade_signal)
returns double precision
language sql stable parallel safe as $$
  select coalesce(
    (select watchlist.take_profit_spread_at(s, x.spread, x.pnl_est) from watchlist.live_trade_spread_sample x
     where x.signal_id = s.id order by x.ts desc limit 1),
    s.entry_spread - watchlist.take_profit_pnl(s)
      - coalesce(s.entry_fees_usdt / nullif(s.notional_usdt, 0), 0) - 2 * watchlist.cfg_num('trade.taker_fee_default'))
$$;
comment on function watchlist.live_trade_signal_take_profit_spread(watchlist.live_trade_signal) is
  'Exit spread (fraction; the chart shows bps) at or below which the monitor takes profit, with the newest sample''s fees and funding: the exact exit threshold.';

-- The same threshold per sample, for the chart's take-profit line over time (fees and
-- funding change while a trade is held).
create or replace function watchlist.live_trade_spread_sample_take_profit_spread(x watchlist.live_trade_spread_sample)
returns double precision
language sql stable parallel safe as $$
  select watchlist.take_profit_spread_at(s, x.spread, x.pnl_est) from watchlist.live_trade_signal s where s.id = x.signal_id
$$;
comment on function watchlist.live_trade_spread_sample_take_profit_spread(watchlist.live_trade_spread_sample) is
  'Exit spread at which this sample would have reached take-profit (its own fees and funding).';

-- The trade list (freqtrade's /trades): trades that sent orders (not ignored candidates
-- unless asked), newest first, filtered by status, symbol, venue (either leg), kind
-- (auto or manual = forced) and exit reason.
create or replace function watchlist.trade_history(p_status text default null, p_symbol text default null,
  p_venue text default null, p_kind text default null, p_exit_reason text default null)
returns setof watchlist.live_trade_signal
language sql stable parallel safe as $$
  select s.* from watchlist.live_trade_signal s
  where (case when p_status is null then s.status <> 'ignored' else s.status = p_status end)
    and (p_symbol is null or s.symbol = p_symbol)
    and (p_venue is null or p_venue in (s.leg_short_exchange, s.leg_long_exchange))
    and (p_kind is null or s.kind = p_kind)
    and (p_exit_reason is null or exists (select 1 from watchlist.live_trade_exit e where e.signal_id = s.id and e.reason = p_exit_reason))
  order by s.id desc
$$;
comment on function watchlist.trade_history(text, text, text, text, text) is
  'Trades newest first (ignored candidates only when p_status = ignored), filtered by status, symbol, venue (either leg), kind (auto, manual = forced entry) and exit reason; page with first/offset.';

-- The status sets as fields the pages filter by, so no page lists statuses itself.
create or replace function watchlist.live_trade_signal_is_active(s watchlist.live_trade_signal)
returns boolean
language sql stable parallel safe as $$
  select watchlist.trade_is_active(s.status)
$$;
comment on function watchlist.live_trade_signal_is_active(watchlist.live_trade_signal) is
  E'@behavior +filterBy\nTrue while the trade holds its symbol and counts against the limits (status set ''active'' in watchlist.status_set).';

create or replace function watchlist.live_trade_signal_is_finished(s watchlist.live_trade_signal)
returns boolean
language sql stable parallel safe as $$
  select watchlist.trade_is_finished(s.status)
$$;
comment on function watchlist.live_trade_signal_is_finished(watchlist.live_trade_signal) is
  E'@behavior +filterBy\nTrue once the trade will not change again (status set ''finished'' in watchlist.status_set).';

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
