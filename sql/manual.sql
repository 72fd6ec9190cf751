-- The trader's levers: manual single-leg orders, closing a trade, the kill switch.
-- Each writes an audit row (watchlist.trader_action) and NOTIFYs live_trade.
-- Owns: watchlist.manual_order, watchlist.trader_action, the functions below and
--       the manual_order job's hand-off functions.

create or replace function watchlist.trader_actor() returns text
language sql stable as $$
  select coalesce(nullif(current_setting('wl.actor', true), ''), session_user::text)
$$;

create or replace function watchlist.trader_audit(p_action text, p_args jsonb, p_result jsonb) returns bigint
language sql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  insert into watchlist.trader_action (actor, action, args, result)
  values (watchlist.trader_actor(), p_action, p_args, p_result)
  returning id
$$;

-- Create one manual order and its job. Orders of one venue+symbol share a named
-- graphile-worker queue, so they run one at a time in the order placed (and
-- manual_order_begin holds back an order while an earlier one is unfinished).
create or replace function watchlist.manual_order_create(p_venue text, p_symbol text, p_action text,
  p_notional_usdt numeric, p_qty_base numeric default null) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_id bigint;
begin
  insert into watchlist.manual_order (actor, venue, symbol, action, notional_usdt, qty_base, expires_at)
  values (watchlist.trader_actor(), p_venue, p_symbol, p_action, p_notional_usdt, p_qty_base,
          now() + make_interval(secs => watchlist.cfg_num('trade.manual_ttl_s')))
  returning id into v_id;
  perform watchlist.enqueue_trade_job('manual_order', v_id);
  perform pg_notify('live_trade', json_build_object('type', 'manual_order', 'manual_order_id', v_id, 'status', 'new')::text);
  return v_id;
end $$;

create or replace function watchlist.manual_queue(p_venue text, p_symbol text) returns text
language sql immutable parallel safe as $$
  select 'manual:' || p_venue || ':' || p_symbol
$$;

-- One manual market order on one venue; the manual_order job sends it. The venue
-- must be one the worker runs and the symbol one of the markets it loaded at start
-- (watchlist.worker_venue / venue_market, sql/worker_venues.sql).
create or replace function watchlist.manual_trade(p_venue text, p_symbol text, p_action text, p_notional_usdt numeric default 20)
returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_id bigint;
  v_args jsonb := jsonb_build_object('venue', p_venue, 'symbol', p_symbol, 'action', p_action, 'notional_usdt', p_notional_usdt);
  w watchlist.worker_venue;
begin
  if p_action is null or p_action not in ('open_long', 'open_short', 'close_long', 'close_short') then
    raise exception 'manual_trade: action must be open_long, open_short, close_long or close_short, got %', p_action using errcode = '22023';
  end if;
  if p_notional_usdt is null or p_notional_usdt <= 0 or p_notional_usdt > watchlist.cfg_num('trade.manual_max_usdt') then
    raise exception 'manual_trade: notional % USDT out of range (0, %]', p_notional_usdt, watchlist.cfg_num('trade.manual_max_usdt')
      using errcode = '22023';
  end if;
  if coalesce(p_venue, '') = '' or coalesce(p_symbol, '') = '' then
    raise exception 'manual_trade: venue and symbol are required' using errcode = '22023';
  end if;
  select * into w from watchlist.worker_venue where venue = p_venue;
  if not found then
    raise exception 'manual_trade: venue "%" is not run by the worker (running: %)', p_venue,
      coalesce((select string_agg(venue, ', ' order by venue) from watchlist.worker_venue), 'none: start one with wl up / wl worker')
      using errcode = '22023';
  end if;
  if not w.markets_loaded then
    raise exception 'manual_trade: venue "%" did not load its markets when the worker started (unreachable?)', p_venue
      using errcode = '55000';
  end if;
  if not exists (select 1 from watchlist.venue_market where venue = p_venue and symbol = p_symbol) then
    raise exception 'manual_trade: venue "%" has no market "%" (unified perp symbols such as BTC/USDT:USDT)', p_venue, p_symbol
      using errcode = '22023';
  end if;
  if p_action like 'open%' and watchlist.cfg_num('kill_switch') >= 1 then
    raise exception 'manual_trade: kill switch is on (level %): no new positions', watchlist.cfg_num('kill_switch')
      using errcode = '55000';
  end if;
  v_id := watchlist.manual_order_create(p_venue, p_symbol, p_action, p_notional_usdt);
  perform watchlist.trader_audit('manual_trade', v_args, jsonb_build_object('manual_order_id', v_id));
  return v_id;
