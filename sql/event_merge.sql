-- Event merging (plan "事件归并规则"), set-based so a 1000-row INSERT costs one
-- statement, and merges exactly as the same rows inserted one by one in (ts, id)
-- order would.
-- Owns: watchlist.watch_signal_event (status, start/end, features_agg),
--       watchlist.event_merge_state.
--
-- Rule, per key (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange),
-- over triggered rows only, by minute:
--   * a run is a sequence of consecutive minutes (gap = 1 minute; repeats of a
--     minute count once);
--   * an event opens on the N-th minute of a run (start_ts = that row's ts, the
--     decision time; first_trigger_ts keeps where the run began);
--   * once open it extends while triggers arrive with gaps <= M minutes (a
--     "chain"), whatever the run length; a gap > M ends the chain and closes it;
--   * close_stale_events(at) closes open events quiet for more than M minutes.
-- Rows older than the key's last processed trigger (late data) are stored but
-- do not change events.
--
-- Trigger order (sql/defer_ddl.sql): on watch_signal_raw the raw guard's BEFORE triggers
-- (_100_guard_params, _110_guard: sql/raw_guard.sql) drop bad rows first, so the AFTER
-- statement trigger _500_merge_events sees only stored rows in its transition table. On
-- watch_signal_event, _200_finalize_on_insert/_update (BEFORE, row) finish a closing
-- event's features_agg before the gate's _500_gate_on_* (AFTER, statement) read it.

-- The core scalars an event summarises, in the slot order of its feat_* arrays.
create or replace function watchlist.event_feature_names() returns text[]
language sql immutable parallel safe as $$
  select array['spread_rel', 'funding_rate', 'best_buy_high_sell_low', 'best_sell_high_buy_low',
               'range_1h', 'range_12h', 'volatility', 'slope_3m', 'crossings_1h', 'drift_ratio']
$$;

-- Slot-wise folds of two 10-slot summaries (written out so the planner inlines them).
create or replace function watchlist.slots_coalesce(a float8[], b float8[]) returns float8[]
language sql immutable parallel safe as $$
  select array[coalesce(a[1], b[1]), coalesce(a[2], b[2]), coalesce(a[3], b[3]), coalesce(a[4], b[4]), coalesce(a[5], b[5]),
               coalesce(a[6], b[6]), coalesce(a[7], b[7]), coalesce(a[8], b[8]), coalesce(a[9], b[9]), coalesce(a[10], b[10])]
$$;
create or replace function watchlist.slots_least(a float8[], b float8[]) returns float8[]
language sql immutable parallel safe as $$
  select array[least(a[1], b[1]), least(a[2], b[2]), least(a[3], b[3]), least(a[4], b[4]), least(a[5], b[5]),
               least(a[6], b[6]), least(a[7], b[7]), least(a[8], b[8]), least(a[9], b[9]), least(a[10], b[10])]
$$;
create or replace function watchlist.slots_greatest(a float8[], b float8[]) returns float8[]
language sql immutable parallel safe as $$
  select array[greatest(a[1], b[1]), greatest(a[2], b[2]), greatest(a[3], b[3]), greatest(a[4], b[4]), greatest(a[5], b[5]),
               greatest(a[6], b[6]), greatest(a[7], b[7]), greatest(a[8], b[8]), greatest(a[9], b[9]), greatest(a[10], b[10])]
$$;
-- sums: null + x = x (a slot seen for the first time)
create or replace function watchlist.slots_sum(a float8[], b float8[]) returns float8[]
language sql immutable parallel safe as $$
  select array[coalesce(a[1] + b[1], a[1], b[1]), coalesce(a[2] + b[2], a[2], b[2]), coalesce(a[3] + b[3], a[3], b[3]),
               coalesce(a[4] + b[4], a[4], b[4]), coalesce(a[5] + b[5], a[5], b[5]), coalesce(a[6] + b[6], a[6], b[6]),
               coalesce(a[7] + b[7], a[7], b[7]), coalesce(a[8] + b[8], a[8], b[8]), coalesce(a[9] + b[9], a[9], b[9]),
               coalesce(a[10] + b[10], a[10], b[10])]
$$;
create or replace function watchlist.slots_count(a int[], b int[]) returns int[]
language sql immutable parallel safe as $$
  select array[coalesce(a[1], 0) + coalesce(b[1], 0), coalesce(a[2], 0) + coalesce(b[2], 0), coalesce(a[3], 0) + coalesce(b[3], 0),
               coalesce(a[4], 0) + coalesce(b[4], 0), coalesce(a[5], 0) + coalesce(b[5], 0), coalesce(a[6], 0) + coalesce(b[6], 0),
               coalesce(a[7], 0) + coalesce(b[7], 0), coalesce(a[8], 0) + coalesce(b[8], 0), coalesce(a[9], 0) + coalesce(b[9], 0),
               coalesce(a[10], 0) + coalesce(b[10], 0)]
