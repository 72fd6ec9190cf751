-- The trading rules that several places apply, each defined once here and used by
-- triggers, views, GraphQL computed columns, jobs and pages alike.
-- Owns: no table (reads watchlist.status_set, migration 000014). Functions:
--   status sets  trade_is_active, trade_is_in_flight, trade_is_finished,
--                order_is_unresolved (status) — generated from status_set rows
--   take-profit  trade_pnl_hat(signal), take_profit_pnl(signal)
--   jobs         enqueue_trade_job(task, id): task, payload, job key, attempts, queue
--   order size   base_step(amount_step, contract_size), qty_floor(qty, step),
--                order_below_minimum(qty, ref price, contract size, minimums)
--   books        book_is_stale(age_ms)
-- Loaded right after roles/defer_ddl (db/migrate.ts), before the views that use it.

-------------------------------------------------------------------------------
-- Status sets. Each named set in watchlist.status_set becomes one immutable
-- predicate whose body is the set's literal list, generated from the rows, so the
-- list is written once (the migration's rows) and the planner still inlines the
-- predicate: `where trade_is_active(status)` plans as `status = any('{…}')` and
-- matches the partial indexes built from the same rows.
create or replace function watchlist.define_status_predicate(p_fn text, p_entity text, p_set text) returns void
language plpgsql as $fn$
declare
  v text[] := array(select s.status from watchlist.status_set s where s.entity = p_entity and s.set_name = p_set order by s.status);
begin
  if cardinality(v) = 0 then
    raise exception 'status set %.% has no rows (migration 000014)', p_entity, p_set;
  end if;
  execute format($f$create or replace function watchlist.%I(p_status text) returns boolean
    language sql immutable parallel safe as $b$ select p_status = any(%L::text[]) $b$ $f$, p_fn, v);
  execute format('comment on function watchlist.%I(text) is %L', p_fn,
    format(E'@behavior -queryField\nTrue when a %s status is in the set %s: %s (rows of watchlist.status_set).', p_entity, p_set, array_to_string(v, ', ')));
end $fn$;

select watchlist.define_status_predicate('trade_is_active', 'trade', 'active');
select watchlist.define_status_predicate('trade_is_in_flight', 'trade', 'in_flight');
select watchlist.define_status_predicate('trade_is_finished', 'trade', 'finished');
select watchlist.define_status_predicate('order_is_unresolved', 'order', 'unresolved');

-------------------------------------------------------------------------------
-- Take-profit. The pnl_hat a trade is held to is the re-check's (live books at
-- entry) when there is one, else the gate's; take-profit fires when the
-- executable pnl_est reaches ratio × that (DESIGN: ratio 0.8, a setting).
create or replace function watchlist.trade_pnl_hat(s watchlist.live_trade_signal) returns double precision
language sql stable parallel safe as $$
  select coalesce((s.recheck->>'pnl_hat')::float8, s.pnl_hat)
$$;

create or replace function watchlist.take_profit_pnl(s watchlist.live_trade_signal) returns double precision
language sql stable parallel safe as $$
  select watchlist.cfg_num('trade.take_profit_ratio') * watchlist.trade_pnl_hat(s)
$$;

