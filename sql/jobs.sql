-- The bridge from SQL to graphile-worker. graphile_worker.add_job needs owner
-- rights on the worker schema, so SQL decisions (gate, monitor trigger, manual
-- trades) enqueue through this SECURITY DEFINER wrapper, in their own transaction.
-- Owns: nothing but this function.
create or replace function watchlist.enqueue(
  p_task text,
  p_payload json default '{}',
  p_job_key text default null,
  p_run_at timestamptz default null,
  p_max_attempts int default null,
  p_queue text default null
) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_id bigint;
begin
  select (j).id into v_id from graphile_worker.add_job(
    identifier => p_task,
    payload => p_payload,
    queue_name => p_queue,
    run_at => p_run_at,
    max_attempts => p_max_attempts,
    job_key => p_job_key
  ) j;
  return v_id;
end $$;
