-- The gate: watch_signal_event open/update → live_trade_signal (admitted or
-- ignored with a machine-readable reason) → open_trade job, in the same
-- transaction as the event. Also the one path for signal status transitions.
-- Owns: watchlist.live_trade_signal (inserts, status transitions, NOTIFY live_trade),
--       triggers on watch_signal_event (gate) and live_trade_signal (transition guard).
--
-- Trigger order (names are the order: sql/defer_ddl.sql). On watch_signal_event the
-- BEFORE row triggers _200_finalize_on_* (sql/event_merge.sql) give a closing event its
-- final features_agg; the AFTER statement triggers _500_gate_on_insert/_update then read
-- the events as stored. On live_trade_signal: _100_guard refuses an illegal transition
-- before anything else sees it; _500_rollback_exit (sql/money.sql) writes the exit row of
-- a partial_failed trade; _900_notify announces the status last, after that row exists.
--
-- Ignore reasons: signal_type, stale_event, legs_unknown, duplicate_opportunity, missing_factors, missing_prediction,
-- invalid_prices, unsupported_venue, venue_not_running, venue_preflight_failed, below_threshold, kill_switch,
-- venue_unhealthy, venue_foreign_activity, duplicate_event,
-- not_best_pair, symbol_active, cooldown, max_active, daily_cap, gate_error;
-- set later by the jobs: recheck_failed, stale_signal, venue_preflight_failed.

-------------------------------------------------------------------------------
-- Status machine. A signal that never sent an order and was dropped is
-- `ignored` (with reason, e.g. recheck_failed); `failed` and `partial_failed`
-- mean orders were attempted.
create or replace function watchlist.signal_transition_allowed(p_from text, p_to text) returns boolean
language sql immutable parallel safe as $$
  select p_from = p_to or (p_from, p_to) in (
    ('new', 'opening'), ('new', 'ignored'), ('new', 'failed'),
    ('opening', 'open'), ('opening', 'failed'), ('opening', 'partial_failed'),
    ('open', 'closing'),
    ('closing', 'closed'))
$$;

create or replace function watchlist.live_trade_signal_guard() returns trigger
language plpgsql as $$
begin
  if new.status is distinct from old.status and not watchlist.signal_transition_allowed(old.status, new.status) then
    raise exception 'live_trade_signal %: illegal transition % -> %', old.id, old.status, new.status
      using errcode = 'check_violation';
  end if;
  new.updated_at := now();
  return new;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_signal', '_100_guard', $ddl$
create trigger _100_guard before update on watchlist.live_trade_signal
  for each row execute function watchlist.live_trade_signal_guard()
$ddl$);

create or replace function watchlist.live_trade_signal_notify() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    perform pg_notify('live_trade', json_build_object('type', 'signal_status', 'signal_id', new.id,
      'status', new.status, 'reason', new.reason, 'symbol', new.symbol, 'kind', new.kind)::text);
  end if;
  return null;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_signal', '_900_notify', $ddl$
create trigger _900_notify after insert or update on watchlist.live_trade_signal
  for each row execute function watchlist.live_trade_signal_notify()
$ddl$);

-- The one function the jobs move a signal with. p_patch sets extra columns.
create or replace function watchlist.signal_transition(p_id bigint, p_to text, p_reason text default null, p_patch jsonb default '{}')
returns watchlist.live_trade_signal
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v watchlist.live_trade_signal;
begin
  update watchlist.live_trade_signal s set
    status = p_to,
    reason = coalesce(p_reason, s.reason),
    recheck = coalesce(p_patch->'recheck', s.recheck),
    entry_spread = coalesce((p_patch->>'entry_spread')::float8, s.entry_spread),
    entry_fees_usdt = coalesce((p_patch->>'entry_fees_usdt')::numeric, s.entry_fees_usdt),
    entry_qty = coalesce((p_patch->>'entry_qty')::numeric, s.entry_qty),
    opened_at = case when p_to = 'open' and s.status <> 'open' then now() else s.opened_at end,
    closed_at = case when watchlist.trade_is_finished(p_to) and s.status <> p_to then now() else s.closed_at end
  where s.id = p_id
  returning * into v;
  if not found then
    raise exception 'live_trade_signal % not found', p_id using errcode = 'no_data_found';
  end if;
  return v;
