-- strategy_config: defaults and typed accessors; set_config() is the one audited writer.
-- Owns: watchlist.strategy_config rows (defaults only: existing values are kept),
--       watchlist.strategy_config_audit.

insert into watchlist.strategy_config (key, value, description) values
  ('event.n_consecutive', '2', 'an event opens on the N-th consecutive triggered minute'),
  ('event.gap_minutes', '3', 'an open event extends while triggers arrive within M minutes; closes after M quiet minutes')
on conflict (key) do nothing;

create or replace function watchlist.cfg(p_key text) returns jsonb
language sql stable parallel safe as $$
  select value from watchlist.strategy_config where key = p_key
$$;

create or replace function watchlist.cfg_num(p_key text, p_default double precision default null) returns double precision
language sql stable parallel safe as $$
  select coalesce((select (value #>> '{}')::double precision from watchlist.strategy_config where key = p_key), p_default)
$$;

create or replace function watchlist.cfg_text(p_key text, p_default text default null) returns text
language sql stable parallel safe as $$
  select coalesce((select value #>> '{}' from watchlist.strategy_config where key = p_key), p_default)
$$;

-- Every config change goes through here so it is audited with who and why.
create or replace function watchlist.set_config(p_key text, p_value jsonb, p_note text default null)
returns watchlist.strategy_config
language plpgsql volatile security definer set search_path = watchlist, pg_catalog as $$
declare
  v_old jsonb;
  v_row watchlist.strategy_config;
begin
  if p_value is null then
    raise exception 'set_config: value for % must not be null', p_key using errcode = '22004';
  end if;
  select value into v_old from watchlist.strategy_config where key = p_key for update;
  insert into watchlist.strategy_config (key, value, updated_at, updated_by)
  values (p_key, p_value, now(), session_user)
  on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = session_user
  returning * into v_row;
  insert into watchlist.strategy_config_audit (key, old_value, new_value, changed_by, note)
  values (p_key, v_old, p_value, coalesce(nullif(current_setting('wl.actor', true), ''), session_user), p_note);
  perform pg_notify('live_trade', json_build_object('type', 'config', 'key', p_key)::text);
  return v_row;
end $$;
