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
language plpgsql set enable_nestloop = off as $$
declare
  v_n int := greatest(1, coalesce(watchlist.cfg_num('event.n_consecutive'), 2)::int);
  v_m interval := make_interval(secs => 60 * greatest(1, coalesce(watchlist.cfg_num('event.gap_minutes'), 3)));
begin
  -- make sure every key has a state row we can lock
  insert into watchlist.event_merge_state (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange)
  select distinct r.exchange, r.symbol, r.signal_type, coalesce(r.leg_a_exchange, ''), coalesce(r.leg_b_exchange, '')
  from new_rows r where r.triggered
  order by 1, 2, 3, 4, 5
  on conflict do nothing;

  with trig as (
    select r.id, r.ts, date_trunc('minute', r.ts) as minute, r.exchange, r.symbol, r.signal_type,
           coalesce(r.leg_a_exchange, '') as la, coalesce(r.leg_b_exchange, '') as lb,
           r::watchlist.watch_signal_raw as raw
    from new_rows r where r.triggered
  ),
  st as (
    select s.* from watchlist.event_merge_state s
    where (s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange)
          in (select exchange, symbol, signal_type, la, lb from trig)
    order by s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange
    for update
  ),
  seq as (
    select st.exchange, st.symbol, st.signal_type, st.leg_a_exchange as la, st.leg_b_exchange as lb,
           true as is_state, null::bigint as id, st.last_trigger_ts as ts,
           date_trunc('minute', st.last_trigger_ts) as minute,
           st.run_len, st.run_start_ts, st.open_event_id, true as has_state,
           null::watchlist.watch_signal_raw as raw
    from st where st.last_trigger_ts is not null
    union all
    select t.exchange, t.symbol, t.signal_type, t.la, t.lb,
           false, t.id, t.ts, t.minute,
           st.run_len, st.run_start_ts, st.open_event_id, st.last_trigger_ts is not null, t.raw
    from trig t
    join st on (st.exchange, st.symbol, st.signal_type, st.leg_a_exchange, st.leg_b_exchange)
             = (t.exchange, t.symbol, t.signal_type, t.la, t.lb)
    where t.minute >= coalesce(date_trunc('minute', st.last_trigger_ts), '-infinity')
  ),
  g1 as (
    select seq.*, minute - lag(minute) over w as gap,
           row_number() over w as ord
    from seq
    window w as (partition by exchange, symbol, signal_type, la, lb order by minute, is_state desc, ts, id)
  ),
  g2 as (
    select g1.*,
      sum((gap is null or gap > v_m)::int) over w as chain_no,
      sum((gap is null or gap > interval '1 minute')::int) over w as run_no
    from g1
    window w as (partition by exchange, symbol, signal_type, la, lb order by ord rows unbounded preceding)
  ),
  g3 as (
    select g2.*,
      dense_rank() over (partition by exchange, symbol, signal_type, la, lb, run_no order by minute)
        + case when run_no = 1 and has_state then run_len - 1 else 0 end as pos,
      case when run_no = 1 and has_state then run_start_ts
           else min(ts) over (partition by exchange, symbol, signal_type, la, lb, run_no) end as run_first_ts,
      max(chain_no) over (partition by exchange, symbol, signal_type, la, lb) as last_chain,
      max(ord) over (partition by exchange, symbol, signal_type, la, lb) as last_ord
    from g2
  ),
  chains as (
    select exchange, symbol, signal_type, la, lb, chain_no,
      bool_or(chain_no = 1 and has_state and open_event_id is not null) as continues_open,
      min(open_event_id) as open_event_id,
      min(ord) filter (where pos >= v_n and not is_state) as start_ord,
      max(ts) as chain_last_ts,
      bool_or(chain_no = last_chain) as is_last
    from g3
    group by exchange, symbol, signal_type, la, lb, chain_no
  ),
  event_chains as (
    select c.*, case when c.continues_open then c.open_event_id end as event_id
    from chains c
    where c.continues_open or c.start_ord is not null
  ),
  members as (
    select g.*, ec.event_id, ec.is_last, ec.start_ord
    from g3 g
    join event_chains ec using (exchange, symbol, signal_type, la, lb, chain_no)
    where not g.is_state and (ec.continues_open or g.ord >= ec.start_ord)
  ),
  member_rows as (
    select m.la, m.lb, m.chain_no, m.ord, m.run_first_ts as m_run_first_ts, (m.raw).*
    from members m
  ),
  new_stats as (
    select exchange, symbol, signal_type, la, lb, chain_no, name,
      (array_agg(v order by ord))[1] as first, (array_agg(v order by ord desc))[1] as last,
      min(v) as min, max(v) as max, sum(v) as sum, count(v)::int as n
    from member_rows mr
    cross join lateral (values
      ('spread_rel', mr.spread_rel), ('funding_rate', mr.funding_rate),
      ('best_buy_high_sell_low', mr.best_buy_high_sell_low), ('best_sell_high_buy_low', mr.best_sell_high_buy_low),
      ('range_1h', mr.range_1h), ('range_12h', mr.range_12h), ('volatility', mr.volatility),
      ('slope_3m', mr.slope_3m), ('crossings_1h', mr.crossings_1h), ('drift_ratio', mr.drift_ratio)
    ) u(name, v)
    where v is not null
    group by exchange, symbol, signal_type, la, lb, chain_no, name
  ),
  -- an open event being extended: its stored stats merge with the new rows'
  old_stats as (
    select ec.exchange, ec.symbol, ec.signal_type, ec.la, ec.lb, ec.chain_no, kv.key as name,
      (kv.value->>'first')::float8 as first, (kv.value->>'last')::float8 as last,
      (kv.value->>'min')::float8 as min, (kv.value->>'max')::float8 as max,
      (kv.value->>'sum')::float8 as sum, (kv.value->>'n')::int as n
    from event_chains ec
    join watchlist.watch_signal_event e on e.id = ec.event_id
    cross join lateral jsonb_each(e.features_agg) kv
    where kv.key not in ('meta_first', 'meta_last') and jsonb_typeof(kv.value) = 'object'
  ),
  stats as (
    select exchange, symbol, signal_type, la, lb, chain_no,
      jsonb_object_agg(name, jsonb_build_object(
        'first', coalesce(o.first, n.first), 'last', coalesce(n.last, o.last),
        'min', least(o.min, n.min), 'max', greatest(o.max, n.max),
        'sum', coalesce(o.sum, 0) + coalesce(n.sum, 0), 'n', coalesce(o.n, 0) + coalesce(n.n, 0),
        'mean', (coalesce(o.sum, 0) + coalesce(n.sum, 0)) / nullif(coalesce(o.n, 0) + coalesce(n.n, 0), 0))) as feats
    from new_stats n full join old_stats o using (exchange, symbol, signal_type, la, lb, chain_no, name)
    group by exchange, symbol, signal_type, la, lb, chain_no
  ),
  firsts as (
    select distinct on (exchange, symbol, signal_type, la, lb, chain_no) *
    from member_rows order by exchange, symbol, signal_type, la, lb, chain_no, ord
  ),
  lasts as (
    select distinct on (exchange, symbol, signal_type, la, lb, chain_no)
      exchange, symbol, signal_type, la, lb, chain_no, ts, meta
    from member_rows order by exchange, symbol, signal_type, la, lb, chain_no, ord desc
  ),
  counts as (
    select exchange, symbol, signal_type, la, lb, chain_no, count(*)::int as n
    from member_rows group by exchange, symbol, signal_type, la, lb, chain_no
  ),
  agg as (
    select ec.exchange, ec.symbol, ec.signal_type, ec.la, ec.lb, ec.chain_no, ec.event_id, ec.is_last,
      coalesce(l.ts, ec.chain_last_ts) as last_ts,
      coalesce(cn.n, 0) as n,
      coalesce(s.feats, '{}'::jsonb)
        || jsonb_strip_nulls(jsonb_build_object(
             'meta_first', watchlist.event_meta_slice(f.meta),
             'meta_last', watchlist.event_meta_slice(l.meta))) as feats,
      f as first_row,
      f.m_run_first_ts as first_trigger_ts
    from event_chains ec
    left join stats s using (exchange, symbol, signal_type, la, lb, chain_no)
    left join firsts f using (exchange, symbol, signal_type, la, lb, chain_no)
    left join lasts l using (exchange, symbol, signal_type, la, lb, chain_no)
    left join counts cn using (exchange, symbol, signal_type, la, lb, chain_no)
  ),
  upd as (
    update watchlist.watch_signal_event e set
      features_agg = coalesce(e.features_agg, '{}'::jsonb) || a.feats
        || jsonb_strip_nulls(jsonb_build_object('meta_first', coalesce(e.features_agg->'meta_first', a.feats->'meta_first'))),
      end_ts = greatest(e.end_ts, a.last_ts),
      last_trigger_ts = greatest(e.last_trigger_ts, a.last_ts),
      duration_sec = extract(epoch from greatest(e.end_ts, a.last_ts) - e.start_ts)::int,
      n_triggers = coalesce(e.n_triggers, 0) + a.n,
      status = case when a.is_last then 'open' else 'closed' end,
      updated_at = now()
    from agg a
    where a.event_id = e.id
    returning e.id, e.exchange, e.symbol, e.signal_type, e.status, e.start_ts, e.end_ts
  ),
  ins as (
    insert into watchlist.watch_signal_event (
      exchange, symbol, signal_type, start_ts, end_ts, duration_sec, features_agg, status,
      funding_interval_hours, next_funding_time,
      leg_a_exchange, leg_a_symbol, leg_a_kind, leg_a_price, leg_a_funding_rate, leg_a_funding_interval_hours, leg_a_next_funding_time,
      leg_b_exchange, leg_b_symbol, leg_b_kind, leg_b_price, leg_b_funding_rate, leg_b_funding_interval_hours, leg_b_next_funding_time,
      first_trigger_ts, last_trigger_ts, n_triggers, reason, updated_at)
    select a.exchange, a.symbol, a.signal_type, (a.first_row).ts, a.last_ts,
      extract(epoch from a.last_ts - (a.first_row).ts)::int, a.feats,
      case when a.is_last then 'open' else 'closed' end,
      (a.first_row).funding_interval_hours, (a.first_row).next_funding_time,
      (a.first_row).leg_a_exchange, (a.first_row).leg_a_symbol, (a.first_row).leg_a_kind, (a.first_row).leg_a_price,
      (a.first_row).leg_a_funding_rate, (a.first_row).leg_a_funding_interval_hours, (a.first_row).leg_a_next_funding_time,
      (a.first_row).leg_b_exchange, (a.first_row).leg_b_symbol, (a.first_row).leg_b_kind, (a.first_row).leg_b_price,
      (a.first_row).leg_b_funding_rate, (a.first_row).leg_b_funding_interval_hours, (a.first_row).leg_b_next_funding_time,
      a.first_trigger_ts, a.last_ts, a.n, format('%s consecutive triggered minutes', v_n), now()
    from agg a
    where a.event_id is null
    order by a.exchange, a.symbol, a.signal_type, a.la, a.lb, a.chain_no
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
    left join event_chains ec on (ec.exchange, ec.symbol, ec.signal_type, ec.la, ec.lb, ec.chain_no)
                              = (lr.exchange, lr.symbol, lr.signal_type, lr.la, lr.lb, lr.last_chain)
    left join ins i on (i.exchange, i.symbol, i.signal_type, i.la, i.lb) = (lr.exchange, lr.symbol, lr.signal_type, lr.la, lr.lb)
                   and i.status = 'open'
    where (s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange)
        = (lr.exchange, lr.symbol, lr.signal_type, lr.la, lr.lb)
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

drop trigger if exists watch_signal_raw_merge on watchlist.watch_signal_raw;
create trigger watch_signal_raw_merge
  after insert on watchlist.watch_signal_raw
  referencing new table as new_rows
  for each statement execute function watchlist.merge_raw_events();

-- Close open events quiet for more than M minutes. Returns how many it closed.
create or replace function watchlist.close_stale_events(p_at timestamptz default now()) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare
  v_m interval := make_interval(secs => 60 * greatest(1, coalesce(watchlist.cfg_num('event.gap_minutes'), 3)));
  v_count int;
begin
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
