-- Every trigger in sql/ is (re)created only when its definition changed, and then as
-- the last statements of the sql/ apply (db/migrate.ts runs run_deferred_ddl() just
-- before commit). DROP/CREATE TRIGGER take an ACCESS EXCLUSIVE lock held until the
-- apply commits: done mid-apply on watch_signal_raw/_event, or on a table the writer's
-- insert path reads (strategy_config through cfg(), live_trade_signal through the
-- gate), every later file's time was the external writer's wait, and an open writer
-- transaction made the migrate queue every later insert behind it.
-- Owns: watchlist.ensure_trigger(), watchlist.run_deferred_ddl(), the comments
--       'ddl:<md5>' on the triggers it creates.
--
-- Trigger names: `_NNN_what` (graphile/starter's rule). PostgreSQL fires the triggers
-- of one table, timing, level and event in NAME order, so the number is the order:
--   _100.._199  BEFORE, refuse or validate the row (guards, checks)
--   _200.._299  BEFORE, rewrite the row (scrub secrets, derived columns, final forms)
--   _500.._599  AFTER, derive rows elsewhere in the same transaction (merge, gate, exits)
--   _900.._999  AFTER, notify listeners: last, so a note follows every row it announces
-- (NOTIFYs are delivered at commit in the order sent.) ensure_trigger refuses any other
-- name, and test/sql/triggers.test.ts lists pg_trigger against the intended order.
--
-- Renames and removals: every apply declares all its triggers; run_deferred_ddl() then
-- drops the triggers this mechanism made earlier (comment 'ddl:…') that no file
-- declares any more, in the same transaction as their replacements, so a renamed
-- trigger is never missing nor doubled for a committed insert.

create or replace function watchlist.ensure_trigger(p_table regclass, p_name text, p_ddl text) returns void
language plpgsql as $$
declare v_tag text := 'ddl:' || md5(regexp_replace(trim(p_ddl), '\s+', ' ', 'g'));
begin
  if p_name !~ '^_[0-9]{3}_[a-z][a-z0-9_]*$' then
    raise exception 'trigger % on %: names are _NNN_what (sql/defer_ddl.sql)', p_name, p_table
      using errcode = 'invalid_name';
  end if;
  create temp table if not exists wl_declared_trigger (tgrelid oid, tgname text) on commit drop;
  insert into pg_temp.wl_declared_trigger values (p_table, p_name);
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
  if to_regclass('pg_temp.wl_deferred_ddl') is not null then
    for r in select ddl from pg_temp.wl_deferred_ddl order by ord loop
      execute r.ddl;
      v_n := v_n + 1;
    end loop;
    drop table pg_temp.wl_deferred_ddl;
  end if;
  -- only after a whole apply declared its triggers: a bare call drops nothing
  if to_regclass('pg_temp.wl_declared_trigger') is not null then
    for r in select t.tgname, t.tgrelid::regclass as tbl from pg_trigger t
             where not t.tgisinternal and t.tgparentid = 0
               and obj_description(t.oid, 'pg_trigger') like 'ddl:%'
               and not exists (select 1 from pg_temp.wl_declared_trigger d
                               where d.tgrelid = t.tgrelid and d.tgname = t.tgname)
             order by t.tgrelid::regclass::text, t.tgname loop
      execute format('drop trigger %I on %s', r.tgname, r.tbl);
      v_n := v_n + 1;
    end loop;
    drop table pg_temp.wl_declared_trigger;
  end if;
  return v_n;
end $$;
