-- Checks before money moves: both legs of an open are checked against the
-- venues' minimums at the common quantity and against free margin before
-- either is sent, and a pair refused before sending hands over to the
-- symbol's next best pair of the same cycle.
-- Owns: no table. Reads live_trade_signal / watch_signal_event; admits a
--       fallback signal only through the gate's own gate_admit().
--
-- Pre-send refusal reasons (signal new -> ignored, nothing sent, no cooldown or
-- daily-cap slot used, since both count only signals that were not ignored):
-- qty_zero, below_min_amount, below_min_cost, balance_unavailable, insufficient_margin.

-- The one common-quantity rule of an open: both legs trade one base quantity,
-- floor(notional / highest ref price / coarser base step) × step, where a leg's
-- base step is its contract step × contract size.
create or replace function watchlist.trade_common_qty(p_notional numeric, p_legs jsonb) returns numeric
language sql immutable as $$
  select watchlist.qty_floor(p_notional / max((x->>'ref_price')::numeric),
           max(watchlist.base_step((x->>'amount_step')::numeric, (x->>'contract_size')::numeric)))
  from jsonb_array_elements(p_legs) x
$$;

-- Both legs at the common quantity. p_legs: [{leg, exchange, ref_price, amount_step,
-- contract_size, min_amount (contracts), min_cost_usdt, free_usdt, balance_error}].
-- Returns {ok, qty, fail, why, venue, legs: [per-leg figures]}; pure, no writes.
create or replace function watchlist.trade_precheck(p_notional numeric, p_leverage numeric, p_legs jsonb) returns jsonb
language plpgsql stable as $$
declare
  v_qty numeric;
  v_buffer numeric := watchlist.cfg_num('trade.margin_buffer')::numeric;
  l jsonb;
  v_cs numeric;
  v_contracts numeric;
  v_cost numeric;
  v_need numeric;
  v_out jsonb := '[]';
  v_fail text;
  v_why text;
  v_venue text;
begin
  v_qty := watchlist.trade_common_qty(p_notional, p_legs);
  if v_qty is null or v_qty <= 0 then
    return jsonb_build_object('ok', false, 'qty', coalesce(v_qty, 0), 'fail', 'qty_zero',
      'why', format('%s USDT floors to zero at the legs'' coarser step', p_notional), 'legs', p_legs);
  end if;
  for l in select * from jsonb_array_elements(p_legs) loop
    v_cs := coalesce((l->>'contract_size')::numeric, 1);
    v_contracts := v_qty / v_cs;
    v_cost := v_qty * (l->>'ref_price')::numeric;
    -- margin for the position plus a buffer for fees and the move while both legs fill
    v_need := round(v_cost / greatest(coalesce(p_leverage, 1), 1) * (1 + v_buffer), 8);
    v_out := v_out || (l || jsonb_build_object('qty', v_qty, 'contracts', v_contracts, 'cost_usdt', round(v_cost, 8),
      'margin_needed_usdt', v_need));
    if v_fail is not null then continue; end if;
    v_venue := l->>'exchange';
    v_fail := watchlist.order_below_minimum(v_qty, (l->>'ref_price')::numeric, v_cs,
      (l->>'min_amount')::numeric, (l->>'min_cost_usdt')::numeric);
    if v_fail = 'below_min_amount' then
      v_why := format('%s %s contracts (%s base) below its minimum %s contracts', v_venue, v_contracts, v_qty, l->>'min_amount');
    elsif v_fail = 'below_min_cost' then
      v_why := format('%s order value %s USDT below its minimum %s USDT', v_venue, round(v_cost, 4), l->>'min_cost_usdt');
    elsif (l->>'free_usdt') is null then
      v_fail := 'balance_unavailable';
      v_why := format('%s free balance unknown: %s', v_venue, coalesce(l->>'balance_error', 'not reported'));
    elsif (l->>'free_usdt')::numeric < v_need then
      v_fail := 'insufficient_margin';
      v_why := format('%s free %s USDT < margin needed %s USDT (%s USDT at %sx, +%s buffer)', v_venue, l->>'free_usdt',
        v_need, round(v_cost, 4), coalesce(p_leverage, 1), v_buffer);
    end if;
  end loop;
  return jsonb_build_object('ok', v_fail is null, 'qty', v_qty, 'fail', v_fail, 'why', v_why,
    'venue', case when v_fail is not null then v_venue end, 'legs', v_out);
end $$;

-- A pair refused before sending: admit the symbol's next best pair of the same
-- cycle through the gate's own admit (cooldown, max_active, daily cap, one trade
-- per symbol, job enqueue), so the fallback is audited like any admission.
-- Candidates: open events of the same symbol and signal type whose last trigger
-- is in the signal's cycle minute or later, passing gate_assess, on healthy venues, and not
-- yet tried this cycle (no signal of theirs that was admitted or refused before sending).
-- Best first by (pnl_hat, win_prob, -event id), the gate's order. Returns the new
-- signal id, or null when no candidate was admitted.
create or replace function watchlist.trade_next_pair(p_signal_id bigint) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  e watchlist.watch_signal_event;
  a record;
  v_thr jsonb;
  v_ev bigint;
  v_reason text;
  v_id bigint;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id;
  if not found or s.kind <> 'auto' or s.event_id is null or s.cycle_ts is null then return null; end if;
  if watchlist.cfg_num('kill_switch') >= 1 then return null; end if;
  v_thr := watchlist.gate_thresholds();
  for v_ev in
    select p.id from watchlist.watch_signal_event p
    cross join lateral watchlist.gate_assess(p) pa
    where p.symbol = s.symbol and p.signal_type = s.signal_type and watchlist.event_status_live(p.status) and p.id <> s.event_id
      -- this cycle's, or re-triggered since (the scanner's next minute may land before the job)
      and date_trunc('minute', coalesce(p.last_trigger_ts, p.start_ts)) >= s.cycle_ts
      and pa.reason is null
      and not exists (select 1 from watchlist.venue_health h
                      where h.venue in (pa.short_ex, pa.long_ex) and h.status <> 'ok' and coalesce(h.backoff_until, 'infinity') > now())
      and not exists (select 1 from watchlist.live_trade_signal t
                      where t.event_id = p.id and t.cycle_ts >= s.cycle_ts
                        and (t.status <> 'ignored' or t.reason in ('recheck_failed', 'stale_signal', 'qty_zero',
                             'below_min_amount', 'below_min_cost', 'balance_unavailable', 'insufficient_margin')))
    order by pa.pnl_hat desc, pa.win_prob desc, p.id
  loop
    select * into e from watchlist.watch_signal_event where id = v_ev;
    a := watchlist.gate_assess(e);
    v_reason := watchlist.gate_admit(e, a, v_thr);
    if v_reason is null then
      select t.id into v_id from watchlist.live_trade_signal t
      where t.event_id = e.id and t.status = 'new' order by t.id desc limit 1;
      update watchlist.live_trade_signal set payload = coalesce(payload, '{}') || jsonb_build_object('fallback_from', s.id)
      where id = v_id;
      return v_id;
    end if;
    perform watchlist.gate_ignore(e, a, v_reason, v_thr);
    -- a cooled-down pair only rules out itself; the other gate limits rule out every pair
    if v_reason <> 'cooldown' then return null; end if;
  end loop;
  return null;
end $$;
