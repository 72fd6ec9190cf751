-- What the trade jobs hand their venue results to. The jobs read, call the
-- venue, and pass the answer here; every decision about the trade's state is
-- made in these functions. Venue results (orders, fills, positions, leg checks)
-- arrive as schema-checked jsonb: see sql/venue_results.sql.
-- Owns: watchlist.live_trade_order, live_trade_fill, live_trade_error (inserts,
--       NOTIFY live_trade_error), venue_health, venue_position, and the
--       live_trade_signal transitions of opening (via signal_transition()).

-------------------------------------------------------------------------------
-- Errors: one row per failure, NOTIFY live_trade_error for every row.
create or replace function watchlist.live_trade_error_notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('live_trade_error', json_build_object('error_id', new.id, 'signal_id', new.signal_id,
    'stage', new.stage, 'venue', new.venue, 'error_class', new.error_class)::text);
  return null;
end $$;
select watchlist.ensure_trigger('watchlist.live_trade_error', '_900_notify', $ddl$
create trigger _900_notify after insert on watchlist.live_trade_error
  for each row execute function watchlist.live_trade_error_notify()
$ddl$);

create or replace function watchlist.trade_error(p_signal_id bigint, p_stage text, p_venue text, p_class text,
  p_message text, p_payload jsonb default null, p_order_id bigint default null) returns bigint
language sql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  insert into watchlist.live_trade_error (signal_id, stage, venue, error_class, message, payload, order_id)
  values (p_signal_id, p_stage, p_venue, coalesce(p_class, 'Error'), coalesce(p_message, '(no message)'), p_payload, p_order_id)
  returning id
$$;

-------------------------------------------------------------------------------
-- Venue API health: exponential back-off per venue.
create or replace function watchlist.venue_report(p_venue text, p_ok boolean, p_error text default null)
returns watchlist.venue_health
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v watchlist.venue_health;
begin
  if p_ok then
    insert into watchlist.venue_health as h (venue, status, consecutive_errors, last_ok_at)
    values (p_venue, 'ok', 0, now())
    on conflict (venue) do update set status = 'ok', consecutive_errors = 0, backoff_until = null, last_ok_at = now()
    returning * into v;
  else
    insert into watchlist.venue_health as h (venue, status, consecutive_errors, last_error_at, last_error, backoff_until)
    values (p_venue, 'backoff', 1, now(), p_error, now() + make_interval(secs => watchlist.cfg_num('trade.backoff_base_s')))
    on conflict (venue) do update set
      consecutive_errors = h.consecutive_errors + 1,
      status = case when h.consecutive_errors + 1 >= 10 then 'down' else 'backoff' end,
      last_error_at = now(), last_error = p_error,
      backoff_until = now() + make_interval(secs => least(watchlist.cfg_num('trade.backoff_max_s'),
        watchlist.cfg_num('trade.backoff_base_s') * power(2, least(h.consecutive_errors, 30))))
    returning * into v;
  end if;
  return v;
end $$;

create or replace function watchlist.venue_available(p_venue text) returns boolean
language sql stable as $$
  select coalesce((select h.backoff_until is null or h.backoff_until <= now()
                   from watchlist.venue_health h where h.venue = p_venue), true)
$$;

-------------------------------------------------------------------------------
-- Orders: a row is written (pending) BEFORE the venue is called, so a crash
-- between the two leaves evidence that reconcile looks up by client id.
create or replace function watchlist.trade_prepare_order(p_signal_id bigint, p_purpose text, p_leg text,
  p_exchange text, p_symbol text, p_side text, p_amount numeric, p_reduce_only boolean,
  p_client_order_id text, p_attempt int, p_ref_price numeric default null, p_manual_order_id bigint default null)
returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_id bigint;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception 'order amount must be positive, got %', p_amount using errcode = '22023';
  end if;
  insert into watchlist.live_trade_order (signal_id, leg, purpose, exchange, symbol, side, client_order_id,
    reduce_only, amount, normalized_qty, notional_usdt, ref_price, attempt, status, manual_order_id)
  values (p_signal_id, p_leg, p_purpose, p_exchange, p_symbol, p_side, p_client_order_id,
    p_reduce_only, p_amount, p_amount::text, round(p_amount * p_ref_price, 8), p_ref_price, p_attempt, 'pending', p_manual_order_id)
  returning id into v_id;
  return v_id;
