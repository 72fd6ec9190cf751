-- Every trigger in sql/ is (re)created only when its definition changed, and then as
-- the last statements of the sql/ apply (db/migrate.ts runs run_deferred_ddl() just
-- before commit). DROP/CREATE TRIGGER take an ACCESS EXCLUSIVE lock held until the
-- apply commits: done mid-apply on watch_signal_raw/_event, or on a table the writer's
-- insert path reads (strategy_config through cfg(), live_trade_signal through the
-- gate), every later file's time was the external writer's wait, and an open writer
-- transaction made the migrate queue every later insert behind it.
-- Owns: watchlist.ensure_trigger(), watchlist.run_deferred_ddl(), the comments
--       'ddl:<md5>' on the triggers it creates.

create or replace function watchlist.ensure_trigger(p_table regclass, p_name text, p_ddl text) returns void
language plpgsql as $$
declare v_tag text := 'ddl:' || md5(regexp_replace(trim(p_ddl), '\s+', ' ', 'g'));
begin
  if exists (select 1 from pg_trigger t where t.tgrelid = p_table and t.tgname = p_name and not t.tgisinternal
             and obj_description(t.oid, 'pg_trigger') = v_tag) then
    return;
  end if;
  create temp table if not exists wl_deferred_ddl (ord serial, ddl text) on commit drop;
  insert into pg_temp.wl_deferred_ddl (ddl) values
    (format('drop trigger if exists %I on %s', p_name, p_table)),
    (p_ddl),
    (format('comment on trigger %I on %s is %L', p_name, p_table, v_tag));
end $$;

create or replace function watchlist.run_deferred_ddl() returns integer
language plpgsql as $$
declare r record; v_n int := 0;
begin
  if to_regclass('pg_temp.wl_deferred_ddl') is null then return 0; end if;
  for r in select ddl from pg_temp.wl_deferred_ddl order by ord loop
    execute r.ddl;
    v_n := v_n + 1;
  end loop;
  drop table pg_temp.wl_deferred_ddl;
  return v_n;
end $$;
