-- Venue modes: how each venue of the running worker trades, so nobody mistakes a
-- live exchange for the simulator (or the other way round).
-- Owns: watchlist.venue_mode (rows), watchlist.known_venue rows with source 'worker'.

-- The worker's start: its venues replace the previous set; each becomes a known venue
-- (the raw guard accepts rows naming it).
create or replace function watchlist.record_venue_modes(p_requested text, p_modes jsonb) returns void
language sql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  with m as (
    select x.venue, x.mode, coalesce(x.markets_loaded, false) as markets_loaded
    from jsonb_to_recordset(p_modes) as x(venue text, mode text, markets_loaded boolean)
  ),
  gone as (
    delete from watchlist.venue_mode v where v.venue not in (select venue from m)
  ),
  known as (
    insert into watchlist.known_venue (venue, source) select venue, 'worker' from m
    on conflict (venue) do nothing
  )
  insert into watchlist.venue_mode (venue, mode, requested_mode, markets_loaded, started_at)
  select venue, mode, p_requested, markets_loaded, now() from m
  on conflict (venue) do update set mode = excluded.mode, requested_mode = excluded.requested_mode,
    markets_loaded = excluded.markets_loaded, started_at = excluded.started_at
$$;
comment on function watchlist.record_venue_modes(text, jsonb) is
  'Called by the worker at start: its venues and how each trades (live, sandbox, shadow, paper).';

comment on column watchlist.venue_mode.venue is 'Venue name (binance, okx, bybit, bitget, …).';
comment on column watchlist.venue_mode.mode is 'live, sandbox, shadow or paper.';
comment on column watchlist.venue_mode.requested_mode is 'WL_VENUE_MODE the worker started with: auto, paper, shadow or live.';
comment on column watchlist.venue_mode.markets_loaded is 'Whether the venue answered with its markets at start (an unreachable exchange stays configured; its calls fail and are recorded until it answers).';
comment on column watchlist.venue_mode.started_at is 'When the worker that wrote this row started.';
