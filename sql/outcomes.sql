-- Forward outcomes of events (plan: "Outcome 计算与落地方案", "Funding schedule 权威口径").
-- Owns: watchlist.future_outcome (writes), watchlist.funding_settlement,
--       watchlist.funding_history_span, and the functions below.
--
-- Canonical position per signal type (spread metric = ln(short_price / long_price);
-- pnl_spread = metric_start − metric_end, so a spread converging towards 0 is a gain):
--   B (perp–perp, implemented): short the high venue (leg_a), long the low venue (leg_b).
--     Entry at the decision time start_ts: the high venue's bid and the low venue's ask
--     swept at the notional (market_snapshot.bid / .ask); exit at start_ts + horizon: the
--     high venue's ask and the low venue's bid. The path is the exit metric each minute.
--   C (spot–perp, defined, not computed yet: spot books are not collected): long the spot
--     leg, short the perp leg; spot leg funding 0; same entry/exit sides.
--   A (one venue, funding, defined, not computed yet): the side that receives funding
--     (short when the rate is positive), position_rule in the label.
--   A and C events get a row with missing = true, reason signal_type_not_supported:X.
-- Funding: a short receives +rate, a long pays +rate, summed at each real settlement in
--   (start_ts, end]; per leg, in this order: the venue's funding history cached in
--   funding_settlement when a fetch (funding_history_span) covered the whole horizon;
--   else the schedule the collector recorded in market_snapshot (each distinct
--   next_funding_time seen in the horizon is a settlement; its rate is the last rate
--   published before it), which follows interval changes because every snapshot carries
--   the schedule in force then; else, for venues without a history API, the rule
--   (watchlist.funding_rule_times: Hyperliquid and Lighter hourly, GRVT 00/08/16 UTC)
--   with the recorded rates; else the leg's funding is missing and pnl_total is NULL.
--   funding_applied lists every settlement: ts, venue, side, rate, pnl (signed), source.
-- max_drawdown: the largest mark-to-exit loss from entry along the path (max adverse
--   excursion, ≥ 0): max over the path of (exit metric − entry metric), floored at 0.
--   Exact at minute resolution (hourly block maxima inside, minutes at both ends).
-- volatility: standard deviation of the one-minute changes of the exit metric along the
--   path (minutes where both books were quoted), from prefix sums.
-- label: position_rule, venues, spread_metric_start/end, the three pnls, funding source per
--   leg, path and missing minutes, missing (bool) and reasons: legs_unknown,
--   signal_type_not_supported:X, no_quotes_start, no_quotes_end, partial_horizon (quotes
--   stop before the end), venue_gap (minutes without both quotes inside; not fatal),
--   funding_missing:<side>. A row with missing = true is recomputed while its horizon end
--   is younger than outcome.retry_hours (late data, history published late).

-- Settlement times of a rule-based venue in (p_from, p_to].
create or replace function watchlist.funding_rule_times(p_venue text, p_from timestamptz, p_to timestamptz)
returns table (ts timestamptz, interval_hours double precision, source text)
language sql immutable parallel safe as $$
  select g, r.h, r.src
  from (select case p_venue when 'hyperliquid' then 1.0 when 'lighter' then 1.0 when 'grvt' then 8.0 end as h,
               case p_venue when 'hyperliquid' then 'rule:hourly' when 'lighter' then 'rule:hourly' when 'grvt' then 'rule:8h-boundary' end as src) r
  cross join lateral generate_series(
    date_bin(make_interval(hours => r.h::int), p_from, timestamptz '2000-01-01 00:00:00+00') + make_interval(hours => r.h::int),
    p_to, make_interval(hours => r.h::int)) g
  where r.h is not null and g > p_from and g <= p_to
$$;

-- Store one history fetch: its points and the span it covered (a failed fetch is kept
-- with its error and covers nothing). Returns the number of points stored.
create or replace function watchlist.record_funding_history(
  p_venue text, p_symbol text, p_from timestamptz, p_to timestamptz, p_points jsonb, p_source text, p_error text default null)