end $$;

-------------------------------------------------------------------------------
-- Per-candidate checks that need no other row: is this event tradeable at all?
create or replace function watchlist.gate_assess(e watchlist.watch_signal_event,
  out reason text, out pnl_hat double precision, out win_prob double precision,
  out short_ex text, out long_ex text, out snapshot jsonb)
language plpgsql stable as $$
declare
  v_h text := watchlist.cfg_num('trade.horizon_min')::int::text;
  -- the writer's shapes with their fallbacks (sql/attach.sql)
  m jsonb := watchlist.event_trade_meta(e);
  pr jsonb := m->watchlist.prediction_key()->v_h;
  hi jsonb := m #> '{trigger_details,prices,high}';
  lo jsonb := m #> '{trigger_details,prices,low}';
  f jsonb := m->'factors';
  k text;
  v_venues jsonb := watchlist.cfg('trade.venues');
  -- a JSON number that is finite (JSON has no NaN; a "NaN" string is not a number)
  num constant text := 'number';
begin
  snapshot := jsonb_build_object('trigger_details', m->'trigger_details', watchlist.prediction_key(), m->watchlist.prediction_key(),
    'factors', f, 'event_status', e.status, 'event_last_trigger_ts', e.last_trigger_ts, 'fallback', m->'fallback');
  short_ex := hi->>'exchange';
  long_ex := lo->>'exchange';
  if jsonb_typeof(pr->'pnl_hat') = num then pnl_hat := (pr->>'pnl_hat')::float8; end if;
  if jsonb_typeof(pr->'win_prob') = num then win_prob := (pr->>'win_prob')::float8; end if;

  if not (watchlist.cfg('trade.signal_types') ? e.signal_type::text) then
    reason := 'signal_type'; return;
  end if;
  -- a backfill or a lagging writer replays old minutes: history is not an opportunity
  if coalesce(e.last_trigger_ts, e.end_ts, e.start_ts) < now() - make_interval(secs => watchlist.cfg_num('trade.max_event_age_s')) then
    reason := 'stale_event'; return;
  end if;
  if m->'fallback' ? 'legs_unknown' then
    reason := 'legs_unknown'; return;
  end if;
  -- the factors its type is declared with (sql/factors.sql)
  foreach k in array watchlist.signal_factor_names(e.signal_type::text) loop
    if jsonb_typeof(f->k) is distinct from num then reason := 'missing_factors'; return; end if;
  end loop;
  if pnl_hat is null or win_prob is null or win_prob < 0 or win_prob > 1 then
    reason := 'missing_prediction'; return;
  end if;
  if coalesce(short_ex, '') = '' or coalesce(long_ex, '') = '' or short_ex = long_ex
     or jsonb_typeof(hi->'bid') is distinct from num or jsonb_typeof(hi->'ask') is distinct from num
     or jsonb_typeof(lo->'bid') is distinct from num or jsonb_typeof(lo->'ask') is distinct from num
     or (hi->>'bid')::numeric <= 0 or (hi->>'ask')::numeric <= 0
     or (lo->>'bid')::numeric <= 0 or (lo->>'ask')::numeric <= 0 then
    reason := 'invalid_prices'; return;
  end if;
  if not (v_venues ? short_ex and v_venues ? long_ex) then
    reason := 'unsupported_venue'; return;
  end if;
  -- trade.venues may name a venue the worker does not run (WL_VENUES): never admit it
  if not (watchlist.venue_running(short_ex) and watchlist.venue_running(long_ex)) then
    reason := 'venue_not_running'; return;
  end if;
  -- a venue that failed its preflight (sql/venue_preflight.sql) is not traded: another pair may be
  if not (watchlist.venue_tradeable(short_ex) and watchlist.venue_tradeable(long_ex)) then
    reason := 'venue_preflight_failed'; return;
  end if;
  if not (pnl_hat > watchlist.cfg_num('trade.pnl_hat_min') and win_prob > watchlist.cfg_num('trade.win_prob_min')) then
    reason := 'below_threshold'; return;
  end if;