-------------------------------------------------------------------------------
-- The job that carries a trade or a manual order forward. One spec per task:
-- payload, job key (one queued job per trade/order; a duplicate enqueue replaces
-- it), attempts, and the queue (a venue+symbol's manual orders run one at a time).
-- p_id is the live_trade_signal id (open_trade, close_trade) or the manual_order id.
create or replace function watchlist.enqueue_trade_job(p_task text, p_id bigint) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  m watchlist.manual_order;
begin
  if p_task in ('open_trade', 'close_trade') then
    select * into s from watchlist.live_trade_signal where id = p_id;
    if not found then raise exception 'enqueue_trade_job: no trade %', p_id using errcode = 'no_data_found'; end if;
    -- a new trade's legs ride along so the job can fetch both books for the re-check
    -- while it takes its lock (a resumed or closing trade has no use for them)
    return watchlist.enqueue(p_task,
      case when p_task = 'open_trade' and s.status = 'new'
        then json_build_object('signal_id', s.id, 'symbol', s.symbol, 'short', s.leg_short_exchange, 'long', s.leg_long_exchange)
        else json_build_object('signal_id', s.id) end,
      p_task || ':' || s.id, null, case p_task when 'open_trade' then 5 else 25 end, null);
  elsif p_task = 'manual_order' then
    select * into m from watchlist.manual_order where id = p_id;
    if not found then raise exception 'enqueue_trade_job: no manual order %', p_id using errcode = 'no_data_found'; end if;
    return watchlist.enqueue(p_task, json_build_object('manual_order_id', m.id), p_task || ':' || m.id, null, 10,
      watchlist.manual_queue(m.venue, m.symbol));
  end if;
  raise exception 'enqueue_trade_job: unknown task %', p_task using errcode = '22023';
end $$;

-------------------------------------------------------------------------------
-- Order size. A venue sizes in contracts of contract_size base each, stepping by
-- amount_step contracts, so its base step is the product; a quantity is floored
-- to a step (never rounded up past what the notional pays for).
create or replace function watchlist.base_step(p_amount_step numeric, p_contract_size numeric) returns numeric
language sql immutable parallel safe as $$
  select p_amount_step * coalesce(p_contract_size, 1)
$$;

create or replace function watchlist.qty_floor(p_qty numeric, p_step numeric) returns numeric
language sql immutable parallel safe as $$
  select floor(p_qty / p_step) * p_step
$$;

-- Why an order of p_qty base at p_ref_price is under the venue's minimums (null:
-- it is not): qty_zero, below_min_amount (min_amount is in contracts), or
-- below_min_cost (order value in USDT). A null minimum is no minimum.
create or replace function watchlist.order_below_minimum(p_qty numeric, p_ref_price numeric, p_contract_size numeric,
  p_min_amount numeric, p_min_cost_usdt numeric) returns text
language sql immutable parallel safe as $$
  select case
    when p_qty is null or p_qty <= 0 then 'qty_zero'
    when p_min_amount is not null and p_qty / coalesce(p_contract_size, 1) < p_min_amount then 'below_min_amount'
    when p_min_cost_usdt is not null and p_qty * p_ref_price < p_min_cost_usdt then 'below_min_cost'
  end
$$;

-------------------------------------------------------------------------------
-- Books. A book older than trade.max_book_age_ms (exchange delay plus our own
-- time since receiving it) is not traded or sampled on; an unknown age is stale.
create or replace function watchlist.book_is_stale(p_age_ms double precision) returns boolean
language sql stable parallel safe as $$
  select coalesce(p_age_ms, 'infinity') > watchlist.cfg_num('trade.max_book_age_ms')
$$;

-- Internal rules, not API fields: a function taking the trade row would otherwise
-- become a field of every LiveTradeSignal (the API's fields are in sql/graphql.sql).
comment on function watchlist.define_status_predicate(text, text, text) is
  E'@behavior -queryField -mutationField\nBuilds a status-set predicate function from watchlist.status_set rows.';
comment on function watchlist.trade_pnl_hat(watchlist.live_trade_signal) is
  E'@behavior -typeField -queryField -filterBy\nThe pnl_hat a trade is held to: the re-check''s, else the gate''s.';
comment on function watchlist.take_profit_pnl(watchlist.live_trade_signal) is
  E'@behavior -typeField -queryField -filterBy\nThe pnl_est at which a trade takes profit: the take-profit ratio setting × trade_pnl_hat.';
comment on function watchlist.enqueue_trade_job(text, bigint) is
  E'@behavior -mutationField\nEnqueue the job of a trade (open_trade, close_trade) or manual order (manual_order) by its one spec.';
comment on function watchlist.base_step(numeric, numeric) is
  E'@behavior -queryField\nA venue''s base step: amount step (contracts) × contract size.';
comment on function watchlist.qty_floor(numeric, numeric) is
  E'@behavior -queryField\nA quantity floored to a step.';
comment on function watchlist.order_below_minimum(numeric, numeric, numeric, numeric, numeric) is
  E'@behavior -queryField\nWhy an order is under the venue minimums (qty_zero, below_min_amount, below_min_cost), null when it is not.';
comment on function watchlist.book_is_stale(double precision) is
  E'@behavior -queryField\nTrue when a book is older than trade.max_book_age_ms or of unknown age.';
