-- Venue preflight: what each venue's account looked like before money moved.
-- Owns: watchlist.venue_preflight (migration 000008) and the functions below.
-- A venue whose latest preflight has a failed check is not traded: trade_begin_open
-- refuses a signal with either leg on it (sql/trade_state.sql).

-- Record one venue's run (replaces its previous rows). p_checks: [{check, ok, detail}].
-- Every failed check is also a live_trade_error row (stage 'preflight'), so the error
-- history, NOTIFY live_trade_error and the pages see it. Returns true when tradeable.
create or replace function watchlist.record_venue_preflight(p_venue text, p_environment text, p_checks jsonb)
returns boolean
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare c jsonb;
begin
  if p_venue is null or p_venue = '' then raise exception 'record_venue_preflight: venue required'; end if;
  if jsonb_typeof(p_checks) is distinct from 'array' or jsonb_array_length(p_checks) = 0 then
    raise exception 'record_venue_preflight(%): checks must be a non-empty array', p_venue;
  end if;
  delete from watchlist.venue_preflight where venue = p_venue;
  for c in select * from jsonb_array_elements(p_checks) loop
    if jsonb_typeof(c->'ok') is distinct from 'boolean' or coalesce(c->>'check', '') = '' then
      raise exception 'record_venue_preflight(%): bad check %', p_venue, c;
    end if;
    insert into watchlist.venue_preflight (venue, "check", ok, detail, environment)
    values (p_venue, c->>'check', (c->>'ok')::boolean, coalesce(c->>'detail', ''), p_environment);
    if not (c->>'ok')::boolean then
      perform watchlist.trade_error(null, 'preflight', p_venue, 'PreflightFailed',
        format('%s preflight %s failed: %s', p_venue, c->>'check', coalesce(c->>'detail', '')),
        jsonb_build_object('check', c->>'check', 'environment', p_environment));
    end if;
  end loop;
  perform pg_notify('live_trade', json_build_object('kind', 'venue_preflight', 'venue', p_venue,
    'tradeable', watchlist.venue_tradeable(p_venue))::text);
  return watchlist.venue_tradeable(p_venue);
end $$;

-- At start-up (wl up / wl worker) the configured venues are all of them: rows of a venue no
-- longer configured would only mislead the pages (an old SANDBOX or failure banner).
create or replace function watchlist.prune_venue_preflight(p_keep text[]) returns integer
language sql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
  with d as (delete from watchlist.venue_preflight where venue <> all (p_keep) returning 1)
  select count(*)::int from d
$$;

-- A venue with a failed check in its latest preflight is not traded. A venue never
-- checked (a paper venue in a test, a process that did not run preflight) is tradeable:
-- wl up and wl worker run preflight before their first job.
create or replace function watchlist.venue_tradeable(p_venue text) returns boolean
language sql stable as $$
  select not exists (select 1 from watchlist.venue_preflight where venue = p_venue and not ok)
$$;

-- Why a venue is not traded: its failed checks, or null when it is tradeable.
create or replace function watchlist.venue_preflight_failure(p_venue text) returns text
language sql stable as $$
  select string_agg(format('%s: %s', "check", detail), '; ' order by "check")
  from watchlist.venue_preflight where venue = p_venue and not ok
$$;

comment on column watchlist.venue_preflight.venue is 'Venue name (binance, okx, bybit, bitget or a paper venue).';
comment on column watchlist.venue_preflight."check" is 'The check: position_mode, margin_mode, leverage, clock, key_permissions (paper venues: paper).';
comment on column watchlist.venue_preflight.ok is 'True when the check passed.';
comment on column watchlist.venue_preflight.detail is 'What was found (and, when it failed, what to change on the account).';
comment on column watchlist.venue_preflight.environment is 'live (real account), sandbox (the exchange''s demo/testnet), paper or shadow (simulated fills).';
comment on column watchlist.venue_preflight.checked_at is 'When the check ran.';
comment on function watchlist.venue_tradeable(text) is 'False when the venue''s latest preflight has a failed check.';
comment on function watchlist.venue_preflight_failure(text) is 'The venue''s failed preflight checks as text, null when it is tradeable.';
