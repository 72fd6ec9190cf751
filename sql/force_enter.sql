-- Force-enter (freqtrade's forceenter): the trader opens a hedged trade on a watchlist
-- pair now, whatever the prediction says. Everything after the decision to enter is the
-- automatic path: the signal row the gate writes, the open_trade job, its re-check on
-- live books, the pre-send minimums and margin checks, the legs and the audit.
-- Owns: watchlist.force_enter() (inserts live_trade_signal rows of kind 'manual').
--
-- What a forced entry skips: the prediction thresholds (trade.pnl_hat_min,
-- trade.win_prob_min) at the gate and at the re-check (its threshold row says so:
-- forced = true), the cooldown and the daily cap. What it keeps: an open event for the
-- pair with factors, prices and a prediction (gate_assess), running and preflighted
-- venues, the kill switch, venue health and foreign activity, one active trade per
-- symbol (automatic or forced) and trade.max_active.

create or replace function watchlist.force_enter(p_symbol text, p_short text, p_long text, p_note text default null)
returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  e watchlist.watch_signal_event;
  a record;
  v_thr jsonb := watchlist.gate_thresholds();
  v_args jsonb := jsonb_build_object('symbol', p_symbol, 'short', p_short, 'long', p_long, 'note', p_note);
  v_refuse text;
  v_id bigint;
begin
  if coalesce(p_symbol, '') = '' or coalesce(p_short, '') = '' or coalesce(p_long, '') = '' or p_short = p_long then
    raise exception 'force_enter: symbol, a short venue and a different long venue are required' using errcode = '22023';
  end if;
  -- the pair's newest live event, its legs read as the gate reads them
  select ev.* into e
  from watchlist.watch_signal_event ev
  cross join lateral watchlist.gate_assess(ev) x
  where ev.symbol = p_symbol and watchlist.event_status_live(ev.status) and x.short_ex = p_short and x.long_ex = p_long
  order by coalesce(ev.last_trigger_ts, ev.start_ts) desc, ev.id desc
  limit 1;
  if not found then
    raise exception 'force_enter: no open event for % short % / long %: only a pair on the watchlist now can be entered', p_symbol, p_short, p_long
      using errcode = '22023';
  end if;
  a := watchlist.gate_assess(e);
  v_refuse := case
    when a.reason is not null and a.reason <> 'below_threshold' then a.reason
    when (v_thr->>'kill_switch')::numeric >= 1 then 'kill_switch'
    when exists (select 1 from watchlist.venue_health h
                 where h.venue in (a.short_ex, a.long_ex) and h.status <> 'ok' and coalesce(h.backoff_until, 'infinity') > now()) then 'venue_unhealthy'
    when watchlist.venue_trading_block(a.short_ex) is not null or watchlist.venue_trading_block(a.long_ex) is not null then 'venue_foreign_activity'
  end;
  if v_refuse is null then
    perform pg_advisory_xact_lock(hashtext('wl:gate')); -- the gate's lock: max_active and one trade per symbol hold
    v_refuse := case
      when exists (select 1 from watchlist.live_trade_signal s where s.symbol = p_symbol
                   and watchlist.trade_is_active(s.status)) then 'symbol_active'
      when (select count(*) from watchlist.live_trade_signal s
            where watchlist.trade_is_active(s.status)) >= (v_thr->>'max_active')::numeric then 'max_active'
    end;
  end if;
  if v_refuse is not null then
    raise exception 'force_enter: % short % / long % refused: %', p_symbol, p_short, p_long, v_refuse
      using errcode = '55000', detail = v_refuse;
  end if;
  insert into watchlist.live_trade_signal (event_id, symbol, signal_type, horizon_min, pnl_hat, win_prob, threshold,
    leg_long_exchange, leg_short_exchange, status, reason, payload, kind, cycle_ts, notional_usdt, leverage)
  values (e.id, e.symbol, e.signal_type, (v_thr->>'horizon_min')::int, a.pnl_hat, a.win_prob,
    -- the re-check compares its pnl_hat/win_prob with these: a forced entry has no floor
    v_thr || jsonb_build_object('forced', true, 'pnl_hat_min', -1, 'win_prob_min', 0,
      'gate_pnl_hat_min', v_thr->'pnl_hat_min', 'gate_win_prob_min', v_thr->'win_prob_min'),
    a.long_ex, a.short_ex, 'new', null, a.snapshot || jsonb_build_object('forced_by', watchlist.trader_actor(), 'note', p_note),
    'manual', date_trunc('minute', coalesce(e.last_trigger_ts, e.start_ts)),
    (v_thr->>'notional_usdt')::numeric, (v_thr->>'leverage')::int)
  returning id into v_id;
  perform watchlist.enqueue_trade_job('open_trade', v_id);
  perform watchlist.trader_audit('force_enter', v_args, jsonb_build_object('signal_id', v_id, 'event_id', e.id,
    'gate_reason', a.reason, 'pnl_hat', a.pnl_hat, 'win_prob', a.win_prob));
  return v_id;
end $$;

comment on function watchlist.force_enter(text, text, text, text) is
  'Force-enter a hedged trade on a watchlist pair (short venue, long venue) now, skipping the prediction thresholds, cooldown and daily cap; the open event, venues, kill switch, one trade per symbol, max_active, the re-check on live books and the pre-send checks still apply. Returns the new trade id (T#); audited. Trader only.';