returns integer language plpgsql as $$
declare n integer := 0;
begin
  if p_error is null then
    insert into watchlist.funding_settlement (venue, symbol, ts, rate, interval_hours, source)
    select p_venue, p_symbol, to_timestamp((p ->> 'ts')::float8 / 1000), (p ->> 'rate')::float8,
           (p ->> 'intervalHours')::float8, p_source
    from jsonb_array_elements(coalesce(p_points, '[]')) p
    where (p ->> 'ts') is not null and (p ->> 'rate') is not null
    on conflict (venue, symbol, ts) do update set rate = excluded.rate, source = excluded.source, fetched_at = now();
    get diagnostics n = row_count;
  end if;
  insert into watchlist.funding_history_span (venue, symbol, from_ts, to_ts, n_points, source, error)
  values (p_venue, p_symbol, p_from, p_to, n, p_source, p_error);
  return n;
end $$;

-- The (event, horizon) pairs due: horizon end + outcome.settle_lag_min passed, within
-- retention, and no row yet (or a missing row still young enough to retry).
create or replace function watchlist.outcome_due_items(p_now timestamptz, p_limit integer)
returns table (event_id bigint, horizon_min integer, signal_type char(1), hi text, hi_sym text, lo text, lo_sym text,
               s timestamptz, e_ts timestamptz)
language sql stable as $$
  select e.id, h.h, e.signal_type, e.leg_a_exchange, coalesce(e.leg_a_symbol, e.symbol),
         e.leg_b_exchange, coalesce(e.leg_b_symbol, e.symbol),
         date_trunc('minute', e.start_ts), date_trunc('minute', e.start_ts) + make_interval(mins => h.h)
  from (select watchlist.cfg_num('outcome.settle_lag_min')::int as lag,
               p_now - make_interval(days => watchlist.cfg_num('retention.event_days')::int) as oldest,
               p_now - make_interval(hours => watchlist.cfg_num('outcome.retry_hours')::int) as retry_after
        offset 0) c  -- the settings read once, not per row (offset 0 keeps the planner from inlining them)
  cross join (select jsonb_array_elements_text(watchlist.cfg('outcome.horizons'))::int as h) h
  join watchlist.watch_signal_event e
    on e.start_ts >= c.oldest and e.start_ts + make_interval(mins => h.h + c.lag) <= p_now
  where not exists (
      select 1 from watchlist.future_outcome o
      where o.event_id = e.id and o.horizon_min = h.h
        and not (coalesce(o.missing, false) and o.horizon_end > c.retry_after))
  order by e.start_ts, e.id, h.h
  limit p_limit
$$;

-- Legs of due, not yet computed outcomes whose horizon no history fetch covers: the
-- (venue, symbol, from, to) ranges the worker asks the venues for.
create or replace function watchlist.outcome_funding_needs(p_now timestamptz default now())
returns table (venue text, symbol text, from_ts timestamptz, to_ts timestamptz)
language sql stable as $$
  with items as (select * from watchlist.outcome_due_items(p_now, null)),
  legs as (
    select i.hi as venue, i.hi_sym as symbol, i.s, i.e_ts from items i where i.hi is not null
    union all
    select i.lo, i.lo_sym, i.s, i.e_ts from items i where i.lo is not null
  )
  select l.venue, l.symbol, min(l.s), max(l.e_ts)
  from legs l
  where not exists (select 1 from watchlist.funding_history_span sp
                    where sp.venue = l.venue and sp.symbol = l.symbol and sp.error is null
                      and sp.from_ts <= l.s and sp.to_ts >= l.e_ts)
  group by l.venue, l.symbol
  order by min(l.s)
  limit watchlist.cfg_num('outcome.history_fetch_max')::int
$$;

-- compute_outcomes step 1: the due items of this pass (_oc_item) and one path per
-- (symbol pair, venues) over the span its items need (_oc_pair). Returns the item count.
-- p_fetchable: the venues the caller can fetch funding history from; an item with a leg on
-- one of them that no fetch (successful or failed) has covered yet waits for a later pass
-- instead of falling back to the schedule (the fetch budget per pass is limited).
-- p_shard of p_shards: this pass takes the items whose symbol pair hashes to p_shard, so
-- passes on separate connections share the work without computing a pair path twice.
drop function if exists watchlist.outcome_pass_items(timestamptz, text[], interval);
create or replace function watchlist.outcome_pass_items(p_now timestamptz, p_fetchable text[], p_tol interval,
                                                        p_shard integer default 0, p_shards integer default 1)
