-- Monitoring and exits: spread samples, the take-profit / max-hold decision on
-- each sample, the start of a close, and the realised PnL when it finishes.
-- Owns: watchlist.live_trade_spread_sample (inserts + decision trigger),
--       watchlist.live_trade_exit, the open → closing → closed transitions,
--       monitor_books_fresh (the monitor's use of the book staleness rule).

-- Funding a venue settled on a symbol in (p_from, p_to], from the collector's
-- minute snapshots: the rate last seen before each settlement time.
create or replace function watchlist.funding_settled(p_venue text, p_symbol text, p_from timestamptz, p_to timestamptz)
returns double precision
language sql stable as $$
  select coalesce(sum(r), 0) from (
    select distinct on (m.next_funding_time) m.funding_rate as r
    from watchlist.market_snapshot m
    where m.venue = p_venue and m.symbol = p_symbol
      and m.next_funding_time > p_from and m.next_funding_time <= p_to
      and m.ts >= p_from - interval '1 day' and m.ts < m.next_funding_time and m.funding_rate is not null
    order by m.next_funding_time, m.ts desc) x
$$;

-- Start closing an open trade: one exit row, status closing, a close_trade job.
-- Idempotent: a trade already closing returns its exit id (and re-enqueues).
create or replace function watchlist.begin_close(p_signal_id bigint, p_reason text) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_exit bigint;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if not found then raise exception 'no trade %', p_signal_id using errcode = 'no_data_found'; end if;
  if s.status = 'closing' then
    select id into v_exit from watchlist.live_trade_exit where signal_id = p_signal_id;
  elsif s.status = 'open' then
    insert into watchlist.live_trade_exit (signal_id, reason, pnl_hat)
    values (p_signal_id, p_reason, watchlist.trade_pnl_hat(s))
    returning id into v_exit;
    perform watchlist.signal_transition(p_signal_id, 'closing', null);
    perform pg_notify('live_trade', json_build_object('type', 'exit', 'signal_id', p_signal_id, 'exit_id', v_exit,
      'reason', p_reason)::text);
  else
    raise exception 'trade % is %, only an open trade can be closed', p_signal_id, s.status using errcode = '55000';
  end if;
  perform watchlist.enqueue_trade_job('close_trade', p_signal_id);
  return v_exit;
end $$;

-- Open trades the monitor samples now (not sampled within the interval).
create or replace function watchlist.monitor_targets() returns table (
  signal_id bigint, symbol text, short_exchange text, long_exchange text, short_qty numeric, long_qty numeric)
language sql stable as $$
  select s.id, s.symbol, s.leg_short_exchange, s.leg_long_exchange,
         -watchlist.trade_leg_net(s.id, 'short'), watchlist.trade_leg_net(s.id, 'long')
  from watchlist.live_trade_signal s
  where s.status = 'open'
    and not exists (select 1 from watchlist.live_trade_spread_sample x where x.signal_id = s.id
                    and x.ts > now() - make_interval(secs => watchlist.cfg_num('trade.monitor_interval_s') - 5))
  order by s.id
$$;

-- Whether a monitor pass may sample a trade on these books: both fresh by the one
-- staleness rule (sql/rules.sql, as the re-check decides it on open). A stale book
-- is an error row and no sample.
create or replace function watchlist.monitor_books_fresh(p_signal_id bigint, p_short_age_ms double precision,
  p_long_age_ms double precision) returns boolean
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  if watchlist.book_is_stale(p_short_age_ms) or watchlist.book_is_stale(p_long_age_ms) then
    perform watchlist.trade_error(p_signal_id, 'monitor', null, 'StaleBook',
      format('book older than %s ms', watchlist.cfg_num('trade.max_book_age_ms')));
    return false;
  end if;
  return true;
end $$;

comment on function watchlist.monitor_books_fresh(bigint, double precision, double precision) is
  E'@behavior -mutationField\nWhether the monitor may sample a trade on books of these ages (a stale one is a StaleBook error row).';

-- One sample: executable exit (short venue ask to buy back, long venue bid to sell),
-- exit spread = ln(ask_short / bid_long), pnl_est = entry spread − exit spread
-- − fees (entry fees actually paid + estimated exit taker fees, as fractions of the
-- entry notional) + funding settled so far (short receives, long pays).
create or replace function watchlist.record_spread_sample(p_signal_id bigint, p_ts timestamptz, p_bidask jsonb,
  p_short_ask numeric, p_long_bid numeric, p_exit_fee_frac double precision default null) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_notional numeric;
  v_spread float8;
  v_funding float8;
  v_fee_frac float8;
  v_id bigint;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id;
  if s.status <> 'open' or p_short_ask is null or p_long_bid is null or p_short_ask <= 0 or p_long_bid <= 0 then
    return null;
  end if;
  select sum(f.price * f.qty) filter (where o.leg = 'long') into v_notional
  from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
  where o.signal_id = p_signal_id and o.purpose = 'open';
  v_spread := ln(p_short_ask / p_long_bid);
  v_funding := watchlist.funding_settled(s.leg_short_exchange, s.symbol, s.opened_at, p_ts)
             - watchlist.funding_settled(s.leg_long_exchange, s.symbol, s.opened_at, p_ts);
  v_fee_frac := coalesce(s.entry_fees_usdt / nullif(v_notional, 0), 0)
              + coalesce(p_exit_fee_frac, 2 * watchlist.cfg_num('trade.taker_fee_default'));
  insert into watchlist.live_trade_spread_sample (signal_id, ts, bidask, spread, pnl_est, funding_accrued)
  values (p_signal_id, p_ts, p_bidask, v_spread, s.entry_spread - v_spread - v_fee_frac + v_funding, v_funding)
  returning id into v_id;
  return v_id;
end $$;

-- The exit rule, defined once: why an open trade should close now (null: keep it).
-- p_pnl_est is the latest executable estimate, null when there is none (books failing):
-- then only the rules that need no price (kill switch, max hold) can fire.
create or replace function watchlist.trade_exit_reason(s watchlist.live_trade_signal, p_pnl_est double precision, p_at timestamptz)
returns text
language sql stable as $$
  select case
    when s.status <> 'open' then null
    when watchlist.cfg_num('kill_switch') >= 2 then 'kill_switch'
    -- the target is the one the pages show (sql/rules.sql)
    when p_pnl_est >= watchlist.take_profit_pnl(s) then 'take_profit'
    when p_at - s.opened_at >= make_interval(secs => 3600 * watchlist.cfg_num('trade.max_hold_hours')) then 'max_hold'
  end
$$;

-- The exit decision, on every sample.
create or replace function watchlist.spread_sample_decide() returns trigger
language plpgsql security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_reason text;
begin
  select * into s from watchlist.live_trade_signal where id = new.signal_id;
  perform pg_notify('live_trade', json_build_object('type', 'sample', 'signal_id', new.signal_id, 'sample_id', new.id,
    'pnl_est', new.pnl_est)::text);
  v_reason := watchlist.trade_exit_reason(s, new.pnl_est, new.ts);
  if v_reason is not null then perform watchlist.begin_close(s.id, v_reason); end if;
  return null;
end $$;

-- The exit decision by the clock, each minute before sampling: a trade whose books
-- cannot be read is still closed when it has been held too long (or the kill switch says so).
-- Returns the trades it started closing.
create or replace function watchlist.close_overdue_trades(p_at timestamptz default now()) returns bigint[]
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  v_reason text;
  v_closed bigint[] := '{}';
begin
  for s in select * from watchlist.live_trade_signal where status = 'open' order by id loop
    v_reason := watchlist.trade_exit_reason(s, null, p_at);
    if v_reason is not null then
      perform watchlist.begin_close(s.id, v_reason);
      v_closed := v_closed || s.id;
    end if;
  end loop;
  return v_closed;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_spread_sample', '_500_decide', $ddl$
create trigger _500_decide after insert on watchlist.live_trade_spread_sample
  for each row execute function watchlist.spread_sample_decide()
$ddl$);

