-- Roles (cluster-wide, so created idempotently and race-tolerant):
--   wl_owner  owns the schema's objects' privileges (migrations run as the connecting user)
--   wl_writer workers: read/write every table, run the worker-side functions
--   wl_reader dashboards, psql, anonymous GraphQL: select only
--   wl_trader wl_reader + the trade / close / kill-switch / config functions
do $$
declare r text;
begin
  foreach r in array array['wl_owner','wl_writer','wl_reader','wl_trader'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin', r);
      exception when duplicate_object or unique_violation then null; -- created by a concurrent migrate
      end;
    end if;
  end loop;
  -- the connecting user must be able to `set role` for per-request GraphQL roles
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant wl_reader, wl_trader, wl_writer to %I', current_user);
  end if;
end $$;