$$;

-- {name: {first, last, min, max, mean, n}} from an event's running arrays.
create or replace function watchlist.event_feature_stats(e watchlist.watch_signal_event) returns jsonb
language sql stable parallel safe as $$
  select coalesce(jsonb_object_agg(name, jsonb_build_object(
           'first', e.feat_first[i], 'last', e.feat_last[i], 'min', e.feat_min[i], 'max', e.feat_max[i],
           'mean', e.feat_sum[i] / e.feat_n[i], 'n', e.feat_n[i])), '{}'::jsonb)
  from unnest(watchlist.event_feature_names()) with ordinality as u(name, i)
  where coalesce(e.feat_n[i], 0) > 0
$$;

-- features_agg as of now: stored meta snapshots plus the current scalar summaries
-- (a computed column for GraphQL; psql: select watchlist.event_features(e) from watchlist.watch_signal_event e).
create or replace function watchlist.event_features(e watchlist.watch_signal_event) returns jsonb
language sql stable parallel safe as $$
  select coalesce(e.features_agg, '{}'::jsonb) || watchlist.event_feature_stats(e)
$$;

-- The part of a raw row's meta an event keeps as first/last snapshot.
create or replace function watchlist.event_meta_slice(m jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case when m is not null then jsonb_strip_nulls(jsonb_build_object(
    'pnl_regression', m->'pnl_regression',
    'trigger_details', m->'trigger_details',
    'factors', m->'factors',
    'factors_missing', m->'factors_missing',
    'pairs_top', m->'pairs_top',
    'funding_diff_top', m->'funding_diff_top')) end
$$;

-- Transition tables have no statistics (the planner guesses a handful of rows),
-- so nested loops over them go quadratic on a 1000-row batch: hash joins only.
create or replace function watchlist.merge_raw_events() returns trigger
language plpgsql set enable_nestloop = off set plan_cache_mode = force_generic_plan as $$
declare
  v_n int := greatest(1, watchlist.cfg_num('event.n_consecutive')::int);
  v_m interval := make_interval(secs => 60 * greatest(1, watchlist.cfg_num('event.gap_minutes')));
begin
  -- attach mode: the writer merges its own rows into events (sql/attach.sql)
  if watchlist.attach_mode() then return null; end if;
  -- make sure every key has a state row we can lock
  insert into watchlist.event_merge_state (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange)
  select distinct r.exchange, r.symbol, r.signal_type, coalesce(r.leg_a_exchange, ''), coalesce(r.leg_b_exchange, '')
  from new_rows r where r.triggered
  order by 1, 2, 3, 4, 5
  on conflict do nothing;

  with trig as (
    select r.id, r.ts, date_trunc('minute', r.ts) as minute, r.exchange, r.symbol, r.signal_type,
           coalesce(r.leg_a_exchange, '') as la, coalesce(r.leg_b_exchange, '') as lb
    from new_rows r where r.triggered
  ),
  -- hash joins only (see above), so every access to a stored table is bounded by an
  -- array the index can use: the merge's cost follows the batch, not the table size
  st as (
    select s.* from watchlist.event_merge_state s
    where s.exchange = any (array(select distinct exchange from trig))
      and s.symbol = any (array(select distinct symbol from trig))
      and (s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange)
          in (select exchange, symbol, signal_type, la, lb from trig)
    order by s.key_id
    for update
  ),
  -- one sequence per key: the stored state as a leading pseudo-row, then the new rows
  seq as (
    select st.key_id, true as is_state, null::bigint as id, st.last_trigger_ts as ts,
           date_trunc('minute', st.last_trigger_ts) as minute,
           st.run_len, st.run_start_ts, st.open_event_id, true as has_state
    from st where st.last_trigger_ts is not null
    union all
    select st.key_id, false, t.id, t.ts, t.minute,
           st.run_len, st.run_start_ts, st.open_event_id, st.last_trigger_ts is not null
    from trig t
    join st on (st.exchange, st.symbol, st.signal_type, st.leg_a_exchange, st.leg_b_exchange)
             = (t.exchange, t.symbol, t.signal_type, t.la, t.lb)
    where t.minute >= coalesce(date_trunc('minute', st.last_trigger_ts), '-infinity')
  ),
  g1 as (
    select seq.*, minute - lag(minute) over w as gap, row_number() over w as ord
    from seq
    window w as (partition by key_id order by minute, is_state desc, ts, id)
  ),
  g2 as (
    select g1.*,
      sum((gap is null or gap > v_m)::int) over w as chain_no,            -- gap > M ends a chain
      sum((gap is null or gap > interval '1 minute')::int) over w as run_no -- gap > 1 min ends a run
    from g1
    window w as (partition by key_id order by ord rows unbounded preceding)
  ),
  g3 as (
    select g2.*,
      dense_rank() over (partition by key_id, run_no order by minute)
        + case when run_no = 1 and has_state then run_len - 1 else 0 end as pos,
      case when run_no = 1 and has_state then run_start_ts
           else min(ts) over (partition by key_id, run_no) end as run_first_ts,
      max(chain_no) over (partition by key_id) as last_chain,
      max(ord) over (partition by key_id) as last_ord
    from g2
  ),
  chains as (
    select key_id, chain_no,
      bool_or(chain_no = 1 and has_state and open_event_id is not null) as continues_open,
      min(open_event_id) as open_event_id,
      min(ord) filter (where pos >= v_n and not is_state) as start_ord,
      max(ts) as chain_last_ts,
      bool_or(chain_no = last_chain) as is_last
    from g3
    group by key_id, chain_no
  ),
  event_chains as (
    select c.*, case when c.continues_open then c.open_event_id end as event_id
    from chains c
    where c.continues_open or c.start_ord is not null
  ),
  -- narrow rows: the scalars the summaries need; whole rows only for each chain's first and last
  member_rows as (
    select g.key_id, g.chain_no, g.ord, g.id, g.run_first_ts,
      r.spread_rel, r.funding_rate, r.best_buy_high_sell_low, r.best_sell_high_buy_low, r.range_1h,
      r.range_12h, r.volatility, r.slope_3m, r.crossings_1h::float8 as crossings_1h, r.drift_ratio
    from g3 g
    join event_chains ec using (key_id, chain_no)
    join new_rows r on r.id = g.id
    where not g.is_state and (ec.continues_open or g.ord >= ec.start_ord)
  ),
  chain_stats as (
    select key_id, chain_no, count(*)::int as n, min(ord) as first_ord, max(ord) as last_ord,
      array[min(spread_rel), min(funding_rate), min(best_buy_high_sell_low), min(best_sell_high_buy_low), min(range_1h),
            min(range_12h), min(volatility), min(slope_3m), min(crossings_1h), min(drift_ratio)] as mn,
      array[max(spread_rel), max(funding_rate), max(best_buy_high_sell_low), max(best_sell_high_buy_low), max(range_1h),
            max(range_12h), max(volatility), max(slope_3m), max(crossings_1h), max(drift_ratio)] as mx,
      array[sum(spread_rel), sum(funding_rate), sum(best_buy_high_sell_low), sum(best_sell_high_buy_low), sum(range_1h),
            sum(range_12h), sum(volatility), sum(slope_3m), sum(crossings_1h), sum(drift_ratio)] as sm,
      array[count(spread_rel), count(funding_rate), count(best_buy_high_sell_low), count(best_sell_high_buy_low), count(range_1h),
            count(range_12h), count(volatility), count(slope_3m), count(crossings_1h), count(drift_ratio)]::int[] as cn
    from member_rows group by key_id, chain_no
  ),
  firsts as (
    select c.key_id, c.chain_no, m.run_first_ts as m_run_first_ts, r.*
    from chain_stats c
    join member_rows m on (m.key_id, m.ord) = (c.key_id, c.first_ord)
    join new_rows r on r.id = m.id
  ),
  lasts as (
    select c.key_id, c.chain_no, r.*
    from chain_stats c
    join member_rows m on (m.key_id, m.ord) = (c.key_id, c.last_ord)
    join new_rows r on r.id = m.id
  ),
  agg as (
    select ec.key_id, ec.chain_no, ec.event_id, ec.is_last,
      coalesce(l.ts, ec.chain_last_ts) as last_ts,
      coalesce(c.n, 0) as n,
      array[f.spread_rel, f.funding_rate, f.best_buy_high_sell_low, f.best_sell_high_buy_low, f.range_1h,
            f.range_12h, f.volatility, f.slope_3m, f.crossings_1h::float8, f.drift_ratio] as b_first,
      array[l.spread_rel, l.funding_rate, l.best_buy_high_sell_low, l.best_sell_high_buy_low, l.range_1h,
            l.range_12h, l.volatility, l.slope_3m, l.crossings_1h::float8, l.drift_ratio] as b_last,
      c.mn, c.mx, c.sm, c.cn,
      jsonb_strip_nulls(jsonb_build_object(
        'meta_first', watchlist.event_meta_slice(f.meta),
        'meta_last', watchlist.event_meta_slice(l.meta))) as metas,
      f as first_row,
      f.m_run_first_ts as first_trigger_ts,
      st.exchange, st.symbol, st.signal_type
    from event_chains ec
    join st using (key_id)
    left join chain_stats c using (key_id, chain_no)
    left join firsts f using (key_id, chain_no)
    left join lasts l using (key_id, chain_no)
  ),
  upd as (
    -- extended events fold the batch into their running arrays, slot by slot
    update watchlist.watch_signal_event e set
      feat_first = case when a.n > 0 then watchlist.slots_coalesce(e.feat_first, a.b_first) else e.feat_first end,
      feat_last = case when a.n > 0 then watchlist.slots_coalesce(a.b_last, e.feat_last) else e.feat_last end,
      feat_min = case when a.n > 0 then watchlist.slots_least(e.feat_min, a.mn) else e.feat_min end,
      feat_max = case when a.n > 0 then watchlist.slots_greatest(e.feat_max, a.mx) else e.feat_max end,
      feat_sum = case when a.n > 0 then watchlist.slots_sum(e.feat_sum, a.sm) else e.feat_sum end,
      feat_n = case when a.n > 0 then watchlist.slots_count(e.feat_n, a.cn) else e.feat_n end,
      features_agg = coalesce(e.features_agg, '{}'::jsonb)
        || jsonb_strip_nulls(jsonb_build_object('meta_first', coalesce(e.features_agg->'meta_first', a.metas->'meta_first'),
                                                'meta_last', a.metas->'meta_last')),
      end_ts = greatest(e.end_ts, a.last_ts),
      last_trigger_ts = greatest(e.last_trigger_ts, a.last_ts),
      duration_sec = extract(epoch from greatest(e.end_ts, a.last_ts) - e.start_ts)::int,
      n_triggers = coalesce(e.n_triggers, 0) + a.n,
      status = case when a.is_last then 'open' else 'closed' end,
      updated_at = now()
    from agg a
    where a.event_id = e.id
      and e.id = any (array(select event_id from event_chains where event_id is not null))
    returning e.id, e.exchange, e.symbol, e.signal_type, e.status, e.start_ts, e.end_ts
  ),
  ins as (
    insert into watchlist.watch_signal_event (
      exchange, symbol, signal_type, start_ts, end_ts, duration_sec, features_agg, status,
      feat_first, feat_last, feat_min, feat_max, feat_sum, feat_n,
      funding_interval_hours, next_funding_time,
      leg_a_exchange, leg_a_symbol, leg_a_kind, leg_a_price, leg_a_funding_rate, leg_a_funding_interval_hours, leg_a_next_funding_time,
      leg_b_exchange, leg_b_symbol, leg_b_kind, leg_b_price, leg_b_funding_rate, leg_b_funding_interval_hours, leg_b_next_funding_time,
      first_trigger_ts, last_trigger_ts, n_triggers, reason, updated_at)
    select a.exchange, a.symbol, a.signal_type, (a.first_row).ts, a.last_ts,
      extract(epoch from a.last_ts - (a.first_row).ts)::int, a.metas,
      case when a.is_last then 'open' else 'closed' end,
      a.b_first, a.b_last, a.mn, a.mx, a.sm, a.cn,
      (a.first_row).funding_interval_hours, (a.first_row).next_funding_time,
      (a.first_row).leg_a_exchange, (a.first_row).leg_a_symbol, (a.first_row).leg_a_kind, (a.first_row).leg_a_price,
      (a.first_row).leg_a_funding_rate, (a.first_row).leg_a_funding_interval_hours, (a.first_row).leg_a_next_funding_time,
      (a.first_row).leg_b_exchange, (a.first_row).leg_b_symbol, (a.first_row).leg_b_kind, (a.first_row).leg_b_price,
      (a.first_row).leg_b_funding_rate, (a.first_row).leg_b_funding_interval_hours, (a.first_row).leg_b_next_funding_time,
      a.first_trigger_ts, a.last_ts, a.n, format('%s consecutive triggered minutes', v_n), now()
    from agg a
    where a.event_id is null
    order by a.key_id, a.chain_no
    returning id, exchange, symbol, signal_type, status, start_ts, end_ts,
      coalesce(leg_a_exchange, '') as la, coalesce(leg_b_exchange, '') as lb
  ),
  last_rows as (
    select g.* from g3 g where g.ord = g.last_ord
  ),
  st_upd as (
    update watchlist.event_merge_state s set
      last_trigger_ts = lr.ts,
      run_len = lr.pos,
      run_start_ts = lr.run_first_ts,
      open_event_id = case when ec.continues_open then ec.open_event_id else i.id end
    from last_rows lr
    left join event_chains ec on (ec.key_id, ec.chain_no) = (lr.key_id, lr.last_chain)
    left join st on st.key_id = lr.key_id
    left join ins i on (i.exchange, i.symbol, i.signal_type, i.la, i.lb)
                     = (st.exchange, st.symbol, st.signal_type, st.leg_a_exchange, st.leg_b_exchange)
                   and i.status = 'open'
    where s.key_id = lr.key_id
    returning 1
  ),
  notes as (
    select json_build_object('type', 'event_open', 'event_id', id, 'exchange', exchange, 'symbol', symbol,
             'signal_type', signal_type, 'start_ts', start_ts)::text as payload, id, 1 as k from ins
    union all
    select json_build_object('type', 'event_close', 'event_id', id, 'exchange', exchange, 'symbol', symbol,
             'signal_type', signal_type, 'start_ts', start_ts, 'end_ts', end_ts)::text, id, 2 from ins where status = 'closed'
    union all
    select json_build_object('type', 'event_close', 'event_id', id, 'exchange', exchange, 'symbol', symbol,
             'signal_type', signal_type, 'start_ts', start_ts, 'end_ts', end_ts)::text, id, 2 from upd where status = 'closed'
  )
  select count(*) from (select pg_notify('watchlist_signal', payload) from notes order by id, k) sent
  into v_n;  -- v_n reused: only the notifies matter
  return null;
end $$;

select watchlist.ensure_trigger('watchlist.watch_signal_raw', '_500_merge_events', $ddl$
create trigger _500_merge_events
  after insert on watchlist.watch_signal_raw
  referencing new table as new_rows
  for each statement execute function watchlist.merge_raw_events()
$ddl$);

-- Close open events quiet for more than M minutes. Returns how many it closed.
create or replace function watchlist.close_stale_events(p_at timestamptz default now()) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_m interval := make_interval(secs => 60 * greatest(1, watchlist.cfg_num('event.gap_minutes')));
  v_count int;
begin
  -- attach mode: the writer closes its own events
  if watchlist.attach_mode() then return 0; end if;
  with closed as (
    update watchlist.watch_signal_event e set
      status = 'closed',
      end_ts = coalesce(e.last_trigger_ts, e.end_ts, e.start_ts),
      duration_sec = extract(epoch from coalesce(e.last_trigger_ts, e.end_ts, e.start_ts) - e.start_ts)::int,
      updated_at = now()
    where e.status = 'open' and coalesce(e.last_trigger_ts, e.end_ts, e.start_ts) < p_at - v_m
    returning e.*
  ),
  st as (
    update watchlist.event_merge_state s set open_event_id = null, run_len = 0
    from closed c where s.open_event_id = c.id
    returning 1
  )
  select count(*)::int from (
    select pg_notify('watchlist_signal', json_build_object(
      'type', 'event_close', 'event_id', id, 'exchange', exchange, 'symbol', symbol,
      'signal_type', signal_type, 'start_ts', start_ts, 'end_ts', end_ts)::text)
    from closed order by id) sent
  into v_count;
  return v_count;
end $$;

-- On close, features_agg takes its final jsonb form (scalar summaries + meta
-- snapshots), so closed events read the same as the plan's existing writer left them.
create or replace function watchlist.event_finalize_features() returns trigger
language plpgsql as $$
begin
  new.features_agg := watchlist.event_features(new);
  return new;
end $$;

select watchlist.ensure_trigger('watchlist.watch_signal_event', '_200_finalize_on_insert', $ddl$
create trigger _200_finalize_on_insert before insert on watchlist.watch_signal_event
  for each row when (new.status = 'closed' and new.feat_n is not null)
  execute function watchlist.event_finalize_features()
$ddl$);
select watchlist.ensure_trigger('watchlist.watch_signal_event', '_200_finalize_on_update', $ddl$
create trigger _200_finalize_on_update before update on watchlist.watch_signal_event
  for each row when (new.status = 'closed' and old.status is distinct from 'closed' and new.feat_n is not null)
  execute function watchlist.event_finalize_features()
$ddl$);