end $$;

create or replace function watchlist.gate_thresholds() returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'horizon_min', watchlist.cfg_num('trade.horizon_min'),
    'pnl_hat_min', watchlist.cfg_num('trade.pnl_hat_min'),
    'win_prob_min', watchlist.cfg_num('trade.win_prob_min'),
    'notional_usdt', watchlist.cfg_num('trade.notional_usdt'),
    'leverage', watchlist.cfg_num('trade.leverage'),
    'cooldown_min', watchlist.cfg_num('trade.cooldown_min'),
    'max_active', watchlist.cfg_num('trade.max_active'),
    'daily_cap', watchlist.cfg_num('trade.daily_cap'),
    'kill_switch', watchlist.cfg_num('kill_switch'),
    'venues', watchlist.cfg('trade.venues'))
$$;

-- A pair traded on this symbol recently (any admitted signal, measured from its end).
create or replace function watchlist.gate_in_cooldown(p_symbol text, p_short text, p_long text) returns boolean
language sql stable as $$
  select exists (
    select 1 from watchlist.live_trade_signal s
    where s.symbol = p_symbol and s.leg_short_exchange = p_short and s.leg_long_exchange = p_long
      and s.status <> 'ignored' and s.kind = 'auto'
      and greatest(s.created_at, coalesce(s.closed_at, s.updated_at))
          > now() - make_interval(mins => watchlist.cfg_num('trade.cooldown_min')::int))
$$;

-- Record an ignored candidate; the same event ignored again for the same reason
-- bumps the existing row instead of adding one per minute.
create or replace function watchlist.gate_ignore(e watchlist.watch_signal_event, a record, p_reason text, p_thresholds jsonb)
returns void language plpgsql as $$
declare v_id bigint;
begin
  select s.id into v_id from watchlist.live_trade_signal s
  where s.event_id = e.id order by s.id desc limit 1;
  if v_id is not null then
    update watchlist.live_trade_signal s set eval_count = s.eval_count + 1, last_eval_at = now(),
      pnl_hat = a.pnl_hat, win_prob = a.win_prob, payload = a.snapshot, threshold = p_thresholds
    where s.id = v_id and s.status = 'ignored' and s.reason = p_reason;
    if found then return; end if;
  end if;
  insert into watchlist.live_trade_signal (event_id, symbol, signal_type, horizon_min, pnl_hat, win_prob, threshold,
    leg_long_exchange, leg_short_exchange, status, reason, payload, kind, cycle_ts)
  values (e.id, e.symbol, e.signal_type, (p_thresholds->>'horizon_min')::int, a.pnl_hat, a.win_prob, p_thresholds,
    a.long_ex, a.short_ex, 'ignored', p_reason, a.snapshot, 'auto',
    date_trunc('minute', coalesce(e.last_trigger_ts, e.start_ts)));
end $$;

