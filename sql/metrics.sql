-- What /metrics (graphql/metrics.ts) exports, read from the database at scrape time
-- in one call. Read-only; SECURITY DEFINER only so the anonymous reader may see
-- graphile-worker's queue (its schema is the worker's, not the reader's).
-- Owns: watchlist.metrics_sample() (no tables).
create or replace function watchlist.metrics_sample() returns table (metric text, labels jsonb, value float8)
language sql stable security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  -- trades by status (every status, zeros included, so a series never vanishes)
  select 'wl_trades', jsonb_build_object('status', st), coalesce(n, 0)::float8
  from (select ss.status as st from watchlist.status_set ss where ss.entity = 'trade' and ss.set_name = 'active') a
  left join (select status, count(*) n from watchlist.live_trade_signal
             where watchlist.trade_is_active(status) group by 1) c on c.status = a.st
  union all
  select 'wl_realized_pnl_usdt', '{}'::jsonb, coalesce(sum(realized_pnl_usdt), 0)::float8
  from watchlist.live_trade_exit where closed_at is not null
  union all
  select 'wl_realized_pnl_today_usdt', '{}'::jsonb, coalesce(sum(realized_pnl_usdt), 0)::float8
  from watchlist.live_trade_exit where closed_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'
  union all
  select 'wl_trades_closed', jsonb_build_object('result', case when e.reason = 'rollback' then 'partial_failed' else 'closed' end),
         count(*)::float8
  from watchlist.live_trade_exit e where closed_at is not null group by 2
  union all
  select 'wl_signals_24h', jsonb_build_object('status', status, 'reason', coalesce(reason, '')), count(*)::float8
  from watchlist.live_trade_signal where created_at > now() - interval '24 hours' group by 2
  union all
  select 'wl_venue_errors_1h', jsonb_build_object('venue', venue), count(*)::float8
  from watchlist.live_trade_error where ts > now() - interval '1 hour' and venue is not null group by 2
  union all
  select 'wl_venue_backoff', jsonb_build_object('venue', venue),
         (status <> 'ok' and coalesce(backoff_until > now(), status = 'down'))::int::float8
  from watchlist.venue_health
  union all
  select 'wl_venue_consecutive_errors', jsonb_build_object('venue', venue), consecutive_errors::float8
  from watchlist.venue_health
  union all
  -- the queue: jobs due and not taken, by task; how late the oldest due job is
  select 'wl_jobs_waiting', jsonb_build_object('task', task_identifier), count(*)::float8
  from graphile_worker.jobs where locked_at is null and attempts < max_attempts and run_at <= now() group by 2
  union all
  select 'wl_jobs_running', '{}'::jsonb, count(*)::float8 from graphile_worker.jobs where locked_at is not null
  union all
  select 'wl_jobs_failed', '{}'::jsonb, count(*)::float8 from graphile_worker.jobs where attempts >= max_attempts
  union all
  select 'wl_jobs_oldest_wait_seconds', '{}'::jsonb,
         coalesce(extract(epoch from now() - min(run_at)), 0)::float8
  from graphile_worker.jobs where locked_at is null and attempts < max_attempts and run_at <= now()
  union all
  -- monitor lateness: the oldest "last sample" among open trades (never sampled: since opened)
  select 'wl_monitor_lateness_seconds', '{}'::jsonb,
         coalesce(max(extract(epoch from now() - coalesce(x.ts, s.opened_at, s.created_at))), 0)::float8
  from watchlist.live_trade_signal s
  left join lateral (select max(x.ts) ts from watchlist.live_trade_spread_sample x where x.signal_id = s.id) x on true
  where s.status = 'open'
$$;
comment on function watchlist.metrics_sample() is 'Every Prometheus metric /metrics exports, as (metric, labels, value) rows read at call time: trades by status, realised PnL, signals by status and reason, venue errors and back-off, the job queue and monitor lateness.';
grant execute on function watchlist.metrics_sample() to wl_reader;
