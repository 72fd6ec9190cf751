-- Evening the legs of an open: a market leg that fills only in part (Bybit's
-- IOC slippage protection cancels the rest) leaves the trade unhedged by the
-- difference, so the larger leg is trimmed at once, reduce-only, to the common
-- quantity, before the trade is held.
-- Owns: no table; plans live_trade_order rows of purpose 'trim' (written through
--       trade_prepare_order()) and their qty_mismatch error rows.

-- What to trim now. Returns {action: 'none'} or {action: 'trim', symbol, attempt,
-- common, legs: [{leg, exchange, side, amount}]}. 'none' when orders are still
-- unresolved (the outcome waits for them), when a leg holds nothing (a lone leg is
-- flattened by trade_open_outcome()), when the legs are even, or after
-- trade.trim_max_attempts trims that left the legs uneven (the outcome then opens with a qty_mismatch
-- row rather than retry forever). The common quantity is the smaller leg floored
-- to the coarser base step the re-check recorded, so both venues can hold it; when
-- that is zero both legs are trimmed to nothing and trade_open_outcome() ends the
-- trade partial_failed.
create or replace function watchlist.trade_even_plan(p_signal_id bigint) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_short numeric;
  v_long numeric;
  v_step numeric;
  v_common numeric;
  v_attempt int;
  v_legs jsonb := '[]';
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if s.status <> 'opening' then return jsonb_build_object('action', 'none', 'why', s.status); end if;
  if exists (select 1 from watchlist.trade_unresolved_orders(p_signal_id)) then
    return jsonb_build_object('action', 'none', 'why', 'unresolved');
  end if;
  v_short := -watchlist.trade_leg_net(p_signal_id, 'short');
  v_long := watchlist.trade_leg_net(p_signal_id, 'long');
  if v_short <= 0 or v_long <= 0 or v_short = v_long then
    return jsonb_build_object('action', 'none', 'why', 'even or lone');
  end if;
  select coalesce(max(o.attempt), 0) + 1 into v_attempt
  from watchlist.live_trade_order o where o.signal_id = p_signal_id and o.purpose = 'trim';
  if v_attempt > watchlist.cfg_num('trade.trim_max_attempts') then
    return jsonb_build_object('action', 'none', 'why', 'trim attempts exhausted');
  end if;
  select max(watchlist.base_step((x->>'amount_step')::numeric, (x->>'contract_size')::numeric)) into v_step
  from jsonb_array_elements(case when jsonb_typeof(s.recheck->'legs') = 'array' then s.recheck->'legs' else '[]' end) x;
  v_common := least(v_short, v_long);
  if v_step > 0 then v_common := watchlist.qty_floor(v_common, v_step); end if;
  -- the smaller leg is below one common step: nothing both venues can hold, so both
  -- legs are closed (each venue can close what it filled) and the outcome unwinds
  v_common := greatest(v_common, 0);
  if v_short > v_common then
    v_legs := v_legs || jsonb_build_object('leg', 'short', 'exchange', s.leg_short_exchange, 'side', 'buy', 'amount', (v_short - v_common)::text);
  end if;
  if v_long > v_common then
    v_legs := v_legs || jsonb_build_object('leg', 'long', 'exchange', s.leg_long_exchange, 'side', 'sell', 'amount', (v_long - v_common)::text);
  end if;
  if v_attempt = 1 then
    perform watchlist.trade_error(p_signal_id, 'open', null, 'qty_mismatch',
      format('legs filled different sizes: short %s, long %s; trimming reduce-only to %s', v_short, v_long, v_common),
      jsonb_build_object('short', v_short, 'long', v_long, 'common', v_common));
  end if;
  return jsonb_build_object('action', 'trim', 'symbol', s.symbol, 'attempt', v_attempt, 'common', v_common, 'legs', v_legs);
end $$;
