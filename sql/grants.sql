-- Grants, re-applied after every migrate so new tables and functions are covered.
-- wl_reader: select on everything, execute only read-only (stable/immutable) functions.
-- wl_writer: read/write tables, every function. wl_trader: reader + trader functions.
grant usage on schema watchlist to wl_owner, wl_writer, wl_reader, wl_trader;
grant all on all tables in schema watchlist to wl_owner;
grant all on all sequences in schema watchlist to wl_owner;
grant select, insert, update, delete on all tables in schema watchlist to wl_writer;
grant usage, select on all sequences in schema watchlist to wl_writer;
grant select on all tables in schema watchlist to wl_reader;
revoke insert, update, delete, truncate on all tables in schema watchlist from wl_reader;
grant wl_reader to wl_trader;

revoke execute on all functions in schema watchlist from public;
grant execute on all functions in schema watchlist to wl_owner, wl_writer;

do $$
declare f record;
begin
  for f in
    select p.oid::regprocedure as sig
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'watchlist' and p.provolatile in ('i', 's') and p.prokind = 'f'
      and not p.prosecdef
  loop
    execute format('grant execute on function %s to wl_reader', f.sig);
  end loop;
end $$;

-- the trader's levers (later concerns add theirs here)
grant execute on function watchlist.set_config(text, jsonb, text) to wl_trader;

-- ---- paper venues (schema paper; sql/paper.sql, migration 000003) ----
grant usage on schema paper to wl_owner, wl_writer, wl_reader, wl_trader;
grant all on all tables in schema paper to wl_owner;
grant select, insert, update on all tables in schema paper to wl_writer;
grant usage, select on all sequences in schema paper to wl_writer;
grant select on all tables in schema paper to wl_reader;
revoke execute on all functions in schema paper from public;
grant execute on all functions in schema paper to wl_owner, wl_writer;
grant execute on function paper.balance(text, numeric) to wl_reader;

-- ---- live loop (issue 4: sql/manual.sql) ----
grant execute on function watchlist.manual_trade(text, text, text, numeric) to wl_trader;
grant execute on function watchlist.request_close(bigint, text) to wl_trader;
grant execute on function watchlist.set_kill_switch(int, text) to wl_trader;
grant execute on function watchlist.expire_manual_orders() to wl_trader;
-- issue 12: force-enter (sql/force_enter.sql)
grant execute on function watchlist.force_enter(text, text, text, text) to wl_trader;

-- Type B scanner (issue 3): workers scan; readers see coverage and predictions
-- (predict_bc / norm_cdf / pair_series_factors are stable, so covered above).
grant execute on function watchlist.scan(timestamptz, boolean) to wl_writer;
grant execute on function watchlist.ensure_pair_minute_hour(timestamptz) to wl_writer;
grant select on watchlist.v_prediction_coverage to wl_reader;

-- Issue 8 (client ids across installations): the operator acknowledges foreign activity.
grant execute on function watchlist.acknowledge_foreign_activity(text, text) to wl_trader;

-- ---- the worker's login (wl_worker, member of wl_writer; db/logins.ts) runs graphile-worker ----
-- graphile-worker's own schema: its queue tables, and the functions cron and add_job use
grant usage on schema graphile_worker to wl_writer;
grant select, insert, update, delete on all tables in schema graphile_worker to wl_writer;
grant usage, select on all sequences in schema graphile_worker to wl_writer;
grant execute on all functions in schema graphile_worker to wl_writer;
-- graphile-worker enables row-level security on its private tables (so an API never
-- exposes them); their owner bypasses it, wl_writer needs a policy
do $$
declare t record;
begin
  for t in
    select c.oid::regclass as rel from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity
  loop
    execute format('drop policy if exists wl_writer_all on %s', t.rel);
    execute format('create policy wl_writer_all on %s for all to wl_writer using (true) with check (true)', t.rel);
  end loop;
end $$;
