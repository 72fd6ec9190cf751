-- Prediction coverage (plan §0.1.4): how many Type B raw rows / events carry a
-- 240-minute prediction, and why the others do not, by hour, venue and symbol.
-- Owns: watchlist.v_prediction_coverage.
--
-- One row per (source, hour, venue, symbol); `venue` is each leg's exchange, so a
-- row counts once under its short venue and once under its long venue (sum over
-- venues double-counts; sum over one venue or group by symbol does not).
-- Raw rows by their minute; events by start_ts, judged by features_agg.meta_last.
-- Covers the last 7 days (raw rows are kept 14).
--   n_rows, n_predicted (pnl_regression."240".pnl_hat not null), share_predicted,
--   reasons: {"raw_crossings_1h: insufficient_history_1h": 12, "prediction: missing_factor:…": 12, …}
-- e.g.  select hour, sum(n_rows), sum(n_predicted) from watchlist.v_prediction_coverage
--       where source = 'raw' and venue = 'okx' group by 1 order by 1 desc;
create or replace view watchlist.v_prediction_coverage as
with base as (
  select 'raw'::text as source, r.id, date_trunc('hour', r.ts, 'UTC') as hour, r.symbol,
    r.leg_a_exchange, r.leg_b_exchange, r.meta as m
  from watchlist.watch_signal_raw r
  where r.signal_type = 'B' and r.ts >= now() - interval '7 days'
  union all
  select 'event', e.id, date_trunc('hour', e.start_ts, 'UTC'), e.symbol,
    e.leg_a_exchange, e.leg_b_exchange, e.features_agg -> 'meta_last'
  from watchlist.watch_signal_event e
  where e.signal_type = 'B' and e.start_ts >= now() - interval '7 days'
),
legs as (
  select b.source, b.id, b.hour, b.symbol, v.venue, b.m,
    (b.m -> 'pnl_regression' -> '240' ->> 'pnl_hat') is not null as predicted
  from base b
  cross join lateral (select distinct x from unnest(array[b.leg_a_exchange, b.leg_b_exchange]) x where x is not null) v(venue)
),
reasons as (
  select l.source, l.hour, l.venue, l.symbol, x.reason, count(*) as n
  from legs l
  cross join lateral (
    select f.key || ': ' || (f.value #>> '{}') from jsonb_each(coalesce(l.m -> 'factors_missing', '{}')) f
    union all
    select 'prediction: ' || coalesce(l.m -> 'pnl_regression' -> '240' ->> 'reason', 'no pnl_regression')
    where not l.predicted
  ) x(reason)
  group by 1, 2, 3, 4, 5
)
select c.source, c.hour, c.venue, c.symbol, c.n_rows, c.n_predicted,
  round(c.n_predicted::numeric / c.n_rows, 4) as share_predicted,
  (select jsonb_object_agg(r.reason, r.n order by r.n desc) from reasons r
   where (r.source, r.hour, r.venue, r.symbol) = (c.source, c.hour, c.venue, c.symbol)) as reasons
from (
  select source, hour, venue, symbol, count(*) as n_rows, count(*) filter (where predicted) as n_predicted
  from legs group by 1, 2, 3, 4
) c;