end $$;

-- Both open legs at one base quantity: the hedge only holds if the sizes match.
-- The quantity is trade_common_qty() (sql/trade_checks.sql), the rule the re-check
-- already checked both legs' minimums and margin at.
create or replace function watchlist.trade_prepare_open(p_signal_id bigint, p_legs jsonb) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_qty numeric;
  l jsonb;
  v_out jsonb := '[]';
  v_id bigint;
begin
  perform watchlist.venue_leg_checks(p_legs);
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if s.status <> 'opening' then
    raise exception 'signal % is %, not opening', p_signal_id, s.status using errcode = '55000';
  end if;
  if exists (select 1 from watchlist.live_trade_order o where o.signal_id = p_signal_id and o.purpose = 'open') then
    raise exception 'signal % already has open orders', p_signal_id using errcode = '55000';
  end if;
  v_qty := watchlist.trade_common_qty(coalesce(s.notional_usdt, watchlist.cfg_num('trade.notional_usdt')::numeric), p_legs);
  for l in select * from jsonb_array_elements(p_legs) loop
    v_id := watchlist.trade_prepare_order(p_signal_id, 'open', l->>'leg', l->>'exchange', l->>'symbol',
      case when l->>'leg' = 'short' then 'sell' else 'buy' end, v_qty, false, l->>'client_order_id',
      s.attempt, (l->>'ref_price')::numeric);
    v_out := v_out || jsonb_build_object('order_id', v_id, 'leg', l->>'leg', 'exchange', l->>'exchange',
      'symbol', l->>'symbol', 'side', case when l->>'leg' = 'short' then 'sell' else 'buy' end,
      'amount', v_qty::text, 'client_order_id', l->>'client_order_id', 'reduce_only', false,
      'ref_price', l->'ref_price');
  end loop;
  return v_out;
end $$;

-- A venue's answer (OrderResult as JSON). Status: filled / partially_filled /
-- open / rejected / unknown. Fills are idempotent per (order, trade id).
-- p_context: 'create' (the reply to our own request), 'lookup' (found by client or
-- exchange id) or 'duplicate' (the venue refused our id as already used, and the
-- look-up found that order). A looked-up order is ours only if symbol, side, amount
-- (within one step p_step, or less for a reduce-only order the venue capped) and
-- creation time (not before our prepared row, minus trade.lookup_clock_tolerance_s)
-- match; otherwise it is recorded as a lookup_mismatch error and foreign activity on
-- the venue, never as a fill: after a duplicate answer our order was refused
-- (rejected), after a plain look-up its fate stays unknown.
drop function if exists watchlist.trade_record_order(bigint, jsonb, timestamptz);
create or replace function watchlist.trade_record_order(p_order_id bigint, p_result jsonb, p_submitted_at timestamptz default null,
  p_context text default 'create', p_step numeric default null)
returns text
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  o watchlist.live_trade_order;
  v_filled numeric := coalesce(nullif(p_result->>'filledBase', '')::numeric, 0);
  v_amount numeric := nullif(p_result->>'amountBase', '')::numeric;
  v_ts float8 := nullif(p_result->>'ts', '')::float8;
  v_mismatch text[] := '{}';
  v_status text;
  v_fee numeric;
