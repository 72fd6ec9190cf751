-- The research loop's SQL half (issue 11 items 3-5): the event → factor → outcome
-- dataset, model activation with its audit, the out-of-sample win_prob calibration
-- predict_bc applies, the set-based IC / quantile maths of `wl report ic`, and
-- predicted-vs-realised per live trade.
-- Owns: watchlist.model_dataset, watchlist.activate_model, watchlist.calibrated_win_prob,
--       watchlist.research_ic, watchlist.research_quantiles, watchlist.v_trade_predicted_vs_realised,
--       watchlist.v_trade_calibration, watchlist.v_research_latest, and the comments on
--       pnl_model_activation / research_report.
-- The regression itself runs in TypeScript (cli/model/fit.ts) with a maintained library.

-------------------------------------------------------------------------------
-- One row per (event, horizon) with an outcome: the factors of the raw row written
-- at the event's decision time (start_ts; plan "回测/IC" §1: the snapshot then, never a
-- later minute), the prediction recorded with it, and the realised pnl_total.
-- Events without that raw row drop out (the join hit rate is `wl check data`'s gate).
create or replace function watchlist.model_dataset(
  p_signal_types text[], p_horizons int[], p_from timestamptz, p_to timestamptz)
returns table (event_id bigint, symbol text, signal_type text, short_ex text, long_ex text,
  start_ts timestamptz, horizon_min int, pnl_total double precision, factors jsonb,
  pnl_hat double precision, win_prob double precision)
language sql stable as $$
  select e.id, e.symbol, e.signal_type::text,
    coalesce(r.meta #>> '{trigger_details,prices,high,exchange}', e.leg_a_exchange),
    coalesce(r.meta #>> '{trigger_details,prices,low,exchange}', e.leg_b_exchange),
    e.start_ts, o.horizon_min, o.pnl_total, r.meta -> 'factors',
    case when jsonb_typeof(r.meta #> array['pnl_regression', o.horizon_min::text, 'pnl_hat']) = 'number'
      then (r.meta #>> array['pnl_regression', o.horizon_min::text, 'pnl_hat'])::float8 end,
    case when jsonb_typeof(r.meta #> array['pnl_regression', o.horizon_min::text, 'win_prob']) = 'number'
      then (r.meta #>> array['pnl_regression', o.horizon_min::text, 'win_prob'])::float8 end
  from watchlist.watch_signal_event e
  cross join lateral (
    select x.meta from watchlist.watch_signal_raw x
    where x.ts = e.start_ts and x.exchange = e.exchange and x.symbol = e.symbol
      and x.signal_type = e.signal_type
      and coalesce(x.leg_a_exchange, '') = coalesce(e.leg_a_exchange, '')
      and coalesce(x.leg_b_exchange, '') = coalesce(e.leg_b_exchange, '')
    order by x.id desc limit 1) r
  join watchlist.future_outcome o on o.event_id = e.id and o.horizon_min = any (p_horizons)
  where e.signal_type::text = any (p_signal_types)
    and e.start_ts >= p_from and e.start_ts < p_to
    and o.pnl_total is not null
    and o.pnl_total = o.pnl_total  -- not NaN
$$;
comment on function watchlist.model_dataset(text[], int[], timestamptz, timestamptz) is
  'Events of the given types starting in [from, to) joined to the raw row at their decision time (start_ts) and to their outcome at each horizon: the dataset models are fitted on and reports are computed from.';

-------------------------------------------------------------------------------
-- Activation: the one way a model becomes the one predict_bc uses. Every change is
-- an audit row; a too-thin fit (fit_status) is refused by a constraint.
create or replace function watchlist.activate_model(p_version text, p_actor text, p_reason text,
  p_signal_type text default null, p_horizon_min int default null)
returns table (signal_type text, horizon_min int, from_version text, to_version text)
language plpgsql as $$
declare
  m watchlist.pnl_model;
  v_old text;
  n int := 0;
begin
  if coalesce(trim(p_actor), '') = '' or coalesce(trim(p_reason), '') = '' then
    raise exception 'activate_model: actor and reason are required' using errcode = '22023';
  end if;
  for m in
    select * from watchlist.pnl_model x
    where x.version = p_version
      and (p_signal_type is null or x.signal_type = p_signal_type)
      and (p_horizon_min is null or x.horizon_min = p_horizon_min)
    order by x.signal_type, x.horizon_min
  loop
    n := n + 1;
    if m.fit_status <> 'ok' then
      raise exception 'model % (%/%) is %: it cannot be activated', m.version, m.signal_type, m.horizon_min, m.fit_status
        using errcode = '22023';
    end if;
    -- serialise activations of one (type, horizon)
    perform pg_advisory_xact_lock(hashtext('wl:pnl_model:' || m.signal_type || ':' || m.horizon_min));
    select x.version into v_old from watchlist.pnl_model x
    where x.signal_type = m.signal_type and x.horizon_min = m.horizon_min and x.active;
    if v_old is distinct from m.version then
      update watchlist.pnl_model x set active = false
      where x.signal_type = m.signal_type and x.horizon_min = m.horizon_min and x.active;
      update watchlist.pnl_model x set active = true where x.id = m.id;
      insert into watchlist.pnl_model_activation (signal_type, horizon_min, from_version, to_version, actor, reason)
      values (m.signal_type, m.horizon_min, v_old, m.version, p_actor, p_reason);
      signal_type := m.signal_type; horizon_min := m.horizon_min; from_version := v_old; to_version := m.version;
      return next;
    end if;
  end loop;
  if n = 0 then
    raise exception 'no model version % (type %, horizon %)', p_version, coalesce(p_signal_type, 'any'),
      coalesce(p_horizon_min::text, 'any') using errcode = 'P0002';
  end if;
end $$;
comment on function watchlist.activate_model(text, text, text, text, int) is
  'Make a fitted model version the active one for its signal type and horizon (all horizons of the version unless one is named); each change is recorded in pnl_model_activation.';

-------------------------------------------------------------------------------
-- win_prob through the model's out-of-sample calibration: the realised win rate
-- (pnl_total > fee_threshold) of the pnl_hat bin the prediction falls in, made
-- monotone when the model was fitted. No table (priors): the normal-tail value.
create or replace function watchlist.calibrated_win_prob(p_calibration jsonb, p_pnl_hat double precision,
  p_normal double precision) returns double precision
language sql immutable parallel safe as $$
  select coalesce((
    select (b ->> 'rate')::float8
    from jsonb_array_elements(p_calibration -> 'bins') with ordinality t(b, i)
    where jsonb_typeof(b -> 'rate') = 'number'
      and (jsonb_typeof(b -> 'hi') is distinct from 'number' or p_pnl_hat < (b ->> 'hi')::float8)
    order by i limit 1), p_normal)
$$;
comment on function watchlist.calibrated_win_prob(jsonb, double precision, double precision) is
  'win_prob from a model''s out-of-sample calibration bins (by pnl_hat), else the normal-tail value.';

-------------------------------------------------------------------------------
-- Spearman IC per (horizon, factor, time bucket): Pearson correlation of average
-- ranks (ties share their mean rank), buckets with fewer than p_min_n events left out.
-- Factors: the five model factors and pnl_hat (the prediction recorded at the time).
create or replace function watchlist.research_ic(p_signal_types text[], p_horizons int[],
  p_from timestamptz, p_to timestamptz, p_bucket_min int, p_min_n int)
returns table (horizon_min int, factor text, bucket timestamptz, n int, ic double precision)
language sql stable as $$
  with d as (
    select x.horizon_min, x.pnl_total, x.factors, x.pnl_hat,
      date_bin(make_interval(mins => p_bucket_min), x.start_ts, timestamptz 'epoch') as bucket
    from watchlist.model_dataset(p_signal_types, p_horizons, p_from, p_to) x
  ),
  long as (
    select d.horizon_min, d.bucket, f.factor, f.v, d.pnl_total as y
    from d cross join lateral (
      select k as factor, (d.factors ->> k)::float8 as v
      from unnest(array['raw_slope_3m', 'raw_drift_ratio', 'spread_log_short_over_long',
                        'raw_crossings_1h', 'raw_best_buy_high_sell_low']) k
      where jsonb_typeof(d.factors -> k) = 'number'
      union all
      select 'pnl_hat', d.pnl_hat where d.pnl_hat is not null) f
  ),
  ranked as (
    select l.*,
      rank() over w_v + (count(*) over (partition by l.horizon_min, l.factor, l.bucket, l.v) - 1) / 2.0 as rv,
      rank() over w_y + (count(*) over (partition by l.horizon_min, l.factor, l.bucket, l.y) - 1) / 2.0 as ry,
      count(*) over (partition by l.horizon_min, l.factor, l.bucket) as nb
    from long l
    window w_v as (partition by l.horizon_min, l.factor, l.bucket order by l.v),
           w_y as (partition by l.horizon_min, l.factor, l.bucket order by l.y)
  )
  select r.horizon_min, r.factor, r.bucket, count(*)::int, corr(r.rv, r.ry)
  from ranked r where r.nb >= p_min_n
  group by r.horizon_min, r.factor, r.bucket
  order by 1, 2, 3
$$;
comment on function watchlist.research_ic(text[], int[], timestamptz, timestamptz, int, int) is
  'Spearman rank IC of each factor and of the recorded pnl_hat against pnl_total, per horizon and time bucket of the decision time.';

-- pnl_total by factor quantile (ntile over the whole window, per horizon and factor).
create or replace function watchlist.research_quantiles(p_signal_types text[], p_horizons int[],
  p_from timestamptz, p_to timestamptz, p_q int)
returns table (horizon_min int, factor text, quantile int, n int, lo double precision, hi double precision,
  mean_pnl double precision, win_rate double precision)
language sql stable as $$
  with d as (select * from watchlist.model_dataset(p_signal_types, p_horizons, p_from, p_to)),
  long as (
    select d.horizon_min, f.factor, f.v, d.pnl_total as y
    from d cross join lateral (
      select k as factor, (d.factors ->> k)::float8 as v
      from unnest(array['raw_slope_3m', 'raw_drift_ratio', 'spread_log_short_over_long',
                        'raw_crossings_1h', 'raw_best_buy_high_sell_low']) k
      where jsonb_typeof(d.factors -> k) = 'number'
      union all
      select 'pnl_hat', d.pnl_hat where d.pnl_hat is not null) f
  ),
  q as (select l.*, ntile(p_q) over (partition by l.horizon_min, l.factor order by l.v) as qi from long l)
  select q.horizon_min, q.factor, q.qi, count(*)::int, min(q.v), max(q.v), avg(q.y),
    (count(*) filter (where q.y > 0))::float8 / count(*)
  from q group by 1, 2, 3 order by 1, 2, 3
$$;
comment on function watchlist.research_quantiles(text[], int[], timestamptz, timestamptz, int) is
  'Mean pnl_total and win rate of each factor quantile (ntile over the window), per horizon.';

-------------------------------------------------------------------------------
-- Predicted vs realised, per live trade: what the model said at admission and at the
-- re-check, what the event's forward outcome at the trade's horizon was, and what the
-- trade realised (v_trade_pnl; null while open).
create or replace view watchlist.v_trade_predicted_vs_realised as
select s.id as signal_id, s.event_id, s.symbol, s.signal_type, s.horizon_min, s.status,
       s.leg_short_exchange, s.leg_long_exchange, s.created_at, s.opened_at, s.closed_at,
       s.pnl_hat as pnl_hat_admission, s.win_prob as win_prob_admission,
       case when jsonb_typeof(s.recheck -> 'pnl_hat') = 'number' then (s.recheck ->> 'pnl_hat')::float8 end as pnl_hat_recheck,
       case when jsonb_typeof(s.recheck -> 'win_prob') = 'number' then (s.recheck ->> 'win_prob')::float8 end as win_prob_recheck,
       s.recheck ->> 'model_version' as model_version_recheck,
       o.pnl_total as outcome_pnl_total, o.pnl_spread as outcome_pnl_spread, o.pnl_funding as outcome_pnl_funding,
       p.realized_pnl_frac, p.realized_pnl_usdt, p.exit_reason, p.pnl_complete,
       p.realized_pnl_frac - coalesce((s.recheck ->> 'pnl_hat')::float8, s.pnl_hat) as realized_minus_predicted
from watchlist.live_trade_signal s
left join watchlist.future_outcome o on o.event_id = s.event_id and o.horizon_min = s.horizon_min
left join watchlist.v_trade_pnl p on p.signal_id = s.id
where s.status not in ('new', 'ignored');

-- Calibration of live trades by predicted win_prob decile band: predicted vs realised
-- win rate and mean PnL; realised figures only from trades whose PnL is complete.
create or replace view watchlist.v_trade_calibration as
with t as (
  select v.*, coalesce(v.win_prob_recheck, v.win_prob_admission) as wp,
         coalesce(v.pnl_hat_recheck, v.pnl_hat_admission) as ph
  from watchlist.v_trade_predicted_vs_realised v
  where v.realized_pnl_frac is not null and v.pnl_complete
)
select (least(width_bucket(t.wp, 0, 1, 10), 10) - 1) / 10.0 as win_prob_from,
       least(width_bucket(t.wp, 0, 1, 10), 10) / 10.0 as win_prob_to,
       count(*)::int as trades,
       avg(t.wp) as mean_win_prob,
       (count(*) filter (where t.realized_pnl_frac > 0))::float8 / count(*) as realized_win_rate,
       avg(t.ph) as mean_pnl_hat,
       avg(t.realized_pnl_frac) as mean_realized_pnl_frac,
       avg(t.outcome_pnl_total) as mean_outcome_pnl_total,
       avg(t.realized_pnl_frac - t.ph) as mean_error
from t where t.wp is not null
group by 1, 2 order by 1;

-- The newest stored report (the /research page reads it).
create or replace view watchlist.v_research_latest as
select r.* from watchlist.research_report r order by r.created_at desc, r.id desc limit 1;

comment on view watchlist.v_trade_predicted_vs_realised is
  'Per live trade (admitted or later): pnl_hat and win_prob at admission and at the re-check, the event''s forward outcome at the trade''s horizon, and the realised PnL once closed.';
comment on column watchlist.v_trade_predicted_vs_realised.outcome_pnl_total is 'pnl_total of the event''s future_outcome at the trade''s horizon (null until computed).';
comment on column watchlist.v_trade_predicted_vs_realised.realized_minus_predicted is 'Realised PnL fraction minus the re-checked pnl_hat (the admission pnl_hat when there was no re-check).';
comment on view watchlist.v_trade_calibration is
  'Live trades with complete realised PnL, by band of predicted win_prob: predicted vs realised win rate and mean PnL.';
comment on view watchlist.v_research_latest is 'The newest IC/backtest report written by `wl report ic`.';
comment on table watchlist.research_report is 'IC/IR and backtest reports written by `wl report ic`: parameters, summary tables, Markdown and SVG charts.';
comment on column watchlist.research_report.summary is 'The report''s tables as JSON: ic_summary, quantiles, strategy, model.';
comment on column watchlist.research_report.charts is 'SVG charts by name (vega-lite rendered on the server).';
comment on table watchlist.pnl_model_activation is 'Audit of model activations: which version replaced which for a signal type and horizon, by whom and why.';
comment on column watchlist.pnl_model.oos_r2 is 'Out-of-sample R² pooled over the rolling test windows.';
comment on column watchlist.pnl_model.oos_ic is 'Out-of-sample Spearman correlation of pnl_hat with pnl_total over the test windows.';
comment on column watchlist.pnl_model.calib_error is 'Out-of-sample expected calibration error of the normal-tail win_prob (count-weighted mean |predicted − realised| over pnl_hat bins).';
comment on column watchlist.pnl_model.calibration is 'Out-of-sample calibration bins by pnl_hat: realised win rate (pnl_total > fee_threshold) per bin, monotone; predict_bc maps win_prob through it.';
comment on column watchlist.pnl_model.fit_status is 'ok, or too_thin: not enough outcomes to fit (recorded, never activated; the prior stays).';
