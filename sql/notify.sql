-- The daily summary the notifier (workers/notify/) sends: the cron job
-- daily_summary hands the day to this function, which reads v_pnl_daily and
-- NOTIFYs it on live_trade like every other state change.
-- Owns: watchlist.notify_daily_summary() (no tables).
create or replace function watchlist.notify_daily_summary(p_day date default (now() at time zone 'utc')::date - 1) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v jsonb;
begin
  select jsonb_build_object('type', 'daily_summary', 'day', p_day,
      'trades', coalesce(d.trades, 0), 'rollbacks', coalesce(d.rollbacks, 0),
      'realized_pnl_usdt', coalesce(d.realized_pnl_usdt, 0), 'fees_usdt', coalesce(d.fees_usdt, 0),
      'funding_usdt', coalesce(d.funding_usdt, 0), 'win_rate', d.win_rate, 'incomplete', coalesce(d.incomplete, 0),
      'open_trades', (select count(*) from watchlist.live_trade_signal where status = 'open'))
  into v
  from (select 1) one
  left join watchlist.v_pnl_daily d on d.day = p_day::timestamp at time zone 'utc';
  perform pg_notify('live_trade', v::text);
  return v;
end $$;
comment on function watchlist.notify_daily_summary(date) is 'NOTIFY live_trade with the realised PnL summary of one UTC day (default yesterday) from v_pnl_daily; returns the payload.';
