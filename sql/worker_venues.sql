-- The venues the worker actually runs (WL_VENUES / --venues) and the markets each
-- loaded, so SQL decisions never admit what no process can execute: the gate
-- refuses a venue no worker runs ('venue_not_running'), manual_trade refuses an
-- unknown venue or symbol.
-- Owns: watchlist.worker_venue, watchlist.venue_market (migration 000010) and the
--       functions below.

-- Called by the worker process when it builds its venue set: replaces the previous
-- set (one worker configuration per installation; the last worker to start wins).
-- p_venues: [{venue, mode, markets_loaded, symbols: [...]}]
create or replace function watchlist.record_worker_venues(p_worker text, p_venues jsonb) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_n integer;
begin
  perform pg_advisory_xact_lock(hashtext('wl:worker_venue'));
  delete from watchlist.worker_venue;
  insert into watchlist.worker_venue (venue, mode, markets_loaded, n_markets, worker)
  select v->>'venue', coalesce(v->>'mode', 'unknown'), coalesce((v->>'markets_loaded')::boolean, false),
         coalesce(jsonb_array_length(v->'symbols'), 0), p_worker
  from jsonb_array_elements(p_venues) v;
  get diagnostics v_n = row_count;
  insert into watchlist.venue_market (venue, symbol)
  select distinct v->>'venue', sym
  from jsonb_array_elements(p_venues) v, jsonb_array_elements_text(coalesce(v->'symbols', '[]')) sym;
  perform pg_notify('live_trade', json_build_object('type', 'worker_venues', 'venues',
    (select json_agg(venue order by venue) from watchlist.worker_venue))::text);
  return v_n;
end $$;

create or replace function watchlist.venue_running(p_venue text) returns boolean
language sql stable parallel safe as $$
  select exists (select 1 from watchlist.worker_venue where venue = p_venue)
$$;

