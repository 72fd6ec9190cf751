-- Writers and upkeep of the research tables (issue 11 item 6).
-- Owns (writes): watchlist.watchlist_series_agg (5-minute aggregation),
--   watchlist.watchlist_symbol_ref (from the venues' loaded markets),
--   watchlist.watchlist_outcome (one row per closed live trade), the retention of
--   events / future_outcome / funding caches, and watchlist.check_data (the plan's
--   acceptance gates, `wl check data`).

-- 5-minute bars of market_snapshot per venue and symbol for buckets starting in
-- [p_from, p_to) that have ended by p_to. Idempotent: a bucket is rewritten whole, so a
-- late snapshot is picked up by the next pass. Returns the rows written.
--   futures_price: last mid of the bucket; spread_rel: last (ask − bid) / mid at the
--   notional; funding fields: last values; series_meta: bid/ask (last), high/low of the
--   mid, quotes in the bucket, share with depth_ok. spot_price: NULL (no spot books).
create or replace function watchlist.aggregate_series(p_from timestamptz, p_to timestamptz)
returns integer language plpgsql as $$
declare
  v_from timestamptz := date_bin('5 minutes', p_from, timestamptz '2000-01-01 00:00:00+00');
  v_to timestamptz := date_bin('5 minutes', p_to, timestamptz '2000-01-01 00:00:00+00');
  n integer;
begin
  if v_to <= v_from then return 0; end if;
  perform watchlist.ensure_partitions('watchlist_series_agg', v_from, v_to);
  delete from watchlist.watchlist_series_agg where ts >= v_from and ts < v_to and series_meta ->> 'source' = 'market_snapshot';
  insert into watchlist.watchlist_series_agg (ts, exchange, symbol, spot_price, futures_price, spread_rel,
    funding_rate, funding_interval_hours, next_funding_time, series_meta)
  select b, venue, symbol, null,
    (array_agg(mid order by ts desc) filter (where mid is not null))[1],
    (array_agg(((ask - bid) / nullif(mid, 0))::float8 order by ts desc) filter (where ask is not null and bid is not null))[1],
    (array_agg(funding_rate order by ts desc) filter (where funding_rate is not null))[1],
    (array_agg(funding_interval_hours order by ts desc) filter (where funding_interval_hours is not null))[1],
    (array_agg(next_funding_time order by ts desc) filter (where next_funding_time is not null))[1],
    jsonb_build_object('source', 'market_snapshot', 'minutes', 5, 'n', count(*),
      'bid', (array_agg(bid order by ts desc))[1], 'ask', (array_agg(ask order by ts desc))[1],
      'high', max(mid), 'low', min(mid),
      'depth_ok_share', round(avg(depth_ok::int)::numeric, 4))
  from (select date_bin('5 minutes', ts, timestamptz '2000-01-01 00:00:00+00') as b, * from watchlist.market_snapshot
        where ts >= v_from and ts < v_to) s
  group by b, venue, symbol;
  get diagnostics n = row_count;
  return n;
end $$;

-- Symbol reference rows from a venue's loaded markets: p_markets = [{symbol, contractSize,
-- minCostUsdt}]. One row per (exchange, symbol), kept current; a symbol the venue no
-- longer lists is marked listed = false. Returns the rows upserted.
create or replace function watchlist.record_symbol_refs(p_venue text, p_markets jsonb)
returns integer language plpgsql as $$
declare n integer;
begin
  create temp table if not exists _sr (symbol text primary key, contract_size numeric, min_notional numeric) on commit drop;
  truncate _sr;
  insert into _sr
  select distinct on (m ->> 'symbol') m ->> 'symbol', (m ->> 'contractSize')::numeric, (m ->> 'minCostUsdt')::numeric
  from jsonb_array_elements(p_markets) m where m ->> 'symbol' is not null;
  update watchlist.watchlist_symbol_ref r
     set contract_size = s.contract_size, min_notional = s.min_notional, listed = true, status = 'active', updated_at = now()
    from _sr s where r.exchange = p_venue and r.symbol = s.symbol;
  insert into watchlist.watchlist_symbol_ref (exchange, symbol, quote, base, listed, status, contract_size, min_notional, updated_at)
  select p_venue, s.symbol, split_part(split_part(s.symbol, '/', 2), ':', 1), split_part(s.symbol, '/', 1), true, 'active',
         s.contract_size, s.min_notional, now()
  from _sr s
  where not exists (select 1 from watchlist.watchlist_symbol_ref r where r.exchange = p_venue and r.symbol = s.symbol);
  get diagnostics n = row_count;
  update watchlist.watchlist_symbol_ref r set listed = false, status = 'delisted', updated_at = now()
   where r.exchange = p_venue and coalesce(r.listed, true) and not exists (select 1 from _sr s where s.symbol = r.symbol);
  return (select count(*)::int from _sr);