begin
  perform watchlist.venue_order_result(p_result); -- the shape check (sql/venue_results.sql) names a missing field
  if p_context not in ('create', 'lookup', 'duplicate') then
    raise exception 'bad record context %', p_context using errcode = '22023';
  end if;
  select * into o from watchlist.live_trade_order where id = p_order_id for update;
  if not found then raise exception 'no order %', p_order_id using errcode = 'no_data_found'; end if;
  if p_context <> 'create' then
    if p_result->>'clientOrderId' is distinct from o.client_order_id then v_mismatch := array_append(v_mismatch, 'client_order_id'); end if;
    if p_result->>'symbol' is distinct from o.symbol then v_mismatch := array_append(v_mismatch, 'symbol'); end if;
    if p_result->>'side' is distinct from o.side then v_mismatch := array_append(v_mismatch, 'side'); end if;
    if v_amount is not null and not (
         v_amount <= o.amount + coalesce(p_step, 0) * 1e-9
         and (o.reduce_only or v_amount > o.amount - coalesce(nullif(p_step, 0), o.amount * 1e-9))) then
      v_mismatch := array_append(v_mismatch, 'amount');
    end if;
    if v_ts is not null and to_timestamp(v_ts / 1000)
         < o.created_at - make_interval(secs => watchlist.cfg_num('trade.lookup_clock_tolerance_s')) then
      v_mismatch := array_append(v_mismatch, 'created_at');
    end if;
  end if;
  if cardinality(v_mismatch) > 0 then
    v_status := case when p_context = 'duplicate' then 'rejected' else 'unknown' end;
    update watchlist.live_trade_order set status = v_status, updated_at = now(),
      error = format('look-up answered with an order that is not this one (%s differ)', array_to_string(v_mismatch, ', ')),
      submitted_at = coalesce(submitted_at, p_submitted_at)
    where id = p_order_id;
    perform watchlist.trade_error(o.signal_id, 'lookup_mismatch', o.exchange, 'LookupMismatch',
      format('%s: client id %s answered with an order that is not ours (%s differ: %s %s %s at %s; ours %s %s %s prepared %s)%s',
        o.exchange, o.client_order_id, array_to_string(v_mismatch, ', '), p_result->>'side', p_result->>'amountBase',
        p_result->>'symbol', case when v_ts is null then '?' else to_timestamp(v_ts / 1000)::text end,
        o.side, o.amount, o.symbol, o.created_at,
        case when p_context = 'duplicate' then '; the venue refused our order as a duplicate: not placed' else '' end),
      jsonb_build_object('client_order_id', o.client_order_id, 'differ', to_jsonb(v_mismatch), 'context', p_context,
        'found', jsonb_build_object('id', p_result->>'id', 'symbol', p_result->>'symbol', 'side', p_result->>'side',
          'amountBase', p_result->>'amountBase', 'filledBase', p_result->>'filledBase', 'ts', p_result->'ts')),
      o.id);
    perform watchlist.note_foreign_activity(o.exchange, o.client_order_id, 'lookup_mismatch',
      jsonb_build_object('differ', to_jsonb(v_mismatch), 'found_order_id', p_result->>'id', 'found_ts', p_result->'ts'), o.signal_id, o.id);
    perform pg_notify('live_trade', json_build_object('type', 'order', 'signal_id', o.signal_id, 'order_id', o.id,
      'status', v_status, 'purpose', o.purpose, 'leg', o.leg)::text);
    return v_status;
  end if;

  v_status := case
    when v_filled > 0 and v_amount is not null and v_filled < v_amount and p_result->>'status' = 'open' then 'partially_filled'
    when v_filled > 0 then 'filled'
    when p_result->>'status' = 'open' then 'open'
    when p_result->>'status' in ('canceled', 'rejected', 'expired') then 'rejected'
    else 'unknown' end;
  insert into watchlist.live_trade_fill (order_id, signal_id, exchange, trade_id, ts, price, qty, fee, fee_currency)
  select p_order_id, o.signal_id, o.exchange, f->>'tradeId', to_timestamp((f->>'ts')::float8 / 1000),
         (f->>'price')::numeric, (f->>'amountBase')::numeric, nullif(f->>'fee', '')::numeric, f->>'feeCurrency'
  from jsonb_array_elements(coalesce(p_result->'fills', '[]')) f
  on conflict (order_id, trade_id) do nothing;
  select coalesce(nullif(p_result->>'fee', '')::numeric, sum(f.fee)) into v_fee
  from watchlist.live_trade_fill f where f.order_id = p_order_id;
  update watchlist.live_trade_order set
    exchange_order_id = coalesce(p_result->>'id', exchange_order_id),
    -- a later look-up that knows less (no filled amount yet) never lowers what we know
    status = case when watchlist.live_trade_order.status = 'filled' and v_status in ('unknown', 'open') then 'filled' else v_status end,
    filled_qty = greatest(v_filled, coalesce(filled_qty, 0)),
    avg_price = coalesce(nullif(p_result->>'avgPrice', '')::numeric, avg_price),
    fee = v_fee,
    fee_currency = coalesce(p_result->>'feeCurrency', (select f.fee_currency from watchlist.live_trade_fill f where f.order_id = p_order_id limit 1)),
    normalized_qty = coalesce(p_result->>'amountBase', normalized_qty),
    submitted_at = coalesce(submitted_at, p_submitted_at),
    order_resp = p_result->'raw',
    lookup_empty_since = null,
    error = null,
    updated_at = now()
  where id = p_order_id
  returning * into o;
  if not watchlist.order_fills_complete(o) then
    perform watchlist.trade_fill_gap(o.id);
  end if;
  perform pg_notify('live_trade', json_build_object('type', 'order', 'signal_id', o.signal_id, 'order_id', o.id,
    'status', o.status, 'purpose', o.purpose, 'leg', o.leg)::text);
  return o.status;
