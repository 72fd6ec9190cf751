-- One installation, one client-id prefix; another installation on the same venue
-- account is detected and stops new trades there until an operator acknowledges.
-- Owns: watchlist.installation (read), watchlist.venue_foreign_activity.

create or replace function watchlist.installation_prefix() returns text
language sql stable as $$
  select prefix from watchlist.installation
$$;

-- The installation prefix inside one of our client order ids, or null when the id
-- does not follow our convention. `wl` [m] PREFIX digits letters digits; ids from
-- before prefixes (`wl123short1`) decode to the empty prefix.
create or replace function watchlist.client_id_prefix(p_client_order_id text) returns text
language sql immutable as $$
  select case
    when p_client_order_id ~ '^wlm?[A-Z]{6}[0-9]+[a-z]+[0-9]+$' then substring(p_client_order_id from '^wlm?([A-Z]{6})')
    when p_client_order_id ~ '^wlm?[0-9]+[a-z]+[0-9]+$' then ''
  end
$$;

-- Why new trades on a venue are refused, or null: unacknowledged foreign activity.
create or replace function watchlist.venue_trading_block(p_venue text) returns text
language sql stable as $$
  select format('another installation trades %s (%s, e.g. client id %s, seen %s): acknowledge with watchlist.acknowledge_foreign_activity(%L, note)',
                a.venue, a.kind, a.client_order_id, a.detected_at, a.venue)
  from watchlist.venue_foreign_activity a
  where a.venue = p_venue and a.acknowledged_at is null
  order by a.id limit 1
$$;

-- Record evidence (idempotent per venue, id and kind); an error row the first time.
create or replace function watchlist.note_foreign_activity(p_venue text, p_client_order_id text, p_kind text,
  p_evidence jsonb default null, p_signal_id bigint default null, p_order_id bigint default null) returns boolean
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_id bigint;
begin
  insert into watchlist.venue_foreign_activity (venue, client_order_id, foreign_prefix, kind, evidence)
  values (p_venue, p_client_order_id, watchlist.client_id_prefix(p_client_order_id), p_kind, p_evidence)
  on conflict (venue, client_order_id, kind) do nothing
  returning id into v_id;
  if v_id is null then return false; end if;
  perform watchlist.trade_error(p_signal_id, 'foreign_activity', p_venue, p_kind,
    format('%s: order %s is not this installation''s (prefix %s): new trades on %s are refused until an operator acknowledges',
      p_venue, p_client_order_id, watchlist.installation_prefix(), p_venue),
    coalesce(p_evidence, '{}') || jsonb_build_object('client_order_id', p_client_order_id), p_order_id);
  return true;
end $$;

-- Open orders a venue reports ({symbol, clientOrderId} list): any that follows our
-- convention with another prefix, and that we have no row for, is foreign.
create or replace function watchlist.note_foreign_open_orders(p_venue text, p_orders jsonb) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  r record;
  v_n int := 0;
begin
  perform watchlist.venue_open_orders(coalesce(p_orders, '[]')); -- shape: sql/venue_results.sql
  for r in
    select x->>'clientOrderId' as cid, x->>'symbol' as symbol
    from jsonb_array_elements(coalesce(p_orders, '[]')) x
    where watchlist.client_id_prefix(x->>'clientOrderId') is distinct from watchlist.installation_prefix()
      and watchlist.client_id_prefix(x->>'clientOrderId') is not null
      and not exists (select 1 from watchlist.live_trade_order o where o.client_order_id = x->>'clientOrderId' and o.exchange = p_venue)
  loop
    if watchlist.note_foreign_activity(p_venue, r.cid, 'foreign_open_order', jsonb_build_object('symbol', r.symbol)) then
      v_n := v_n + 1;
    end if;
  end loop;
  return v_n;
end $$;

-- The operator's acknowledgement: the venue trades again (audited).
create or replace function watchlist.acknowledge_foreign_activity(p_venue text, p_note text default null) returns integer
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare v_n int;
begin
  update watchlist.venue_foreign_activity set acknowledged_at = now(), acknowledged_by = watchlist.trader_actor(), note = p_note
  where venue = p_venue and acknowledged_at is null;
  get diagnostics v_n = row_count;
  perform watchlist.trader_audit('acknowledge_foreign_activity', jsonb_build_object('venue', p_venue, 'note', p_note),
    jsonb_build_object('acknowledged', v_n));
  return v_n;
end $$;

comment on function watchlist.venue_trading_block(text) is
  'Why new trades on a venue are refused (unacknowledged foreign activity), or null.';