returns integer language plpgsql as $$
declare n integer;
begin
  create temp table _oc_item on commit drop as
  select row_number() over () as iid, d.*, null::bigint as pid
  from watchlist.outcome_due_items(p_now, watchlist.cfg_num('outcome.batch_items')::int) d;
  delete from _oc_item i
  where p_fetchable is not null and exists (
    select 1 from (values (i.hi, i.hi_sym), (i.lo, i.lo_sym)) l(venue, symbol)
    where l.venue = any (p_fetchable)
      and not exists (select 1 from watchlist.funding_history_span sp
                      where sp.venue = l.venue and sp.symbol = l.symbol and sp.from_ts <= i.s and sp.to_ts >= i.e_ts));
  if p_shards > 1 then
    delete from _oc_item i where mod(abs(hashtext(concat_ws('|', i.hi, i.hi_sym, i.lo, i.lo_sym))), p_shards) <> p_shard;
  end if;
  select count(*) into n from _oc_item;
  if n = 0 then return 0; end if;

  create temp table _oc_pair on commit drop as
  select row_number() over (order by hi, hi_sym, lo, lo_sym) as pid, hi, hi_sym, lo, lo_sym,
         min(s) - p_tol as t0, max(e_ts) as t1, (extract(epoch from min(s) - p_tol) / 60)::int as t0m
  from _oc_item where signal_type = 'B' and hi is not null and lo is not null
  group by hi, hi_sym, lo, lo_sym;
  update _oc_item i set pid = p.pid from _oc_pair p
  where i.signal_type = 'B' and (i.hi, i.hi_sym, i.lo, i.lo_sym) = (p.hi, p.hi_sym, p.lo, p.lo_sym);
  analyze _oc_item;
  analyze _oc_pair;
  return n;
end $$;