end $$;

-- An order that failed: 'rejected' (definite: nothing executed), 'not_placed'
-- (unknown outcome resolved: the venue has no order with this client id) or
-- 'unknown' (could not be resolved yet). Every failure is also an error row.
-- 'not_placed' is refused for an order the venue acknowledged (it has an exchange
-- id: it exists, however long look-ups take to show it) and before look-ups have
-- answered "no such order" over trade.lookup_span_s (see trade_lookup_empty).
create or replace function watchlist.trade_order_failed(p_order_id bigint, p_status text, p_stage text,
  p_error_class text, p_message text, p_payload jsonb default null, p_submitted_at timestamptz default null) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare o watchlist.live_trade_order;
begin
  if p_status not in ('rejected', 'not_placed', 'unknown') then
    raise exception 'bad failure status %', p_status using errcode = '22023';
  end if;
  select * into o from watchlist.live_trade_order where id = p_order_id for update;
  if p_status = 'not_placed' and o.exchange_order_id is not null then
    raise exception 'order % (%) has exchange id %: it was placed, never not_placed', o.id, o.client_order_id, o.exchange_order_id
      using errcode = '55000';
  end if;
  if p_status = 'not_placed' and (o.lookup_empty_since is null
      or o.lookup_empty_since > now() - make_interval(secs => watchlist.cfg_num('trade.lookup_span_s'))) then
    raise exception 'order % (%): look-ups have not yet spanned trade.lookup_span_s; not_placed refused', o.id, o.client_order_id
      using errcode = '55000';
  end if;
  if p_status <> 'rejected' and o.status = 'filled' then
    -- a filled order stays filled; the failure is only recorded
    p_status := 'filled';
  end if;
  update watchlist.live_trade_order set status = p_status, error = p_message, updated_at = now(),
    submitted_at = coalesce(submitted_at, p_submitted_at)
  where id = p_order_id returning * into o;
  perform pg_notify('live_trade', json_build_object('type', 'order', 'signal_id', o.signal_id, 'order_id', o.id,
    'status', p_status, 'purpose', o.purpose, 'leg', o.leg)::text);
  return watchlist.trade_error(o.signal_id, p_stage, o.exchange, p_error_class, p_message,
    coalesce(p_payload, '{}') || jsonb_build_object('client_order_id', o.client_order_id, 'purpose', o.purpose, 'leg', o.leg), o.id);
end $$;

-- A look-up answered "no such order". Returns what the job does next:
--   {action: 'wait', remaining_s}  look again (the span since the first empty answer is not over)
--   {action: 'check_position', expected}  call again with the venue's position on the symbol
--   {action: 'not_placed'}  concluded: empty look-ups over the span, and the venue holds
--                           exactly what our recorded orders explain
--   {action: 'unknown', why}  cannot conclude: acknowledged order still invisible, or the
--                             position moved; the order stays unresolved (retried later)
create or replace function watchlist.trade_lookup_empty(p_order_id bigint, p_position numeric default null, p_stage text default 'open')
returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  o watchlist.live_trade_order;
  v_span float8 := watchlist.cfg_num('trade.lookup_span_s');
  v_elapsed float8;
  v_expected numeric;
