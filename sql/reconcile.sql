-- Reconcile: resume trades a crash interrupted, and flag (never fix) positions the
-- database does not explain. Owns: the functions below (rows go to live_trade_error
-- with stage 'reconcile'; jobs via watchlist.enqueue).

-- Re-enqueue the job of every trade or manual order left mid-way. Harmless when
-- the job is alive: the job key dedupes a queued job, and a running one holds the
-- trade's advisory lock, so the duplicate exits at once.
create or replace function watchlist.reconcile_resume() returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_after interval := make_interval(secs => watchlist.cfg_num('trade.resume_after_s'));
  r record;
  v_out jsonb := '[]';
begin
  for r in select id, status from watchlist.live_trade_signal
           where watchlist.trade_is_in_flight(status) and updated_at < now() - v_after order by id loop
    perform watchlist.enqueue_trade_job(case when r.status = 'closing' then 'close_trade' else 'open_trade' end, r.id);
    v_out := v_out || jsonb_build_object('signal_id', r.id, 'status', r.status);
  end loop;
  -- a manual order past its time to live is ended, never re-queued (it would run late,
  -- perhaps after a later order for the same market); one sent with an unknown outcome
  -- is re-queued to be looked up by client order id (never resent)
  if watchlist.expire_manual_orders() > 0 then
    v_out := v_out || jsonb_build_object('manual_orders', 'expired');
  end if;
  for r in select id, venue, symbol from watchlist.manual_order where status in ('new', 'submitted') and updated_at < now() - v_after order by id loop
    perform watchlist.enqueue_trade_job('manual_order', r.id);
    v_out := v_out || jsonb_build_object('manual_order_id', r.id);
  end loop;
  -- kill switch 2 holds: flatten manual positions filled since it was set
  if watchlist.cfg_num('kill_switch') >= 2 and watchlist.flatten_manual_positions() > 0 then
    v_out := v_out || jsonb_build_object('manual_positions', 'flattening');
  end if;
  return v_out;
end $$;

-- Compare one venue's reported positions with what our fills explain. Symbols
-- with something in flight (a trade opening/closing, an unresolved order, a
-- manual order not finished) are skipped: they are expected to differ for a moment.
create or replace function watchlist.reconcile_positions(p_venue text) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  r record;
  v_n int := 0;
  v_class text;
  v_signal bigint;
begin
  for r in
    select coalesce(vp.symbol, ep.symbol) as symbol, coalesce(vp.size_base, 0) as actual, coalesce(ep.expected_size_base, 0) as expected
    from (select * from watchlist.venue_position where venue = p_venue) vp
    full join (select * from watchlist.v_expected_position where venue = p_venue) ep on ep.symbol = vp.symbol
    where abs(coalesce(vp.size_base, 0) - coalesce(ep.expected_size_base, 0)) > 1e-12
  loop
    continue when exists (select 1 from watchlist.live_trade_signal s where s.symbol = r.symbol
        and watchlist.trade_is_in_flight(s.status) and p_venue in (s.leg_short_exchange, s.leg_long_exchange))
      or exists (select 1 from watchlist.live_trade_order o where o.exchange = p_venue and o.symbol = r.symbol
        and watchlist.order_is_unresolved(o.status))
      or exists (select 1 from watchlist.manual_order m where m.venue = p_venue and m.symbol = r.symbol and m.status in ('new', 'submitted'));
    v_class := case when r.actual = 0 then 'position_vanished' when r.expected = 0 then 'unexplained_position' else 'position_mismatch' end;
    select s.id into v_signal from watchlist.live_trade_signal s
    where s.symbol = r.symbol and s.status = 'open' and p_venue in (s.leg_short_exchange, s.leg_long_exchange)
    order by s.id desc limit 1;
    -- one flag per mismatch and hour, not one per pass
    continue when exists (select 1 from watchlist.live_trade_error e where e.stage = 'reconcile' and e.venue = p_venue
      and e.error_class = v_class and e.payload->>'symbol' = r.symbol
      and (e.payload->>'actual')::numeric = r.actual and (e.payload->>'expected')::numeric = r.expected
      and e.ts > now() - interval '1 hour');
    perform watchlist.trade_error(v_signal, 'reconcile', p_venue, v_class,
      format('%s %s: venue holds %s, our fills explain %s', p_venue, r.symbol, r.actual, r.expected),
      jsonb_build_object('symbol', r.symbol, 'actual', r.actual, 'expected', r.expected));
    v_n := v_n + 1;
  end loop;
  return v_n;
end $$;