-- Stateful checks and the admit, serialised by one advisory lock so max_active
-- and daily_cap hold under concurrency; the partial unique index is the
-- last word on one active trade per symbol.
create or replace function watchlist.gate_admit(e watchlist.watch_signal_event, a record, p_thresholds jsonb)
returns text language plpgsql as $$
declare v_id bigint;
begin
  perform pg_advisory_xact_lock(hashtext('wl:gate'));
  -- a forced entry (kind manual, sql/force_enter.sql) holds its symbol too
  if exists (select 1 from watchlist.live_trade_signal s where s.symbol = e.symbol
             and watchlist.trade_is_active(s.status)) then
    return 'symbol_active';
  end if;
  -- the same opportunity merged twice (a writer's dual-write), checked under the lock: sql/attach.sql
  if watchlist.gate_same_opportunity(e, a.short_ex, a.long_ex) then return 'duplicate_opportunity'; end if;
  if watchlist.gate_in_cooldown(e.symbol, a.short_ex, a.long_ex) then return 'cooldown'; end if;
  if (select count(*) from watchlist.live_trade_signal s where s.kind = 'auto'
      and watchlist.trade_is_active(s.status)) >= (p_thresholds->>'max_active')::numeric then
    return 'max_active';
  end if;
  if (select count(*) from watchlist.live_trade_signal s where s.kind = 'auto' and s.status <> 'ignored'
      and s.created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC') >= (p_thresholds->>'daily_cap')::numeric then
    return 'daily_cap';
  end if;
  begin
    insert into watchlist.live_trade_signal (event_id, symbol, signal_type, horizon_min, pnl_hat, win_prob, threshold,
      leg_long_exchange, leg_short_exchange, status, payload, kind, cycle_ts, notional_usdt, leverage)
    values (e.id, e.symbol, e.signal_type, (p_thresholds->>'horizon_min')::int, a.pnl_hat, a.win_prob, p_thresholds,
      a.long_ex, a.short_ex, 'new', a.snapshot, 'auto', date_trunc('minute', coalesce(e.last_trigger_ts, e.start_ts)),
      (p_thresholds->>'notional_usdt')::numeric, (p_thresholds->>'leverage')::int)
    returning id into v_id;
  exception when unique_violation then
    return 'symbol_active';
  end;
  perform watchlist.enqueue_trade_job('open_trade', v_id);
  return null;
end $$;

-- The checks on state beside the event, after its own merits passed (gate_assess):
-- the reason it is not traded now, or null. The admit's own checks follow (gate_admit).
create or replace function watchlist.gate_state_reason(e watchlist.watch_signal_event, a record, p_thresholds jsonb)
returns text language plpgsql stable as $$
declare v_cycle timestamptz := date_trunc('minute', coalesce(e.last_trigger_ts, e.start_ts));
begin
  if (p_thresholds->>'kill_switch')::numeric >= 1 then return 'kill_switch'; end if;
  if exists (select 1 from watchlist.venue_health h
      where h.venue in (a.short_ex, a.long_ex) and h.status <> 'ok' and coalesce(h.backoff_until, 'infinity') > now()) then
    return 'venue_unhealthy';
  end if;
  if watchlist.venue_trading_block(a.short_ex) is not null or watchlist.venue_trading_block(a.long_ex) is not null then
    return 'venue_foreign_activity';
  end if;
  if exists (select 1 from watchlist.live_trade_signal s where s.event_id = e.id and s.status <> 'ignored') then
    return 'duplicate_event';
  end if;
  -- several pairs of one symbol in the same cycle: only the best qualifying one is tried
  if exists (
      select 1 from watchlist.watch_signal_event p
      cross join lateral watchlist.gate_assess(p) pa
      where p.symbol = e.symbol and p.signal_type = e.signal_type and p.id <> e.id and watchlist.event_status_live(p.status)
        and date_trunc('minute', coalesce(p.last_trigger_ts, p.start_ts)) = v_cycle
        and pa.reason is null
        and (pa.pnl_hat, pa.win_prob, -p.id) > (a.pnl_hat, a.win_prob, -e.id)
        and (not watchlist.gate_in_cooldown(p.symbol, pa.short_ex, pa.long_ex)
             or exists (select 1 from watchlist.live_trade_signal ps where ps.event_id = p.id and ps.status <> 'ignored'))) then
    return 'not_best_pair';
  end if;
  return null;
end $$;

create or replace function watchlist.gate_events() returns trigger
language plpgsql security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  e watchlist.watch_signal_event;
  a record;
  v_reason text;
  v_thr jsonb := watchlist.gate_thresholds();
  v_h text := (v_thr->>'horizon_min')::int::text;
begin
  -- New events that fail on their own merits (most of them) are recorded in one
  -- statement; the loop below then sees only those that could trade. A failure
  -- here falls back to the loop, whose per-event guard keeps ingestion alive.
  if TG_OP = 'INSERT' then
    begin
      insert into watchlist.live_trade_signal (event_id, symbol, signal_type, horizon_min, pnl_hat, win_prob, threshold,
        leg_long_exchange, leg_short_exchange, status, reason, payload, kind, cycle_ts)
      select n.id, n.symbol, n.signal_type, (v_thr->>'horizon_min')::int, x.pnl_hat, x.win_prob, v_thr,
        x.long_ex, x.short_ex, 'ignored', x.reason, x.snapshot, 'auto', date_trunc('minute', coalesce(n.last_trigger_ts, n.start_ts))
      from new_events n
      cross join lateral watchlist.gate_assess(n::watchlist.watch_signal_event) x
      where watchlist.event_status_live(n.status) and x.reason is not null
      order by n.symbol, n.id;
    exception when others then
      -- the loop below assesses these events one by one; what failed here is kept
      insert into watchlist.live_trade_error (stage, error_class, message, payload)
      values ('gate', sqlstate, sqlerrm, jsonb_build_object('step', 'ignore_new_events',
        'event_ids', (select jsonb_agg(n.id order by n.id) from new_events n)));
    end;
  end if;
  -- an event is assessed when it opens; after that (every minute it extends) only
  -- while its latest prediction clears the thresholds, so a below-threshold event
  -- costs nothing per minute and one that improves is still caught
  for e in select n.* from new_events n
           where watchlist.event_status_live(n.status)
             and (TG_OP = 'INSERT' and not exists (select 1 from watchlist.live_trade_signal s where s.event_id = n.id)
              or TG_OP = 'UPDATE' and (
               jsonb_typeof(watchlist.event_prediction(n.features_agg, v_h)->'pnl_hat') = 'number'
               and jsonb_typeof(watchlist.event_prediction(n.features_agg, v_h)->'win_prob') = 'number'
               and (watchlist.event_prediction(n.features_agg, v_h)->>'pnl_hat')::float8 > (v_thr->>'pnl_hat_min')::float8
               and (watchlist.event_prediction(n.features_agg, v_h)->>'win_prob')::float8 > (v_thr->>'win_prob_min')::float8))
           order by n.symbol, n.id loop
    begin
      a := watchlist.gate_assess(e);
      v_reason := a.reason;
      if v_reason is null then v_reason := watchlist.gate_state_reason(e, a, v_thr); end if;
      if v_reason is null then v_reason := watchlist.gate_admit(e, a, v_thr); end if;
      if v_reason is not null then perform watchlist.gate_ignore(e, a, v_reason, v_thr); end if;
    exception when others then
      -- a gate bug must never break ingestion: record it and trade nothing
      insert into watchlist.live_trade_error (stage, error_class, message, payload)
      values ('gate', sqlstate, sqlerrm, jsonb_build_object('event_id', e.id, 'symbol', e.symbol));
      insert into watchlist.live_trade_signal (event_id, symbol, signal_type, status, reason, payload, kind)
      values (e.id, e.symbol, e.signal_type, 'ignored', 'gate_error', jsonb_build_object('error', sqlerrm), 'auto');
    end;
  end loop;
  return null;
end $$;

select watchlist.ensure_trigger('watchlist.watch_signal_event', '_500_gate_on_insert', $ddl$
create trigger _500_gate_on_insert after insert on watchlist.watch_signal_event
  referencing new table as new_events for each statement execute function watchlist.gate_events()
$ddl$);
select watchlist.ensure_trigger('watchlist.watch_signal_event', '_500_gate_on_update', $ddl$
create trigger _500_gate_on_update after update on watchlist.watch_signal_event
  referencing new table as new_events for each statement execute function watchlist.gate_events()
$ddl$);