end $$;

-- What manual orders hold now, per venue and symbol: their recorded fills, signed.
create or replace view watchlist.v_manual_position as
select o.exchange as venue, o.symbol, sum(case when o.side = 'buy' then f.qty else -f.qty end) as size_base,
       sum(f.qty * f.price) / nullif(sum(f.qty), 0) as avg_price
from watchlist.live_trade_fill f
join watchlist.live_trade_order o on o.id = f.order_id
where o.purpose = 'manual'
group by o.exchange, o.symbol;

-- Kill switch 2: a reduce-only close of exactly what manual orders hold, per venue and
-- symbol, less what closes already pending will take (so a second call adds nothing).
create or replace function watchlist.flatten_manual_positions() returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  r record;
  v_n int := 0;
begin
  perform pg_advisory_xact_lock(hashtext('wl:flatten_manual'));
  for r in
    select p.venue, p.symbol, p.avg_price,
           p.size_base - coalesce((select sum(case when m.action = 'close_long' then m.qty_base else -m.qty_base end)
                                   from watchlist.manual_order m
                                   where m.venue = p.venue and m.symbol = p.symbol and m.qty_base is not null
                                     and m.status in ('new', 'submitted')), 0) as open_base
    from watchlist.v_manual_position p
  loop
    continue when r.open_base = 0;
    perform watchlist.manual_order_create(r.venue, r.symbol, case when r.open_base > 0 then 'close_long' else 'close_short' end,
      greatest(round(abs(r.open_base) * coalesce(r.avg_price, 1), 8), 0.00000001), abs(r.open_base));
    v_n := v_n + 1;
  end loop;
  return v_n;
end $$;

create or replace function watchlist.request_close(p_signal_id bigint, p_reason text default 'manual') returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
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

-- 0 off, 1 no new entries, 2 no new entries, close every open trade and flatten
-- what manual orders hold (reconcile repeats the flatten while the switch stays at 2).
create or replace function watchlist.set_kill_switch(p_level int, p_note text default null) returns int
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_n int := 0;
  v_flat int := 0;
  r record;
begin
  -- the registry checks the level (an integer in [0, 2]) before anything is closed
  perform watchlist.store_config('kill_switch', coalesce(to_jsonb(p_level), 'null'::jsonb), p_note);
  if p_level = 2 then
    for r in select id from watchlist.live_trade_signal where status = 'open' order by id for update loop
      perform watchlist.begin_close(r.id, 'kill_switch');
      v_n := v_n + 1;
    end loop;
    v_flat := watchlist.flatten_manual_positions();
  end if;
  perform watchlist.trader_audit('set_kill_switch', jsonb_build_object('level', p_level, 'note', p_note),
    jsonb_build_object('closing', v_n, 'manual_flatten', v_flat));
  return p_level;
end $$;

-- manual_order job hand-off: claim, then finish with what the venue said.
-- An order still 'new' past its time to live is ended here, never sent late; an order
-- waits while an earlier one for the same venue+symbol is unfinished.
create or replace function watchlist.manual_order_begin(p_id bigint) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  m watchlist.manual_order;
  p watchlist.manual_order;
begin
  perform watchlist.expire_manual_orders();
  select * into m from watchlist.manual_order where id = p_id for update;
  if not found then return jsonb_build_object('action', 'noop', 'why', 'no such order'); end if;
  if m.status not in ('new', 'submitted') then return jsonb_build_object('action', 'noop', 'why', m.status); end if;
  if m.status = 'new' and now() >= coalesce(m.expires_at, m.created_at + interval '60 seconds') then
    perform watchlist.manual_order_end_unsent(m);
    return jsonb_build_object('action', 'noop', 'why', 'expired');
  end if;
  if m.status = 'new' and m.action like 'open%' and watchlist.cfg_num('kill_switch') >= 1 then
    perform watchlist.manual_order_finish(p_id, 'failed', format('kill switch is on (level %s): not opened', watchlist.cfg_num('kill_switch')));
    return jsonb_build_object('action', 'noop', 'why', 'kill_switch');
  end if;
  select * into p from watchlist.manual_order
  where venue = m.venue and symbol = m.symbol and id < m.id and status in ('new', 'submitted') order by id limit 1;
  if found then
    return jsonb_build_object('action', 'wait', 'why', format('manual order %s for %s %s, placed earlier, is still %s', p.id, p.venue, p.symbol, p.status));
  end if;
  return jsonb_build_object('action', case when m.order_id is null then 'send' else 'resume' end,
    'id', m.id, 'venue', m.venue, 'symbol', m.symbol, 'action_kind', m.action, 'notional_usdt', m.notional_usdt,
    'qty_base', m.qty_base::text, 'order_id', m.order_id, 'fallback_usdt', watchlist.cfg_num('trade.manual_fallback_usdt'));