begin
  update watchlist.live_trade_order set lookup_empty_since = coalesce(lookup_empty_since, now())
  where id = p_order_id returning * into o;
  if not found then raise exception 'no order %', p_order_id using errcode = 'no_data_found'; end if;
  v_elapsed := extract(epoch from now() - o.lookup_empty_since);
  if v_elapsed < v_span then
    return jsonb_build_object('action', 'wait', 'remaining_s', v_span - v_elapsed);
  end if;
  if o.exchange_order_id is not null then
    perform watchlist.trade_order_failed(o.id, 'unknown', p_stage, 'AcknowledgedNotVisible',
      format('%s acknowledged order %s (%s) but look-ups have not shown it for %s s; it exists: kept unresolved',
        o.exchange, o.exchange_order_id, o.client_order_id, round(v_elapsed::numeric, 1)));
    return jsonb_build_object('action', 'unknown', 'why', 'acknowledged_not_visible');
  end if;
  select coalesce(sum(e.expected_size_base), 0) into v_expected
  from watchlist.v_expected_position e where e.venue = o.exchange and e.symbol = o.symbol;
  if p_position is null then
    return jsonb_build_object('action', 'check_position', 'expected', v_expected);
  end if;
  if p_position <> v_expected then
    perform watchlist.trade_order_failed(o.id, 'unknown', p_stage, 'PositionChanged',
      format('%s %s: no order %s in look-ups over %s s, but the venue holds %s where our orders explain %s: it may have executed; kept unresolved',
        o.exchange, o.symbol, o.client_order_id, round(v_elapsed::numeric, 1), p_position, v_expected),
      jsonb_build_object('position', p_position, 'expected', v_expected));
    return jsonb_build_object('action', 'unknown', 'why', 'position_changed');
  end if;
  perform watchlist.trade_order_failed(o.id, 'not_placed', p_stage, 'NotPlaced',
    format('%s: no order with client id %s in look-ups over %s s, and the position (%s) is what our orders explain',
      o.exchange, o.client_order_id, round(v_elapsed::numeric, 1), p_position));
  return jsonb_build_object('action', 'not_placed');
end $$;

-- Orders whose outcome the venue has not told us yet (crash, timeout), and filled
-- orders whose trade list does not yet add up to their filled amount.
create or replace function watchlist.trade_unresolved_orders(p_signal_id bigint) returns setof watchlist.live_trade_order
language sql stable as $$
  select * from watchlist.live_trade_order o
  where o.signal_id = p_signal_id
    and (watchlist.order_is_unresolved(o.status)
         or (o.status = 'filled' and not watchlist.order_fills_complete(o)))
  order by o.id
$$;

-- Net signed base position this signal holds on one leg (buys +, sells −), each
-- order counted by its effective quantity (fills or reported filled, the larger).
create or replace function watchlist.trade_leg_net(p_signal_id bigint, p_leg text) returns numeric
language sql stable as $$
  select coalesce(sum(case when o.side = 'buy' then watchlist.order_effective_qty(o) else -watchlist.order_effective_qty(o) end), 0)
  from watchlist.live_trade_order o
  where o.signal_id = p_signal_id and o.leg = p_leg
$$;

-------------------------------------------------------------------------------
-- open_trade: start, re-check, outcome.

-- What the job should do with a signal: recheck (new), resume (opening), or nothing.
create or replace function watchlist.trade_begin_open(p_signal_id bigint) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare s watchlist.live_trade_signal;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if not found then return jsonb_build_object('action', 'noop', 'why', 'no such signal'); end if;
  if s.status = 'new' then
    if watchlist.cfg_num('kill_switch') >= 1 then
      perform watchlist.signal_transition(s.id, 'ignored', 'kill_switch');
      return jsonb_build_object('action', 'noop', 'why', 'kill_switch');
    end if;
    if watchlist.venue_trading_block(s.leg_short_exchange) is not null or watchlist.venue_trading_block(s.leg_long_exchange) is not null then
      perform watchlist.signal_transition(s.id, 'ignored', 'venue_foreign_activity');
      perform watchlist.trade_error(s.id, 'open', null, 'VenueForeignActivity',
        coalesce(watchlist.venue_trading_block(s.leg_short_exchange), watchlist.venue_trading_block(s.leg_long_exchange)));
      return jsonb_build_object('action', 'noop', 'why', 'venue_foreign_activity');
    end if;
    if s.created_at < now() - make_interval(secs => watchlist.cfg_num('trade.max_signal_age_s')) then
      perform watchlist.signal_transition(s.id, 'ignored', 'stale_signal');
      return jsonb_build_object('action', 'noop', 'why', 'stale_signal');
    end if;
    -- a venue that failed its preflight (sql/venue_preflight.sql) is not traded
    if not (watchlist.venue_tradeable(s.leg_short_exchange) and watchlist.venue_tradeable(s.leg_long_exchange)) then
      perform watchlist.signal_transition(s.id, 'ignored', 'venue_preflight_failed', jsonb_build_object('recheck', jsonb_build_object(
        'ok', false, 'fail', 'venue_preflight_failed',
        'short', watchlist.venue_preflight_failure(s.leg_short_exchange), 'long', watchlist.venue_preflight_failure(s.leg_long_exchange))));
      perform watchlist.trade_error(s.id, 'preflight', case when watchlist.venue_tradeable(s.leg_short_exchange) then s.leg_long_exchange else s.leg_short_exchange end,
        'VenueNotTradeable', 'signal not traded: ' || concat_ws('; ', s.leg_short_exchange || ' ' || watchlist.venue_preflight_failure(s.leg_short_exchange),
          s.leg_long_exchange || ' ' || watchlist.venue_preflight_failure(s.leg_long_exchange)));
      return jsonb_build_object('action', 'noop', 'why', 'venue_preflight_failed');
    end if;
  elsif s.status <> 'opening' then
    return jsonb_build_object('action', 'noop', 'why', s.status);
  end if;
  return jsonb_build_object(
    'action', case when s.status = 'new' then 'recheck' else 'resume' end,
    'signal_id', s.id, 'symbol', s.symbol, 'attempt', s.attempt,
    'short', s.leg_short_exchange, 'long', s.leg_long_exchange,
    'notional_usdt', coalesce(s.notional_usdt, watchlist.cfg_num('trade.notional_usdt')::numeric),
    'leverage', least(coalesce(s.leverage, watchlist.cfg_num('trade.leverage')::int), watchlist.cfg_num('trade.leverage_max')::int));