end $$;

-- The execution outcome of each closed live trade (idempotent on signal_id): realised PnL as
-- a fraction of the notional, holding time, the worst sampled pnl_est as drawdown, and the
-- event's future_outcome at the trade's horizon as the benchmark. Returns the rows written.
create or replace function watchlist.record_trade_outcomes()
returns integer language sql as $$
  with ins as (
    insert into watchlist.watchlist_outcome as w (trigger_id, signal_id, event_id, symbol, opened_at, closed_at, pnl,
      max_drawdown, holding_hours, benchmark_return, pnl_hat, labels, notes, recorded_at)
    select s.id, s.id, s.event_id, s.symbol, s.opened_at, coalesce(x.closed_at, s.closed_at), x.realized_pnl_frac,
      (select greatest(-min(sp.pnl_est), 0) from watchlist.live_trade_spread_sample sp where sp.signal_id = s.id),
      extract(epoch from coalesce(x.closed_at, s.closed_at) - s.opened_at) / 3600,
      (select o.pnl_total from watchlist.future_outcome o where o.event_id = s.event_id and o.horizon_min = s.horizon_min),
      s.pnl_hat,
      jsonb_build_object('exit_reason', x.reason, 'status', s.status, 'short', s.leg_short_exchange, 'long', s.leg_long_exchange,
        'realized_pnl_usdt', x.realized_pnl_usdt, 'fees_usdt', x.fees_usdt, 'funding_usdt', x.funding_usdt,
        'spread_pnl', x.spread_pnl, 'notional_usdt', s.notional_usdt, 'horizon_min', s.horizon_min, 'kind', s.kind),
      'live trade ' || s.id, now()
    from watchlist.live_trade_signal s
    join watchlist.live_trade_exit x on x.signal_id = s.id
    where s.status in ('closed', 'partial_failed') and x.realized_pnl_usdt is not null
    on conflict (signal_id) do update set closed_at = excluded.closed_at, pnl = excluded.pnl,
      max_drawdown = excluded.max_drawdown, holding_hours = excluded.holding_hours,
      benchmark_return = excluded.benchmark_return, labels = excluded.labels, recorded_at = excluded.recorded_at
    where (w.pnl, w.benchmark_return, w.closed_at, w.labels) is distinct from
          (excluded.pnl, excluded.benchmark_return, excluded.closed_at, excluded.labels)
    returning 1
  )
  select count(*)::int from ins
$$;