-- close_trade: what each leg still holds and which close orders are unresolved.
create or replace function watchlist.trade_close_context(p_signal_id bigint) returns jsonb
language sql stable as $$
  select jsonb_build_object('status', s.status, 'signal_id', s.id, 'symbol', s.symbol,
    'unresolved', (select count(*) from watchlist.trade_unresolved_orders(s.id)),
    'attempt', coalesce((select max(o.attempt) from watchlist.live_trade_order o where o.signal_id = s.id and o.purpose = 'close'), 0) + 1,
    'legs', jsonb_build_array(
      jsonb_build_object('leg', 'short', 'exchange', s.leg_short_exchange, 'side', 'buy',
        'remaining', (-watchlist.trade_leg_net(s.id, 'short'))::text),
      jsonb_build_object('leg', 'long', 'exchange', s.leg_long_exchange, 'side', 'sell',
        'remaining', watchlist.trade_leg_net(s.id, 'long')::text)))
  from watchlist.live_trade_signal s where s.id = p_signal_id
$$;

-- Finish a close. Realised PnL = Σ fills (sells +, buys −) over all the trade's
-- orders − fees in USDT (fee_usdt; a fee not yet converted is listed in
-- fees_unconverted, never added as if it were USDT) + funding (the account's own funding
-- payments per leg where the venue gave them, else the public-rate estimate, labelled in
-- funding_sources), counting only settlements after the open and up to the last close fill.
-- As a fraction of the long leg's entry notional. A leg found flat on the venue (closed
-- behind our back) is listed in p_flat_legs and its PnL is unknown: realised PnL is then
-- left null and an error row says why.
create or replace function watchlist.trade_close_finish(p_signal_id bigint, p_funding jsonb default '{}', p_flat_legs text[] default '{}')
returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  m record;
  fu record;
  v_closed_at timestamptz;
  v_realized numeric;
  v_exit_fills jsonb;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id for update;
  if s.status <> 'closing' then return jsonb_build_object('action', 'noop', 'status', s.status); end if;
  if exists (select 1 from watchlist.trade_unresolved_orders(p_signal_id)) then
    return jsonb_build_object('action', 'unresolved');
  end if;
  if (watchlist.trade_leg_net(p_signal_id, 'short') <> 0 and not 'short' = any(p_flat_legs))
     or (watchlist.trade_leg_net(p_signal_id, 'long') <> 0 and not 'long' = any(p_flat_legs)) then
    return jsonb_build_object('action', 'remaining');
  end if;
  select * into m from watchlist.trade_fill_money(p_signal_id);
  select max(f.ts) into v_closed_at
  from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
  where o.signal_id = p_signal_id and o.purpose = 'close';
  select * into fu from watchlist.trade_funding(p_funding, s.opened_at, coalesce(v_closed_at, now()), m.notional_short, m.notional_long);
  v_realized := case when cardinality(p_flat_legs) = 0 then m.cash - m.fees_usdt + fu.funding_usdt end;
  select coalesce(jsonb_agg(jsonb_build_object('leg', o.leg, 'exchange', o.exchange, 'side', o.side, 'client_order_id', o.client_order_id,
           'price', f.price, 'qty', f.qty, 'fee', f.fee, 'fee_currency', f.fee_currency, 'fee_usdt', f.fee_usdt, 'ts', f.ts) order by f.id), '[]')
    || coalesce((select jsonb_agg(jsonb_build_object('leg', l, 'already_flat', true)) from unnest(p_flat_legs) l), '[]')
  into v_exit_fills
  from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
  where o.signal_id = p_signal_id and o.purpose = 'close';
  if cardinality(p_flat_legs) > 0 then
    perform watchlist.trade_error(p_signal_id, 'close', null, 'leg_already_flat',
      format('leg(s) %s already flat on the venue at close: realised PnL unknown', array_to_string(p_flat_legs, ',')), null);
  end if;
  update watchlist.live_trade_exit set closed_at = now(), exit_fills = coalesce(v_exit_fills, '[]'),
    spread_pnl = case when m.exit_short > 0 and m.exit_long > 0 then s.entry_spread - ln(m.exit_short / m.exit_long) end,
    fees_usdt = m.fees_usdt, fees_unconverted = m.fees_unconverted,
    funding_usdt = fu.funding_usdt, funding_sources = fu.sources, realized_pnl_usdt = v_realized,
    realized_pnl_frac = (v_realized / nullif(m.notional_long, 0))::float8
  where signal_id = p_signal_id;
  perform watchlist.signal_transition(p_signal_id, 'closed', null);
  perform pg_notify('live_trade', json_build_object('type', 'exit', 'signal_id', p_signal_id, 'status', 'closed',
    'realized_pnl_usdt', v_realized)::text);
  return jsonb_build_object('action', 'closed', 'realized_pnl_usdt', v_realized, 'fees_unconverted', m.fees_unconverted,
    'funding_sources', fu.sources);
end $$;

comment on function watchlist.trade_exit_reason(watchlist.live_trade_signal, double precision, timestamptz) is 'The exit rule, once: kill_switch, take_profit (needs a pnl estimate) or max_hold for an open trade at a time; null to keep it.';
