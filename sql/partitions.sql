-- Daily RANGE partitions on `ts` for watch_signal_raw, watchlist_series_agg and
-- market_snapshot. Owns: the partitions themselves (named <table>_pYYYYMMDD, or
-- <table>_YYYYMMDD where the writer already named them so: partition_name()) and
-- watchlist.partition_policy (retention / pre-make days per table).
-- There is deliberately no DEFAULT partition: a row for a day without a partition
-- fails its INSERT loudly ("no partition of relation ... found for row") instead
-- of being parked where retention never looks.

-- The day partition's name. An existing writer (test/fixtures/legacy-watchlist.sql,
-- watchlist_pg_writer.py) names its partitions <table>_YYYYMMDD; a table that already
-- has partitions named that way and none of ours keeps the writer's scheme, so the
-- writer's own partition manager finds the names it expects and no second scheme appears.
create or replace function watchlist.partition_name(p_table text, p_day date) returns text
language sql stable as $$
  select format(case when exists (
      select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = to_regclass(format('watchlist.%I', p_table)) and c.relname ~ ('^' || p_table || '_[0-9]{8}$'))
    and not exists (
      select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = to_regclass(format('watchlist.%I', p_table)) and c.relname ~ ('^' || p_table || '_p[0-9]{8}$'))
    then '%s_%s' else '%s_p%s' end, p_table, to_char(p_day, 'YYYYMMDD'))
$$;

create or replace function watchlist.ensure_partitions(p_table text, p_from timestamptz, p_to timestamptz)
returns setof text
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  d date;
  v_name text;
  g record;
begin
  if not exists (select 1 from watchlist.partition_policy where table_name = p_table) then
    raise exception 'ensure_partitions: % is not a partitioned watchlist table', p_table using errcode = '22023';
  end if;
  if p_to - p_from > interval '400 days' then
    raise exception 'ensure_partitions: range % .. % is too long', p_from, p_to using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('wl:partitions:' || p_table));
  for d in select generate_series((p_from at time zone 'UTC')::date, (p_to at time zone 'UTC')::date, interval '1 day')::date loop
    v_name := watchlist.partition_name(p_table, d);
    if to_regclass(format('watchlist.%I', v_name)) is not null then continue; end if;
    begin
      execute format(
        'create table watchlist.%I partition of watchlist.%I for values from (%L) to (%L)',
        v_name, p_table, (d::timestamp at time zone 'UTC'), ((d + 1)::timestamp at time zone 'UTC'));
      -- a partition does not inherit its parent's grants: without these a day made after
      -- the last migrate could not be read directly by the reader (psql on one day)
      for g in select a.privilege_type, pg_get_userbyid(a.grantee) as role
               from pg_class c, aclexplode(c.relacl) a
               where c.oid = format('watchlist.%I', p_table)::regclass and a.grantee <> 0 and a.grantee <> c.relowner loop
        execute format('grant %s on watchlist.%I to %I', g.privilege_type, v_name, g.role);
      end loop;
      return next v_name;
    exception when invalid_object_definition then
      -- an existing partition (another writer's naming) already covers this day
      null;
    end;
  end loop;
end $$;

-- Upper bound of a range partition, parsed from its bound expression.
create or replace function watchlist.partition_upper_bound(p_oid oid) returns timestamptz
language sql stable as $$
  select (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
  from pg_class c where c.oid = p_oid
$$;

-- Create today + premake days, drop partitions entirely older than retention.
-- Idempotent; concurrent callers serialise on a per-table advisory lock.
create or replace function watchlist.roll_partitions(p_at timestamptz default now())
returns jsonb
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  p record;
  part record;
  v_created text[] := '{}';
  v_dropped text[] := '{}';
  v_today timestamptz := date_trunc('day', p_at at time zone 'UTC') at time zone 'UTC';
begin
  for p in select * from watchlist.partition_policy order by table_name loop
    v_created := v_created || array(select watchlist.ensure_partitions(p.table_name, v_today, v_today + make_interval(days => p.premake_days)));
    perform pg_advisory_xact_lock(hashtext('wl:partitions:' || p.table_name));
    for part in
      select c.oid, c.relname
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class parent on parent.oid = i.inhparent
      join pg_namespace n on n.oid = parent.relnamespace
      where n.nspname = 'watchlist' and parent.relname = p.table_name
        and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
    loop
      if watchlist.partition_upper_bound(part.oid) <= v_today - make_interval(days => p.retention_days) then
        execute format('drop table watchlist.%I', part.relname);
        v_dropped := v_dropped || part.relname::text;
      end if;
    end loop;
  end loop;
  return jsonb_build_object('created', to_jsonb(v_created), 'dropped', to_jsonb(v_dropped));
end $$;
