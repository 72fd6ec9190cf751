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
    watchlist.prediction_key(), m->watchlist.prediction_key(),
    'trigger_details', m->'trigger_details',
    'factors', m->'factors',
    'factors_missing', m->'factors_missing',
    'pairs_top', m->'pairs_top',
    'funding_diff_top', m->'funding_diff_top')) end
$$;

-- Step 1: each triggered row of a batch in its key's sequence (the stored state first,
-- as a pseudo-row): its run position, its chain, whether the chain is an event's
-- (it continues the key's open event or reaches the N-th consecutive minute), and
-- whether the row is one of the event's members.
-- p_state_keys: every key of the batch (locked by the caller); p_key, p_id, p_ts: the
-- rows not older than their key's last trigger.
create or replace function watchlist.merge_sequence(p_state_keys bigint[], p_key bigint[], p_id bigint[],
  p_ts timestamptz[], p_n int, p_m interval) returns setof watchlist.merge_step
language sql stable as $$
  with st as (
    select s.* from watchlist.event_merge_state s where s.key_id = any (p_state_keys)
  ),
  seq as (
    select st.key_id, true as is_state, null::bigint as id, st.last_trigger_ts as ts,
           date_trunc('minute', st.last_trigger_ts) as minute,
           st.run_len, st.run_start_ts, st.open_event_id, true as has_state
    from st where st.last_trigger_ts is not null
    union all
    select st.key_id, false, t.id, t.ts, date_trunc('minute', t.ts),
           st.run_len, st.run_start_ts, st.open_event_id, st.last_trigger_ts is not null
    from unnest(p_key, p_id, p_ts) t(key_id, id, ts)
    join st on st.key_id = t.key_id
  ),
  g1 as (
    select seq.*, minute - lag(minute) over w as gap, row_number() over w as ord
    from seq
    window w as (partition by key_id order by minute, is_state desc, ts, id)
  ),
  g2 as (
    select g1.*,
      sum((gap is null or gap > p_m)::int) over w as chain_no,              -- gap > M ends a chain
      sum((gap is null or gap > interval '1 minute')::int) over w as run_no  -- gap > 1 min ends a run
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
      min(ord) filter (where pos >= p_n and not is_state) as start_ord,
      max(ts) as chain_last_ts,
      bool_or(chain_no = last_chain) as is_last
    from g3
    group by key_id, chain_no
  )
  select g.key_id, g.chain_no, g.ord, g.id, g.ts, g.is_state, g.pos, g.run_first_ts, g.ord = g.last_ord, c.is_last,
    c.continues_open or c.start_ord is not null, c.continues_open, c.open_event_id, c.chain_last_ts,
    not g.is_state and (c.continues_open or coalesce(g.ord >= c.start_ord, false))
  from g3 g join chains c using (key_id, chain_no)
$$;

-- Step 3: write what the chains make: extended events fold the batch into their running
-- arrays, new ones are inserted (open if their chain is the key's last, else closed),
-- each key's state moves to its last row, and every open/close is announced.
create or replace function watchlist.merge_apply(p_seq watchlist.merge_step[], p_chains watchlist.merge_chain[], p_n int)
returns integer language plpgsql volatile as $$
declare v_notes int;
begin
  with agg as (
    select c.*, st.exchange, st.symbol, st.signal_type from unnest(p_chains) c
    join watchlist.event_merge_state st on st.key_id = c.key_id
    where st.key_id = any (array(select key_id from unnest(p_chains)))
  ),
  upd as (
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
      and e.id = any (array(select event_id from unnest(p_chains) where event_id is not null))
    returning e.id, e.exchange, e.symbol, e.signal_type, e.status, e.start_ts, e.end_ts
  ),
  ins as (
    insert into watchlist.watch_signal_event (
      exchange, symbol, signal_type, start_ts, end_ts, duration_sec, features_agg, status,
      feat_first, feat_last, feat_min, feat_max, feat_sum, feat_n, funding_interval_hours, next_funding_time,
      leg_a_exchange, leg_a_symbol, leg_a_kind, leg_a_price, leg_a_funding_rate, leg_a_funding_interval_hours, leg_a_next_funding_time,
      leg_b_exchange, leg_b_symbol, leg_b_kind, leg_b_price, leg_b_funding_rate, leg_b_funding_interval_hours, leg_b_next_funding_time,
      first_trigger_ts, last_trigger_ts, n_triggers, reason, updated_at)
    select a.exchange, a.symbol, a.signal_type, f.ts, a.last_ts, extract(epoch from a.last_ts - f.ts)::int, a.metas,
      case when a.is_last then 'open' else 'closed' end, a.b_first, a.b_last, a.mn, a.mx, a.sm, a.cn,
      f.funding_interval_hours, f.next_funding_time,
      f.leg_a_exchange, f.leg_a_symbol, f.leg_a_kind, f.leg_a_price, f.leg_a_funding_rate, f.leg_a_funding_interval_hours, f.leg_a_next_funding_time,
      f.leg_b_exchange, f.leg_b_symbol, f.leg_b_kind, f.leg_b_price, f.leg_b_funding_rate, f.leg_b_funding_interval_hours, f.leg_b_next_funding_time,
      a.first_trigger_ts, a.last_ts, a.n, format('%s consecutive triggered minutes', p_n), now()
    from agg a cross join lateral (select (a.first_row).*) f
    where a.event_id is null
    order by a.key_id, a.chain_no
    returning id, exchange, symbol, signal_type, status, start_ts, end_ts,
      coalesce(leg_a_exchange, '') as la, coalesce(leg_b_exchange, '') as lb
  ),
  st_upd as (
    update watchlist.event_merge_state s set
      last_trigger_ts = lr.ts, run_len = lr.pos, run_start_ts = lr.run_first_ts,
      open_event_id = case when lr.continues_open then lr.open_event_id else i.id end
    from unnest(p_seq) lr
    join watchlist.event_merge_state k on k.key_id = lr.key_id
    left join ins i on (i.exchange, i.symbol, i.signal_type, i.la, i.lb)
                     = (k.exchange, k.symbol, k.signal_type, k.leg_a_exchange, k.leg_b_exchange) and i.status = 'open'
    where lr.last_of_key and s.key_id = lr.key_id
      and k.key_id = any (array(select key_id from unnest(p_seq) where last_of_key))
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
  into v_notes;
  return v_notes;
end $$;

-- The statement trigger: the batch's triggered rows by key (step 1), each event chain
-- summarised slot by slot from the rows themselves (step 2, here: a transition table is
-- visible only in its trigger function), then the writes (step 3).
-- Transition tables have no statistics (the planner guesses a handful of rows), so
-- nested loops over them go quadratic on a 1000-row batch: hash joins only, and every
-- access to a stored table is bounded by an array an index can use, so the merge's cost
-- follows the batch, not the table size.
create or replace function watchlist.merge_raw_events() returns trigger
language plpgsql set enable_nestloop = off set plan_cache_mode = force_generic_plan as $$
declare
  v_n int := greatest(1, watchlist.cfg_num('event.n_consecutive')::int);
  v_m interval := make_interval(secs => 60 * greatest(1, watchlist.cfg_num('event.gap_minutes')));
  v_state_keys bigint[];
  v_key bigint[];
  v_id bigint[];
  v_ts timestamptz[];
  v_seq watchlist.merge_step[];
  v_chains watchlist.merge_chain[];
begin
  -- attach mode: the writer merges its own rows into events (sql/attach.sql)
  if watchlist.attach_mode() then return null; end if;
  -- make sure every key has a state row we can lock
  insert into watchlist.event_merge_state (exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange)
  select distinct r.exchange, r.symbol, r.signal_type, coalesce(r.leg_a_exchange, ''), coalesce(r.leg_b_exchange, '')
  from new_rows r where r.triggered
  order by 1, 2, 3, 4, 5
  on conflict do nothing;

  -- step 1: lock the keys; rows older than their key's last trigger (late data) change nothing
  with trig as (
    select r.id, r.ts, r.exchange, r.symbol, r.signal_type,
           coalesce(r.leg_a_exchange, '') as la, coalesce(r.leg_b_exchange, '') as lb
    from new_rows r where r.triggered
  ),
  st as (
    select s.key_id, s.last_trigger_ts, s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange
    from watchlist.event_merge_state s
    where s.exchange = any (array(select distinct exchange from trig))
      and s.symbol = any (array(select distinct symbol from trig))
      and (s.exchange, s.symbol, s.signal_type, s.leg_a_exchange, s.leg_b_exchange)
          in (select exchange, symbol, signal_type, la, lb from trig)
    order by s.key_id
    for update
  )
  select array(select key_id from st), array_agg(st.key_id), array_agg(t.id), array_agg(t.ts)
  into v_state_keys, v_key, v_id, v_ts
  from trig t
  join st on (st.exchange, st.symbol, st.signal_type, st.leg_a_exchange, st.leg_b_exchange) = (t.exchange, t.symbol, t.signal_type, t.la, t.lb)
  where date_trunc('minute', t.ts) >= coalesce(date_trunc('minute', st.last_trigger_ts), '-infinity');
  v_seq := array(select s from watchlist.merge_sequence(v_state_keys, v_key, v_id, v_ts, v_n, v_m) s);

  -- step 2: per event chain, the slot-wise min/max/sum/count of its members and its first and last rows
  v_chains := array(
    with m as (  -- narrow: the slots; whole rows only for each chain's first and last (ends)
      select s.key_id, s.chain_no, s.ord, s.id, s.run_first_ts, watchlist.raw_feature_slots(r::watchlist.watch_signal_raw) as x
      from unnest(v_seq) s join new_rows r on r.id = s.id
      where s.member
    ),
    slots as (
      select key_id, chain_no, array_agg(mn order by i) as mn, array_agg(mx order by i) as mx,
        array_agg(sm order by i) as sm, array_agg(cn order by i) as cn
      from (select m.key_id, m.chain_no, u.i, min(u.v) as mn, max(u.v) as mx,
              sum(u.v order by m.ord) as sm, count(u.v)::int as cn  -- sums in row order, as row by row
            from m, unnest(m.x) with ordinality u(v, i) group by 1, 2, 3) z
      group by 1, 2
    ),
    ends as (
      select e.*, f.run_first_ts, fr::watchlist.watch_signal_raw as fr, lr::watchlist.watch_signal_raw as lr
      from (select key_id, chain_no, count(*)::int as n, min(ord) as first_ord, max(ord) as last_ord from m group by 1, 2) e
      join m f on (f.key_id, f.ord) = (e.key_id, e.first_ord) join new_rows fr on fr.id = f.id
      join m l on (l.key_id, l.ord) = (e.key_id, e.last_ord) join new_rows lr on lr.id = l.id
    ),
    chains as (select distinct on (s.key_id, s.chain_no) s.* from unnest(v_seq) s where s.event_chain order by s.key_id, s.chain_no)
    select row(c.key_id, c.chain_no, case when c.continues_open then c.open_event_id end, c.last_chain,
        coalesce((e.lr).ts, c.chain_last_ts), coalesce(e.n, 0),
        watchlist.raw_feature_slots(e.fr), watchlist.raw_feature_slots(e.lr), z.mn, z.mx, z.sm, z.cn,
        jsonb_strip_nulls(jsonb_build_object('meta_first', watchlist.event_meta_slice((e.fr).meta),
                                             'meta_last', watchlist.event_meta_slice((e.lr).meta))),
        case when not c.continues_open then e.fr end, e.run_first_ts)::watchlist.merge_chain
    from chains c
    left join ends e on (e.key_id, e.chain_no) = (c.key_id, c.chain_no)
    left join slots z on (z.key_id, z.chain_no) = (c.key_id, c.chain_no)
    order by c.key_id, c.chain_no);

  -- step 3
  perform watchlist.merge_apply(v_seq, v_chains, v_n);
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

-- Internal merge steps: not part of the GraphQL API.
comment on function watchlist.merge_sequence(bigint[], bigint[], bigint[], timestamptz[], int, interval) is E'@behavior -*\nInternal merge step.';
comment on function watchlist.merge_apply(watchlist.merge_step[], watchlist.merge_chain[], int) is E'@behavior -*\nInternal merge step.';