end $$;

-- The re-check on live books and the pre-send checks, in SQL so the decision and
-- its record are one.
-- p_books: {short: {venue, price (swept bid at notional), bid_top, ask_top, age_ms, sufficient},
--           long:  {venue, price (swept ask at notional), ...}}
-- p_legs: both legs' market minimums, steps and free balance (trade_precheck()).
-- Recomputes spread_log_short_over_long = ln(short bid / long ask) and
-- raw_best_buy_high_sell_low = short bid / long ask − 1, keeps the event's other
-- three factors, re-runs predict_bc, checks both legs at the common quantity, and
-- moves the signal new → opening, or new → ignored (nothing was sent; reason
-- recheck_failed, or the pre-send check's own reason) with an error row, and then
-- hands over to the symbol's next best pair of the cycle (trade_next_pair()).
drop function if exists watchlist.trade_recheck(bigint, jsonb);
create or replace function watchlist.trade_recheck(p_signal_id bigint, p_books jsonb, p_legs jsonb) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  sh jsonb := p_books->'short';
  lg jsonb := p_books->'long';
  v_bid numeric := nullif(sh->>'price', '')::numeric;
  v_ask numeric := nullif(lg->>'price', '')::numeric;
  v_factors jsonb;
  p record;
  v_fail text;
  v_pre jsonb;
  v_rec jsonb;
  v_next bigint;
begin
  if jsonb_typeof(p_legs) = 'array' then perform watchlist.venue_leg_checks(p_legs); end if;
  select null::float8 as pnl_hat, null::float8 as win_prob, null::text as model_version, null::text as reason into p;
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if s.status <> 'new' then
    return jsonb_build_object('ok', false, 'why', 'status ' || s.status);
  end if;
  if sh ? 'error' or lg ? 'error' then
    v_fail := 'book_unavailable';
  elsif watchlist.book_is_stale((sh->>'age_ms')::float8) or watchlist.book_is_stale((lg->>'age_ms')::float8) then
    v_fail := 'stale_book';
  elsif (sh->>'bid_top')::numeric >= (sh->>'ask_top')::numeric or (lg->>'bid_top')::numeric >= (lg->>'ask_top')::numeric then
    v_fail := 'crossed_book';
  elsif not coalesce((sh->>'sufficient')::boolean, false) or not coalesce((lg->>'sufficient')::boolean, false)
        or v_bid is null or v_ask is null or v_bid <= 0 or v_ask <= 0 then
    v_fail := 'thin_book';
  end if;
  if v_fail is null then
    -- the books' measures; which factor takes which: sql/factors.sql
    v_factors := watchlist.factors_on_recheck(s.signal_type::text, s.payload->'factors',
      jsonb_build_object('log_ratio', ln(v_bid / v_ask)::float8, 'rel_spread', (v_bid / v_ask - 1)::float8));
    select * into p from watchlist.predict_bc(s.signal_type::text, coalesce(s.horizon_min, 240), v_factors);
    if p.pnl_hat is null then
      v_fail := 'prediction_failed';
    elsif not (p.pnl_hat > (s.threshold->>'pnl_hat_min')::float8 and p.win_prob > (s.threshold->>'win_prob_min')::float8) then
      v_fail := 'below_threshold';
    end if;
  end if;
  if v_fail is null then
    if p_legs is null or jsonb_typeof(p_legs) <> 'array' or jsonb_array_length(p_legs) <> 2 then
      v_pre := jsonb_build_object('ok', false, 'fail', 'legs_unchecked', 'why', 'no leg checks given: nothing is sent unchecked');
    else
      v_pre := watchlist.trade_precheck(coalesce(s.notional_usdt, watchlist.cfg_num('trade.notional_usdt')::numeric),
        coalesce(s.leverage, watchlist.cfg_num('trade.leverage')::int), p_legs);
    end if;
  end if;
  v_rec := jsonb_build_object('at', now(), 'ok', v_fail is null and (v_pre->>'ok')::boolean, 'fail', coalesce(v_fail, v_pre->>'fail'),
    'books', p_books, 'factors', v_factors, 'pnl_hat', p.pnl_hat, 'win_prob', p.win_prob, 'model_version', p.model_version,
    'predict_reason', p.reason, 'precheck', v_pre, 'qty', v_pre->'qty', 'legs', v_pre->'legs');
  if (v_rec->>'ok')::boolean then
    perform watchlist.signal_transition(s.id, 'opening', null, jsonb_build_object('recheck', v_rec));
    return v_rec;
  end if;
  if v_fail is not null then
    perform watchlist.signal_transition(s.id, 'ignored', 'recheck_failed', jsonb_build_object('recheck', v_rec));
    perform watchlist.trade_error(s.id, 'recheck', null, v_fail,
      format('re-check failed (%s): nothing sent', v_fail), jsonb_build_object('pnl_hat', p.pnl_hat, 'win_prob', p.win_prob));
  else
    perform watchlist.signal_transition(s.id, 'ignored', v_pre->>'fail', jsonb_build_object('recheck', v_rec));
    perform watchlist.trade_error(s.id, 'precheck', v_pre->>'venue', v_pre->>'fail',
      format('%s: nothing sent', v_pre->>'why'), jsonb_build_object('qty', v_pre->'qty', 'legs', v_pre->'legs'));
  end if;
  v_next := watchlist.trade_next_pair(s.id);
  return v_rec || jsonb_build_object('next_signal_id', v_next);
exception when undefined_function then
  -- predict_bc not installed: refuse rather than trade blind
  perform watchlist.signal_transition(p_signal_id, 'ignored', 'recheck_failed',
    jsonb_build_object('recheck', jsonb_build_object('ok', false, 'fail', 'no_predict_bc', 'books', p_books)));
  return jsonb_build_object('ok', false, 'fail', 'no_predict_bc');
end $$;

-- After the open legs: decide open / flatten / failed / partial_failed from the order rows.
-- Returns {action: 'unresolved'|'open'|'flatten'|'failed'|'partial_failed'|'noop', ...}.
create or replace function watchlist.trade_open_outcome(p_signal_id bigint) returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_unresolved int;
  v_short numeric;
  v_long numeric;
  v_open_short numeric;
  v_open_long numeric;
  v_ps numeric;
  v_pl numeric;
  v_fees numeric;
  v_flat jsonb := '[]';
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if s.status <> 'opening' then return jsonb_build_object('action', 'noop', 'status', s.status); end if;
  select count(*) into v_unresolved from watchlist.trade_unresolved_orders(p_signal_id);
  if v_unresolved > 0 then return jsonb_build_object('action', 'unresolved', 'count', v_unresolved); end if;

  v_short := -watchlist.trade_leg_net(p_signal_id, 'short'); -- held short size (>0 when short)
  v_long := watchlist.trade_leg_net(p_signal_id, 'long');
  select coalesce(sum(watchlist.order_effective_qty(o)) filter (where o.leg = 'short'), 0),
         coalesce(sum(watchlist.order_effective_qty(o)) filter (where o.leg = 'long'), 0)
  into v_open_short, v_open_long
  from watchlist.live_trade_order o
  where o.signal_id = p_signal_id and o.purpose = 'open';

  -- both legs filled and still held (a trim to nothing leaves the unwind below)
  if v_open_short > 0 and v_open_long > 0 and v_short > 0 and v_long > 0 then
    select sum(f.price * f.qty) filter (where o.leg = 'short') / nullif(sum(f.qty) filter (where o.leg = 'short'), 0),
           sum(f.price * f.qty) filter (where o.leg = 'long') / nullif(sum(f.qty) filter (where o.leg = 'long'), 0),
           -- in USDT: a fee charged in another coin counts once converted (sql/money.sql refreshes it)
           coalesce(sum(f.fee_usdt), 0)
    into v_ps, v_pl, v_fees
    from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
    where o.signal_id = p_signal_id and o.purpose = 'open';
    -- uneven after any trim (trade_even_plan() gave up): say so
    if v_short <> v_long then
      perform watchlist.trade_error(p_signal_id, 'open', null, 'qty_mismatch',
        format('legs hold different sizes: short %s, long %s', v_short, v_long), null);
    end if;
    perform watchlist.signal_transition(p_signal_id, 'open', null, jsonb_build_object(
      'entry_spread', ln(v_ps / v_pl), 'entry_fees_usdt', v_fees, 'entry_qty', least(v_short, v_long)));
    return jsonb_build_object('action', 'open', 'entry_spread', ln(v_ps / v_pl));
  end if;

  if v_open_short = 0 and v_open_long = 0 then
    perform watchlist.signal_transition(p_signal_id, 'failed', 'both_legs_failed');
    return jsonb_build_object('action', 'failed');
  end if;

  -- one leg filled alone: flatten whatever this signal still holds, then partial_failed
  if v_short > 0 then
    v_flat := v_flat || jsonb_build_object('leg', 'short', 'exchange', s.leg_short_exchange, 'side', 'buy', 'amount', v_short::text);
  end if;
  if v_long > 0 then
    v_flat := v_flat || jsonb_build_object('leg', 'long', 'exchange', s.leg_long_exchange, 'side', 'sell', 'amount', v_long::text);
  end if;
  if jsonb_array_length(v_flat) > 0 then
    return jsonb_build_object('action', 'flatten', 'legs', v_flat, 'symbol', s.symbol,
      'attempt', coalesce((select max(o.attempt) + 1 from watchlist.live_trade_order o
                           where o.signal_id = p_signal_id and o.purpose = 'flatten'), 1));
  end if;
  perform watchlist.signal_transition(p_signal_id, 'partial_failed', 'one_leg_failed_flattened');
  return jsonb_build_object('action', 'partial_failed');
end $$;

-- Positions as a venue reports them; symbols it no longer reports are flat.
create or replace function watchlist.record_venue_positions(p_venue text, p_positions jsonb, p_complete boolean default true)
returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  perform watchlist.venue_positions(coalesce(p_positions, '[]'));
  insert into watchlist.venue_position as vp (venue, symbol, size_base, entry_price, unrealized_pnl, fetched_at)
  select p_venue, x->>'symbol', (x->>'sizeBase')::numeric, nullif(x->>'entryPrice', '')::numeric,
         nullif(x->>'unrealizedPnl', '')::numeric, now()
  from jsonb_array_elements(coalesce(p_positions, '[]')) x
  on conflict (venue, symbol) do update set size_base = excluded.size_base, entry_price = excluded.entry_price,
    unrealized_pnl = excluded.unrealized_pnl, fetched_at = excluded.fetched_at;
  if p_complete then
    update watchlist.venue_position vp set size_base = 0, unrealized_pnl = null, fetched_at = now()
    where vp.venue = p_venue and vp.size_base <> 0
      and vp.symbol not in (select x->>'symbol' from jsonb_array_elements(coalesce(p_positions, '[]')) x);
  end if;
end $$;

-- Base quantity for a USDT notional, floored to the venue's step (contracts × size).
create or replace function watchlist.qty_for_notional(p_notional numeric, p_ref_price numeric, p_amount_step numeric, p_contract_size numeric default 1)
returns numeric
language sql immutable as $$
  select watchlist.qty_floor(p_notional / p_ref_price, watchlist.base_step(p_amount_step, p_contract_size))
$$;