-- compute_outcomes step 2: the quotes the paths need, read once per venue and symbol (log
-- prices, _oc_q; dla / dlb: one-minute changes, only from the minute before, so a pair's
-- change is known without sorting the much larger pair paths; km = minutes since the epoch,
-- k = (vid, km) as one hash key), and the pair paths (_oc_path): minute rows where both
-- books were quoted: exit metric x = ln(high ask / low bid), entry metric xe = ln(high bid /
-- low ask), dx = the one-minute change of x (only between consecutive quoted minutes); m =
-- minutes since the pair's t0. Then hourly blocks (_oc_block): max x, quoted minutes, sums
-- of the changes.
-- Both joins are hash joins over whole tables (the market_snapshot range: one pass per
-- partition; the pairs: on the one-column key k, the venue quotes hashed and the 1.7 M
-- pair rows streamed through once: the range test is on l.ts so the planner sizes the
-- stream right): the planner underestimates range joins and chose one index probe per
-- minute (13 s at 6k events) or a sort of the 1.7 M path rows for a merge join, hence no
-- nested loop and no merge join in this step. The pair rows come out in the quotes' order
-- (vid, ts), so a pair's minutes are summed in time order.
create or replace function watchlist.outcome_pass_paths()
returns void language plpgsql
set work_mem = '256MB' set enable_nestloop = off set enable_mergejoin = off as $$
begin
  create temp table _oc_vs on commit drop as
  select row_number() over (order by venue, symbol) as vid, venue, symbol, min(t0) as f, max(t1) as t
  from (select hi as venue, hi_sym as symbol, t0, t1 from _oc_pair
        union all select lo, lo_sym, t0, t1 from _oc_pair) u
  group by venue, symbol;
  analyze _oc_vs;

  create temp table _oc_q on commit drop as
  select vid, ts, lb, la, nft, km, vid * 100000000 + km as k,
         case when ts - lag(ts) over w = interval '1 minute' then la - lag(la) over w end as dla,
         case when ts - lag(ts) over w = interval '1 minute' then lb - lag(lb) over w end as dlb
  from (
    select n.vid, ms.ts, ln(ms.bid::float8) as lb, ln(ms.ask::float8) as la, ms.next_funding_time as nft,
           (extract(epoch from ms.ts) / 60)::int as km
    from _oc_vs n
    join watchlist.market_snapshot ms on ms.venue = n.venue and ms.symbol = n.symbol and ms.ts >= n.f and ms.ts <= n.t
    where ms.bid > 0 and ms.ask > 0
  ) q
  window w as (partition by vid order by ts);
  create index on _oc_q (vid, ts);  -- the funding schedule's look-ups (step 4); written in this order
  analyze _oc_q;

  create temp table _oc_path on commit drop as
  select p.pid, h.km - p.t0m as m, h.la - l.lb as x, h.lb - l.la as xe, h.dla - l.dlb as dx
  from _oc_pair p
  join _oc_vs hv on hv.venue = p.hi and hv.symbol = p.hi_sym
  join _oc_vs lv on lv.venue = p.lo and lv.symbol = p.lo_sym
  join _oc_q h on h.vid = hv.vid
  join _oc_q l on l.k = h.k + (lv.vid - hv.vid) * 100000000  -- (l.vid, minute) = (lv.vid, h's minute) as one key
  -- the same instant, as a filter (as a second hash key the planner multiplied the two and
  -- hashed the 1.7 M rows instead of the quotes)
  where l.ts >= p.t0 and l.ts <= p.t1 and l.ts >= h.ts and l.ts <= h.ts;
  create index on _oc_path (pid, m);  -- no included columns: a temp table's index-only scan visits the heap anyway

  -- (ranges are cut into the start's hour, whole hours, and the end's hour; each piece summed once)
  create temp table _oc_block on commit drop as
  select pid, m / 60 as b, max(x) as mx, count(*) as nq, sum(dx) as sx, sum(dx * dx) as sxx, count(dx) as ndx,
         max(m) as mlast
  from _oc_path group by pid, m / 60;
  create index on _oc_block (pid, b);
  analyze _oc_block;
end $$;

-- compute_outcomes step 3: per item (_oc_res), entry and exit on the pair path, the path's
-- max x, quoted minutes and sums of the changes. Item minutes: ms = start, me = end
-- (minutes since the pair's t0); changes count for minutes in (ms, me]. A range is cut into
-- its start's hour (head: from ms to the hour's end), whole hours (_oc_block) and its end's
-- hour (tail: from the hour's start to me); a range inside one hour is one scan. Entry and
-- head are the same for an event's horizons: once per start (_oc_st).
create or replace function watchlist.outcome_pass_spread()
returns void language plpgsql set work_mem = '256MB' as $$
begin
  create temp table _oc_it on commit drop as
  select i.iid, i.pid, ((extract(epoch from i.s - p.t0)) / 60)::int as ms, ((extract(epoch from i.e_ts - p.t0)) / 60)::int as me
  from _oc_item i join _oc_pair p using (pid);
  create temp table _oc_st on commit drop as
  select s.pid, s.ms, a.m as ps, a.xe as entry, hd.mx, hd.nq, hd.sx, hd.sxx, hd.ndx
  from (select distinct pid, ms from _oc_it) s
  left join lateral (select z.m, z.xe from _oc_path z where z.pid = s.pid and z.m <= s.ms order by z.m desc limit 1) a on true
  left join lateral (
    select max(z.x) as mx, count(*) as nq, sum(z.dx) filter (where z.m > s.ms) as sx,
           sum(z.dx * z.dx) filter (where z.m > s.ms) as sxx, count(z.dx) filter (where z.m > s.ms) as ndx
    from _oc_path z where z.pid = s.pid and z.m between s.ms and (s.ms / 60 + 1) * 60 - 1) hd on true;
  analyze _oc_it;
  analyze _oc_st;

  create temp table _oc_res on commit drop as
  with r as (
    select it.iid, it.ms, it.me, pl.plast, st.ps, st.entry, bb.m as pe, bb.x as exit_x, it.me / 60 = it.ms / 60 as one_hour,
           st.mx as s_mx, st.nq as s_nq, st.sx as s_sx, st.sxx as s_sxx, st.ndx as s_ndx, sc.*, bl.*
    from _oc_it it
    join _oc_st st on st.pid = it.pid and st.ms = it.ms
    join (select pid, max(mlast) as plast from _oc_block group by pid) pl on pl.pid = it.pid
    left join lateral (select z.m, z.x from _oc_path z where z.pid = it.pid and z.m <= it.me order by z.m desc limit 1) bb on true
    left join lateral (  -- inside one hour: ms to me; else the tail, the end's hour up to me
      select max(z.x) as c_mx, count(*) as c_nq, sum(z.dx) filter (where z.m > it.ms) as c_sx,
             sum(z.dx * z.dx) filter (where z.m > it.ms) as c_sxx, count(z.dx) filter (where z.m > it.ms) as c_ndx
      from _oc_path z
      where z.pid = it.pid and z.m between greatest(it.ms, (it.me / 60) * 60) and it.me) sc on true
    left join lateral (
      select max(k.mx) as b_mx, sum(k.nq) as b_nq, sum(k.sx) as b_sx, sum(k.sxx) as b_sxx, sum(k.ndx) as b_ndx
      from _oc_block k where k.pid = it.pid and k.b > it.ms / 60 and k.b < it.me / 60) bl on true
  ), hd as (  -- head and tail as the sums below expect them
    select r.*, case when one_hour then c_mx else s_mx end as hd_mx, case when one_hour then c_nq else s_nq end as hd_nq,
           case when one_hour then c_sx else s_sx end as hd_sx, case when one_hour then c_sxx else s_sxx end as hd_sxx,
           case when one_hour then c_ndx else s_ndx end as hd_ndx,
           case when not one_hour then c_mx end as tl_mx, case when not one_hour then c_nq end as tl_nq,
           case when not one_hour then c_sx end as tl_sx, case when not one_hour then c_sxx end as tl_sxx,
           case when not one_hour then c_ndx end as tl_ndx
    from r
  )
  select iid, ms, me, plast, ps, entry, pe, exit_x,
         greatest(hd_mx, b_mx, tl_mx) as x_hi_max,
         coalesce(hd_nq, 0) + coalesce(b_nq, 0) + coalesce(tl_nq, 0) as n_quoted,
         coalesce(hd_sx, 0) + coalesce(b_sx, 0) + coalesce(tl_sx, 0) as sx,
         coalesce(hd_sxx, 0) + coalesce(b_sxx, 0) + coalesce(tl_sxx, 0) as sxx,
         coalesce(hd_ndx, 0) + coalesce(b_ndx, 0) + coalesce(tl_ndx, 0) as ndx
  from hd;
  analyze _oc_res;
end $$;

-- compute_outcomes step 4: where each leg's settlements come from (_oc_leg), and the
-- settlements of the legs that use the recorded schedule or a rule, once per venue/symbol
-- (_oc_settle).
create or replace function watchlist.outcome_pass_funding_sources(p_tol interval)
returns void language plpgsql set work_mem = '256MB' as $$
declare
  v_tol interval := p_tol;
  v_nl text := current_setting('enable_nestloop');
begin
  create temp table _oc_leg on commit drop as
  select i.iid, l.side, l.venue, l.symbol, i.s, i.e_ts,
    case
      when exists (select 1 from watchlist.funding_history_span sp
                   where sp.venue = l.venue and sp.symbol = l.symbol and sp.error is null
                     and sp.from_ts <= i.s and sp.to_ts >= i.e_ts) then 'history'
      when exists (select 1 from _oc_q ms
                   where ms.vid = v.vid and ms.nft is not null and ms.ts between i.s - v_tol and i.s)
       and exists (select 1 from _oc_q ms
                   where ms.vid = v.vid and ms.nft > i.e_ts and ms.ts between i.e_ts - v_tol and i.e_ts) then 'schedule'
      when exists (select 1 from watchlist.funding_rule_times(l.venue, i.s, i.s + interval '8 hours')) then 'rule'
    end as src
  from _oc_item i
  cross join lateral (values ('short', i.hi, i.hi_sym), ('long', i.lo, i.lo_sym)) l(side, venue, symbol)
  join _oc_vs v on v.venue = l.venue and v.symbol = l.symbol
  where i.pid is not null;

  -- the settlements of the legs that use the recorded schedule or a rule, once per venue/symbol
  perform set_config('enable_nestloop', 'off', true);  -- the schedule's times: one hash join over the snapshot range, not a probe per venue
  create temp table _oc_settle on commit drop as
  with need as (
    select venue, symbol, src, min(s) as f, max(e_ts) as t from _oc_leg where src in ('schedule', 'rule') group by 1, 2, 3
  ), times as (
    select n.venue, n.symbol, ms.next_funding_time as ts, max(ms.funding_interval_hours) as ih, 'schedule'::text as source
    from need n join watchlist.market_snapshot ms
      on ms.venue = n.venue and ms.symbol = n.symbol and ms.ts >= n.f - v_tol and ms.ts <= n.t
    where n.src = 'schedule' and ms.next_funding_time > n.f and ms.next_funding_time <= n.t
    group by 1, 2, 3
    union all
    select n.venue, n.symbol, r.ts, r.interval_hours, r.source
    from need n cross join lateral watchlist.funding_rule_times(n.venue, n.f, n.t) r
    where n.src = 'rule'
  )
  select t.venue, t.symbol, t.ts, t.ih, t.source,
         (select ms.funding_rate from watchlist.market_snapshot ms
          where ms.venue = t.venue and ms.symbol = t.symbol and ms.ts < t.ts and ms.ts >= t.ts - interval '1 day'
            and ms.funding_rate is not null
          order by ms.ts desc limit 1) as rate
  from times t;
  perform set_config('enable_nestloop', v_nl, true);
  create index on _oc_settle (venue, symbol, ts);
  analyze _oc_leg;
  analyze _oc_settle;
end $$;

-- compute_outcomes step 5: per item the funding sum and the audit list (_oc_fsum), and
-- where each leg's settlements came from (_oc_legsrc). The settlements are read and their
-- audit objects built once per leg and start, up to its longest horizon (_oc_fev); an item
-- takes those up to its end (the horizons of an event share their start). The sum adds in
-- the list's order (time, side), so the total does not depend on the plan.
-- Temp tables with statistics: as CTEs the planner guessed a few rows and nested-looped;
-- the items' join is a hash join (it guesses a tenth of the rows and chose a merge join
-- that re-read the sorted settlements eight times).
create or replace function watchlist.outcome_pass_funding_sums()
returns void language plpgsql set work_mem = '256MB' set enable_mergejoin = off as $$
begin
  create temp table _oc_fev on commit drop as
  select g.venue, g.symbol, g.side, g.src, g.s, st.ts, st.rate, case when g.side = 'short' then st.rate else -st.rate end as pnl,
         jsonb_build_object('ts', st.ts, 'venue', g.venue, 'side', g.side, 'rate', st.rate,
                            'pnl', case when g.side = 'short' then st.rate else -st.rate end, 'source', st.source) as obj
  from (select venue, symbol, side, src, s, max(e_ts) as e from _oc_leg where src is not null group by 1, 2, 3, 4, 5) g
  join lateral (
    select fs.ts, fs.rate, fs.source from watchlist.funding_settlement fs
    where g.src = 'history' and fs.venue = g.venue and fs.symbol = g.symbol and fs.ts > g.s and fs.ts <= g.e
    union all
    select x.ts, x.rate, x.source from _oc_settle x
    where g.src in ('schedule', 'rule') and x.venue = g.venue and x.symbol = g.symbol and x.ts > g.s and x.ts <= g.e
  ) st on true;
  analyze _oc_fev (venue, symbol, side, src, s, ts);  -- not the jsonb: its statistics cost more than the join gains

  create temp table _oc_fsum on commit drop as
  select l.iid, sum(f.pnl order by f.ts, l.side) as pf, bool_or(f.rate is null) as rate_missing,
         jsonb_agg(f.obj order by f.ts, l.side) as applied
  from _oc_leg l
  join _oc_fev f on f.venue = l.venue and f.symbol = l.symbol and f.side = l.side and f.src = l.src and f.s = l.s
                and f.ts <= l.e_ts
  group by l.iid;
  analyze _oc_fsum (iid);

  create temp table _oc_legsrc on commit drop as
  select iid, jsonb_object_agg(side, coalesce(src, 'missing')) as srcs,
    array_agg('funding_missing:' || side) filter (where src is null) as fmiss
  from _oc_leg group by iid;
  analyze _oc_legsrc (iid);
end $$;

-- compute_outcomes step 6: the labelled rows, upserted. Returns the number written.
create or replace function watchlist.outcome_pass_upsert(p_now timestamptz, p_tol_min integer)
returns integer language plpgsql as $$
declare
  v_tol_min integer := p_tol_min;
  n integer;
begin
  with calc as (
    select i.event_id, i.horizon_min, i.e_ts, i.signal_type, i.hi, i.lo,
      r.entry, r.exit_x, r.x_hi_max, r.ms, r.me, r.plast,
      r.n_quoted,
      case when r.ndx > 1 then sqrt(greatest((r.sxx - r.sx ^ 2 / r.ndx) / (r.ndx - 1), 0)) end as vol,
      coalesce(fs.pf, case when ls.fmiss is null then 0 end) as pf,
      coalesce(fs.applied, '[]'::jsonb) as applied,
      coalesce(fs.rate_missing, false) as rate_missing,
      ls.srcs, ls.fmiss,
      array_remove(array[
        case when i.hi is null or i.lo is null then 'legs_unknown' end,
        case when i.signal_type <> 'B' then 'signal_type_not_supported:' || i.signal_type end,
        case when i.pid is not null and (r.ps is null or r.ms - r.ps > v_tol_min) then 'no_quotes_start' end,
        case when i.pid is not null and r.ps is not null and (r.pe is null or r.me - r.pe > v_tol_min)
             then case when r.plast <= r.me then 'partial_horizon' else 'no_quotes_end' end end
      ], null) as fatal
    from _oc_item i
    left join _oc_res r using (iid)
    left join _oc_fsum fs using (iid)
    left join _oc_legsrc ls using (iid)
  ), fin as (
    select c.*,
      cardinality(c.fatal) > 0 as quote_missing,
      case when cardinality(c.fatal) = 0 then c.entry - c.exit_x end as ps_,
      case when cardinality(c.fatal) = 0 and not c.rate_missing then c.pf end as pf_,
      (c.me - c.ms + 1) - c.n_quoted as gap_min
    from calc c
  ), up as (
    insert into watchlist.future_outcome as o (event_id, horizon_min, pnl, spread_change, funding_change,
      pnl_spread, pnl_funding, pnl_total, spread_start, spread_end, max_drawdown, volatility,
      funding_applied, label, missing, horizon_end, computed_at)
    select f.event_id, f.horizon_min,
      f.ps_ + f.pf_, f.ps_, f.pf_, f.ps_, f.pf_, f.ps_ + f.pf_,
      case when not f.quote_missing then f.entry end, case when not f.quote_missing then f.exit_x end,
      case when not f.quote_missing then greatest(f.x_hi_max - f.entry, 0) end,
      case when not f.quote_missing then f.vol end,
      f.applied,
      jsonb_build_object(
        'position_rule', 'B: short high venue (leg_a) at bid, long low venue (leg_b) at ask; exit high ask / low bid',
        'short_venue', f.hi, 'long_venue', f.lo,
        'spread_metric_start', f.entry, 'spread_metric_end', f.exit_x,
        'pnl_spread', f.ps_, 'pnl_funding', f.pf_, 'pnl_total', f.ps_ + f.pf_,
        'funding_source', f.srcs,
        'path_minutes', f.me - f.ms + 1, 'missing_minutes', f.gap_min,
        'missing', (f.ps_ + f.pf_) is null,
        'reasons', to_jsonb(f.fatal
                   || coalesce(f.fmiss, '{}')
                   || case when f.rate_missing then array['funding_rate_missing'] else '{}' end
                   || case when f.gap_min > 0 and not f.quote_missing then array['venue_gap'] else '{}' end)),
      (f.ps_ + f.pf_) is null, f.e_ts, p_now
    from fin f
    on conflict (event_id, horizon_min) do update set
      pnl = excluded.pnl, spread_change = excluded.spread_change, funding_change = excluded.funding_change,
      pnl_spread = excluded.pnl_spread, pnl_funding = excluded.pnl_funding, pnl_total = excluded.pnl_total,
      spread_start = excluded.spread_start, spread_end = excluded.spread_end,
      max_drawdown = excluded.max_drawdown, volatility = excluded.volatility,
      funding_applied = excluded.funding_applied, label = excluded.label, missing = excluded.missing,
      horizon_end = excluded.horizon_end, computed_at = excluded.computed_at
    returning 1
  )
  select count(*) into n from up;
  return n;
end $$;

-- One pass: compute and upsert every due outcome (at most outcome.batch_items), in the
-- steps above (temp tables that drop at commit). p_fetchable: see outcome_pass_items.
-- Returns the number of rows written.
-- p_shard / p_shards: one share of the items (outcome_pass_items), for passes run side by
-- side on separate connections (outcome.parallel).
drop function if exists watchlist.compute_outcomes(timestamptz, text[]);
create or replace function watchlist.compute_outcomes(p_now timestamptz default now(), p_fetchable text[] default null,
                                                      p_shard integer default 0, p_shards integer default 1)
returns integer language plpgsql as $$
declare
  v_tol_min integer := watchlist.cfg_num('outcome.quote_tolerance_min')::int;
  v_t timestamptz := clock_timestamp();
  n integer;
begin
  -- a second pass in one transaction (the tables drop at commit)
  if to_regclass('pg_temp._oc_item') is not null then
    drop table if exists pg_temp._oc_item, pg_temp._oc_pair, pg_temp._oc_vs, pg_temp._oc_q, pg_temp._oc_path,
      pg_temp._oc_block, pg_temp._oc_it, pg_temp._oc_st, pg_temp._oc_res, pg_temp._oc_leg, pg_temp._oc_settle, pg_temp._oc_fev, pg_temp._oc_fsum, pg_temp._oc_legsrc;
  end if;
  if p_shards < 1 or p_shard < 0 or p_shard >= p_shards then
    raise exception 'compute_outcomes: shard % of % does not exist', p_shard, p_shards using errcode = '22023';
  end if;
  if watchlist.outcome_pass_items(p_now, p_fetchable, make_interval(mins => v_tol_min), p_shard, p_shards) = 0 then return 0; end if;
  raise debug 'compute_outcomes: items %', clock_timestamp() - v_t;
  perform watchlist.outcome_pass_paths();
  raise debug 'compute_outcomes: quotes and paths %', clock_timestamp() - v_t;
  perform watchlist.outcome_pass_spread();
  raise debug 'compute_outcomes: spread per item %', clock_timestamp() - v_t;
  perform watchlist.outcome_pass_funding_sources(make_interval(mins => v_tol_min));
  raise debug 'compute_outcomes: funding sources %', clock_timestamp() - v_t;
  perform watchlist.outcome_pass_funding_sums();
  raise debug 'compute_outcomes: funding %', clock_timestamp() - v_t;
  n := watchlist.outcome_pass_upsert(p_now, v_tol_min);
  raise debug 'compute_outcomes: % rows %', n, clock_timestamp() - v_t;
  return n;
end $$;

comment on column watchlist.future_outcome.pnl_total is
  'pnl_spread + pnl_funding, as a fraction of the notional per leg, fees and slippage beyond the swept book not included; NULL when data was missing (see label.reasons).';
comment on column watchlist.future_outcome.pnl_spread is
  'Spread PnL of the canonical position: ln(short bid / long ask) at the decision time minus ln(short ask / long bid) at the horizon end.';
comment on column watchlist.future_outcome.pnl_funding is
  'Funding over the horizon at the real settlements: the short leg receives +rate, the long leg pays +rate (listed in funding_applied).';
comment on table watchlist.funding_settlement is
  'Public funding settlements per venue and symbol (time, rate, interval), cached from the venues'' funding history; outcomes sum funding from these first.';