-- Retention: events older than retention.event_days (by start_ts) and their outcomes, and
-- the funding caches of that age. Events a trade refers to (a signal not ignored) are kept
-- (the trade's audit trail); an ignored signal keeps its own payload. Returns {events, outcomes, settlements, spans} deleted.
create or replace function watchlist.apply_retention(p_now timestamptz default now())
returns jsonb language plpgsql as $$
declare
  v_cut timestamptz := p_now - make_interval(days => watchlist.cfg_num('retention.event_days')::int);
  n_e integer; n_o integer; n_s integer; n_sp integer;
begin
  with gone as (
    delete from watchlist.watch_signal_event e
    where e.start_ts < v_cut
      and not exists (select 1 from watchlist.live_trade_signal s where s.event_id = e.id and s.status <> 'ignored')
    returning e.id
  ), o as (
    delete from watchlist.future_outcome f using gone where f.event_id = gone.id returning 1
  )
  select (select count(*) from gone), (select count(*) from o) into n_e, n_o;
  -- outcomes whose event is gone by other means
  delete from watchlist.future_outcome f
  where f.horizon_end < v_cut and not exists (select 1 from watchlist.watch_signal_event e where e.id = f.event_id);
  get diagnostics n_s = row_count;
  n_o := n_o + n_s;
  delete from watchlist.funding_settlement where ts < v_cut;
  get diagnostics n_s = row_count;
  delete from watchlist.funding_history_span where to_ts < v_cut;
  get diagnostics n_sp = row_count;
  return jsonb_build_object('events', n_e, 'outcomes', n_o, 'settlements', n_s, 'spans', n_sp, 'before', v_cut);
end $$;

-- The plan's acceptance gates ("回测能否开始"), over events of the last check.window_days
-- (outcomes: those due by p_now). A gate with nothing to measure fails (no data is not ready).
create or replace function watchlist.check_data(p_now timestamptz default now())
returns table (gate text, value double precision, threshold double precision, ok boolean, n bigint, detail text)
language sql stable as $$
  with w as (select p_now - make_interval(days => watchlist.cfg_num('check.window_days')::int) as since),
  ev as (
    select e.* from watchlist.watch_signal_event e, w where e.start_ts >= w.since and e.start_ts <= p_now
  ),
  due as (
    select e.id, h.h, o.pnl_total, o.missing, o.label
    from ev e
    cross join (select jsonb_array_elements_text(watchlist.cfg('outcome.horizons'))::int as h) h
    left join watchlist.future_outcome o on o.event_id = e.id and o.horizon_min = h.h
    where e.signal_type = 'B'
      and e.start_ts + make_interval(mins => h.h + watchlist.cfg_num('outcome.settle_lag_min')::int) <= p_now
  ),
  cov as (
    select count(*) as n, count(*) filter (where pnl_total is not null) as hit,
      (select string_agg(r || ': ' || c, ', ' order by c desc) from (
         select coalesce(x.r, 'not computed') as r, count(*) as c
         from due d2 left join lateral jsonb_array_elements_text(d2.label -> 'reasons') x(r) on true
         where d2.pnl_total is null group by 1 order by 2 desc limit 5) t) as why
    from due
  ),
  rj as (
    select count(*) as n,
      count(*) filter (where exists (select 1 from watchlist.watch_signal_raw r
        where r.ts = e.start_ts and r.exchange = e.exchange and r.symbol = e.symbol and r.signal_type = e.signal_type)) as hit
    from ev e
  ),
  legs as (
    select e.start_ts, v.fi, v.nft from ev e
    cross join lateral (values (e.leg_a_kind, e.leg_a_funding_interval_hours, e.leg_a_next_funding_time),
                               (e.leg_b_kind, e.leg_b_funding_interval_hours, e.leg_b_next_funding_time)) v(kind, fi, nft)
    where e.signal_type in ('B', 'C') and coalesce(v.kind, 'perp') = 'perp'
  ),
  fm as (
    select count(*) as n,
      count(*) filter (where fi is null or nft is null or nft <= start_ts - interval '1 minute') as miss
    from legs
  ),
  pc as (
    select count(*) as n,
      count(*) filter (where (coalesce(e.features_agg, watchlist.event_features(e)) -> 'meta_last' -> 'pnl_regression' -> '240' ->> 'pnl_hat') is not null) as hit
    from ev e where e.signal_type = 'B'
  )
  select 'outcome_coverage', cov.hit::float8 / nullif(cov.n, 0), watchlist.cfg_num('check.outcome_coverage_min'),
         cov.n > 0 and cov.hit::float8 / cov.n > watchlist.cfg_num('check.outcome_coverage_min'), cov.n,
         'due Type B (event, horizon) outcomes with pnl_total' || coalesce('; missing: ' || cov.why, '')
  from cov
  union all
  select 'raw_event_join', rj.hit::float8 / nullif(rj.n, 0), watchlist.cfg_num('check.raw_join_min'),
         rj.n > 0 and rj.hit::float8 / rj.n > watchlist.cfg_num('check.raw_join_min'), rj.n,
         'events with a watch_signal_raw row at ts = start_ts (same exchange, symbol, type)'
  from rj
  union all
  select 'funding_schedule_missing', fm.miss::float8 / nullif(fm.n, 0), watchlist.cfg_num('check.funding_missing_max'),
         fm.n > 0 and fm.miss::float8 / fm.n <= watchlist.cfg_num('check.funding_missing_max'), fm.n,
         'perp event legs without funding interval / next_funding_time, or next before start_ts − 1 min'
  from fm
  union all
  select 'prediction_coverage', pc.hit::float8 / nullif(pc.n, 0), watchlist.cfg_num('check.prediction_coverage_min'),
         pc.n > 0 and pc.hit::float8 / pc.n >= watchlist.cfg_num('check.prediction_coverage_min'), pc.n,
         'Type B events with a 240-minute pnl_hat (watchlist.v_prediction_coverage has the reasons)'
  from pc
$$;