end $$;

create or replace function watchlist.manual_order_attach(p_id bigint, p_order_id bigint, p_notional numeric) returns void
language sql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  update watchlist.manual_order m set order_id = p_order_id, notional_usdt = p_notional, status = 'submitted',
    client_order_id = (select o.client_order_id from watchlist.live_trade_order o where o.id = p_order_id), updated_at = now()
  where m.id = p_id
$$;

-- Terminal states: filled, failed (with the reason), expired. Failures and expiries
-- get a live_trade_error row (its trigger NOTIFYs live_trade_error); every end
-- NOTIFYs live_trade.
create or replace function watchlist.manual_order_finish(p_id bigint, p_status text, p_error text default null) returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  update watchlist.manual_order set status = p_status, updated_at = now(),
    error = case when p_status = 'filled' then null else coalesce(p_error, error) end -- a fill clears a retried attempt's reason
  where id = p_id;
  if p_error is not null then
    perform watchlist.trade_error(null, 'manual', (select venue from watchlist.manual_order where id = p_id),
      case p_status when 'expired' then 'ManualOrderExpired' else 'ManualOrderFailed' end, p_error,
      jsonb_build_object('manual_order_id', p_id));
  end if;
  perform pg_notify('live_trade', json_build_object('type', 'manual_order', 'manual_order_id', p_id, 'status', p_status)::text);
end $$;

-- An order nothing was sent for, past its time to live: 'failed' with the last
-- error when attempts failed (venue down), else 'expired' (no worker took it).
create or replace function watchlist.manual_order_end_unsent(m watchlist.manual_order) returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  if m.error is not null then
    perform watchlist.manual_order_finish(m.id, 'failed', format('%s (gave up after its time to live of %s s)',
      m.error, round(extract(epoch from coalesce(m.expires_at, m.created_at + interval '60 seconds') - m.created_at))));
  else
    perform watchlist.manual_order_finish(m.id, 'expired', format('not sent within its time to live of %s s: no worker took it in time',
      round(extract(epoch from coalesce(m.expires_at, m.created_at + interval '60 seconds') - m.created_at))));
  end if;
end $$;

-- End every unsent order past its time to live, except one a job is working on
-- right now (it holds the order's advisory lock; see workers/trade/db.ts).
-- Called by the job, by reconcile and by `wl trade` when it stops waiting.
create or replace function watchlist.expire_manual_orders() returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  m watchlist.manual_order;
  v_n int := 0;
begin
  for m in select * from watchlist.manual_order
           where status = 'new' and now() >= coalesce(expires_at, created_at + interval '60 seconds')
           order by id for update skip locked loop
    continue when not pg_try_advisory_xact_lock(hashtext('wl:manual'), (m.id % 2147483647)::int);
    perform watchlist.manual_order_end_unsent(m);
    v_n := v_n + 1;
  end loop;
  return v_n;
end $$;

-- A job attempt threw. Nothing sent yet ('new'): keep the reason and retry while the
-- time to live lasts, end 'failed' on the last attempt or after it. Sent with an
-- unknown outcome ('submitted'): retry the look-up; never resend (reconcile keeps
-- resolving it by client order id after the last attempt).
create or replace function watchlist.manual_order_error(p_id bigint, p_error text, p_last_attempt boolean) returns text
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare m watchlist.manual_order;
begin
  select * into m from watchlist.manual_order where id = p_id for update;
  if not found or m.status not in ('new', 'submitted') then return 'done'; end if;
  if m.status = 'submitted' then
    if p_last_attempt then
      perform watchlist.trade_error(null, 'manual', m.venue, 'ManualOrderUnresolved', p_error, jsonb_build_object('manual_order_id', p_id));
      return 'unresolved';
    end if;
    return 'retry';
  end if;
  update watchlist.manual_order set error = p_error, updated_at = now() where id = p_id;
  if p_last_attempt or now() >= coalesce(m.expires_at, m.created_at + interval '60 seconds') then
    perform watchlist.manual_order_finish(p_id, 'failed', p_error);
    return 'failed';
  end if;
  return 'retry';
end $$;
