-- The trader's levers: manual single-leg orders, closing a trade, the kill switch.
-- Each writes an audit row (watchlist.trader_action) and NOTIFYs live_trade.
-- Owns: watchlist.manual_order, watchlist.trader_action, the functions below and
--       the manual_order job's hand-off functions.

create or replace function watchlist.trader_actor() returns text
language sql stable as $$
  select coalesce(nullif(current_setting('wl.actor', true), ''), session_user::text)
$$;

create or replace function watchlist.trader_audit(p_action text, p_args jsonb, p_result jsonb) returns bigint
language sql volatile security definer set search_path = watchlist, pg_catalog as $$
  insert into watchlist.trader_action (actor, action, args, result)
  values (watchlist.trader_actor(), p_action, p_args, p_result)
  returning id
$$;

-- One manual market order on one venue; the manual_order job sends it.
create or replace function watchlist.manual_trade(p_venue text, p_symbol text, p_action text, p_notional_usdt numeric default 20)
returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare
  v_id bigint;
  v_args jsonb := jsonb_build_object('venue', p_venue, 'symbol', p_symbol, 'action', p_action, 'notional_usdt', p_notional_usdt);
begin
  if p_action is null or p_action not in ('open_long', 'open_short', 'close_long', 'close_short') then
    raise exception 'manual_trade: action must be open_long, open_short, close_long or close_short, got %', p_action using errcode = '22023';
  end if;
  if p_notional_usdt is null or p_notional_usdt <= 0 or p_notional_usdt > watchlist.cfg_num('trade.manual_max_usdt', 1000) then
    raise exception 'manual_trade: notional % USDT out of range (0, %]', p_notional_usdt, watchlist.cfg_num('trade.manual_max_usdt', 1000)
      using errcode = '22023';
  end if;
  if coalesce(p_venue, '') = '' or coalesce(p_symbol, '') = '' then
    raise exception 'manual_trade: venue and symbol are required' using errcode = '22023';
  end if;
  if p_action like 'open%' and watchlist.cfg_num('kill_switch', 0) >= 1 then
    raise exception 'manual_trade: kill switch is on (level %): no new positions', watchlist.cfg_num('kill_switch', 0)
      using errcode = '55000';
  end if;
  insert into watchlist.manual_order (actor, venue, symbol, action, notional_usdt)
  values (watchlist.trader_actor(), p_venue, p_symbol, p_action, p_notional_usdt)
  returning id into v_id;
  perform watchlist.enqueue('manual_order', json_build_object('manual_order_id', v_id), 'manual_order:' || v_id, null, 3, null);
  perform watchlist.trader_audit('manual_trade', v_args, jsonb_build_object('manual_order_id', v_id));
  perform pg_notify('live_trade', json_build_object('type', 'manual_order', 'manual_order_id', v_id, 'status', 'new')::text);
  return v_id;
end $$;

create or replace function watchlist.request_close(p_signal_id bigint, p_reason text default 'manual') returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare v_exit bigint;
begin
  if p_reason not in ('manual', 'kill_switch') then
    raise exception 'request_close: reason must be manual or kill_switch' using errcode = '22023';
  end if;
  v_exit := watchlist.begin_close(p_signal_id, p_reason);
  perform watchlist.trader_audit('request_close', jsonb_build_object('signal_id', p_signal_id, 'reason', p_reason),
    jsonb_build_object('exit_id', v_exit));
  return v_exit;
end $$;

-- 0 off, 1 no new entries, 2 no new entries and close every open trade.
create or replace function watchlist.set_kill_switch(p_level int, p_note text default null) returns int
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare
  v_n int := 0;
  r record;
begin
  if p_level is null or p_level not in (0, 1, 2) then
    raise exception 'kill switch level must be 0, 1 or 2' using errcode = '22023';
  end if;
  perform watchlist.set_config('kill_switch', to_jsonb(p_level), p_note);
  if p_level = 2 then
    for r in select id from watchlist.live_trade_signal where status = 'open' order by id for update loop
      perform watchlist.begin_close(r.id, 'kill_switch');
      v_n := v_n + 1;
    end loop;
  end if;
  perform watchlist.trader_audit('set_kill_switch', jsonb_build_object('level', p_level, 'note', p_note),
    jsonb_build_object('closing', v_n));
  return p_level;
end $$;

-- manual_order job hand-off: claim, then finish with what the venue said.
create or replace function watchlist.manual_order_begin(p_id bigint) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare m watchlist.manual_order;
begin
  select * into m from watchlist.manual_order where id = p_id for update;
  if not found then return jsonb_build_object('action', 'noop', 'why', 'no such order'); end if;
  if m.status in ('filled', 'failed') then return jsonb_build_object('action', 'noop', 'why', m.status); end if;
  return jsonb_build_object('action', case when m.order_id is null then 'send' else 'resume' end,
    'id', m.id, 'venue', m.venue, 'symbol', m.symbol, 'action_kind', m.action, 'notional_usdt', m.notional_usdt,
    'order_id', m.order_id, 'fallback_usdt', watchlist.cfg_num('trade.manual_fallback_usdt', 50));
end $$;

create or replace function watchlist.manual_order_attach(p_id bigint, p_order_id bigint, p_notional numeric) returns void
language sql volatile security definer set search_path = watchlist, pg_catalog as $$
  update watchlist.manual_order m set order_id = p_order_id, notional_usdt = p_notional, status = 'submitted',
    client_order_id = (select o.client_order_id from watchlist.live_trade_order o where o.id = p_order_id), updated_at = now()
  where m.id = p_id
$$;

create or replace function watchlist.manual_order_finish(p_id bigint, p_status text, p_error text default null) returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
begin
  update watchlist.manual_order set status = p_status, error = p_error, updated_at = now() where id = p_id;
  if p_error is not null then
    perform watchlist.trade_error(null, 'manual', (select venue from watchlist.manual_order where id = p_id),
      'ManualOrderFailed', p_error, jsonb_build_object('manual_order_id', p_id));
  end if;
  perform pg_notify('live_trade', json_build_object('type', 'manual_order', 'manual_order_id', p_id, 'status', p_status)::text);
end $$;
