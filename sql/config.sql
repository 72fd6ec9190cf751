-- Settings: typed reads from the registry, the one validator, the one audited writer.
-- Owns: the functions below and the trigger on watchlist.strategy_config.
-- The registry rows (watchlist.setting: type, unit, default, range) live in
-- sql/settings.sql; strategy_config holds each setting's current value.
--
-- A read returns the stored value, else the registry default; a key that is not
-- registered raises (42704) instead of returning NULL, so a typo cannot silently
-- turn a rule off.

create or replace function watchlist.setting_unregistered(p_key text) returns jsonb
language plpgsql stable as $$
begin
  raise exception 'setting "%" is not registered (see watchlist.setting)', p_key
    using errcode = '42704', hint = 'register it in sql/settings.sql';
end $$;

create or replace function watchlist.setting_value(p_key text) returns jsonb
language sql stable parallel safe as $$
  select coalesce(
    (select coalesce(c.value, s.default_value)
     from watchlist.setting s left join watchlist.strategy_config c on c.key = s.key
     where s.key = p_key),
    watchlist.setting_unregistered(p_key))
$$;

create or replace function watchlist.cfg(p_key text) returns jsonb
language sql stable parallel safe as $$
  select watchlist.setting_value(p_key)
$$;

-- p_default is ignored (the registry default rules); the argument stays so callers
-- written as cfg_num('key', literal) keep working until they are cleaned up.
create or replace function watchlist.cfg_num(p_key text, p_default double precision default null) returns double precision
language sql stable parallel safe as $$
  select (watchlist.setting_value(p_key) #>> '{}')::double precision
$$;

create or replace function watchlist.cfg_text(p_key text, p_default text default null) returns text
language sql stable parallel safe as $$
  select watchlist.setting_value(p_key) #>> '{}'
$$;

-- What a setting accepts, in words, for error messages and v_settings.
create or replace function watchlist.setting_domain(s watchlist.setting) returns text
language sql stable as $$
  select case
    when s.type in ('number', 'integer', 'integer_array') then
      case s.type when 'number' then 'a number' when 'integer' then 'an integer' else 'a JSON array of integers each' end
      || format(' in [%s, %s]', coalesce(s.min_value::text, '-inf'),
           case when s.max_key is not null
                then format('%s = %s', s.max_key, watchlist.setting_value(s.max_key))
                else coalesce(s.max_value::text, 'inf') end)
    when s.type = 'boolean' then 'true or false'
    when s.type = 'text' then coalesce('one of ' || s.allowed_values::text, 'a string' || coalesce(' matching ' || s.pattern, ''))
    else 'a JSON array of strings' || coalesce(' from ' || s.allowed_values::text, coalesce(' matching ' || s.pattern, ''))
  end || case when s.nullable then ', or null' else '' end
$$;

-- NULL when p_value is valid for p_key, else why not.
create or replace function watchlist.setting_error(p_key text, p_value jsonb) returns text
language plpgsql stable as $$
declare
  s watchlist.setting;
  v numeric;
  v_max numeric;
  e jsonb;
  t text := jsonb_typeof(p_value);
begin
  select * into s from watchlist.setting where key = p_key;
  if not found then return 'unknown setting'; end if;
  if p_value is null or t = 'null' then
    return case when s.nullable and p_value is not null then null else 'expected ' || watchlist.setting_domain(s) end;
  end if;
  if s.type in ('number', 'integer') then
    if t <> 'number' then return 'expected ' || watchlist.setting_domain(s); end if;
    v := p_value::text::numeric;
    if s.type = 'integer' and v <> trunc(v) then return 'expected ' || watchlist.setting_domain(s); end if;
    v_max := case when s.max_key is null then s.max_value else (watchlist.setting_value(s.max_key) #>> '{}')::numeric end;
    if v < s.min_value or v > v_max then return 'expected ' || watchlist.setting_domain(s); end if;
    -- a cap may not drop under a value already set against it
    for e in select to_jsonb(x) from watchlist.setting x where x.max_key = p_key loop
      if (watchlist.setting_value(e->>'key') #>> '{}')::numeric > v then
        return format('%s is %s now; lower it first', e->>'key', watchlist.setting_value(e->>'key'));
      end if;
    end loop;
  elsif s.type = 'boolean' then
    if t <> 'boolean' then return 'expected ' || watchlist.setting_domain(s); end if;
  elsif s.type = 'text' then
    if t <> 'string' or (s.allowed_values is not null and not s.allowed_values @> jsonb_build_array(p_value))
       or (s.pattern is not null and (p_value #>> '{}') !~ s.pattern) then
      return 'expected ' || watchlist.setting_domain(s);
    end if;
  else -- text_array, integer_array
    if t <> 'array' then return 'expected ' || watchlist.setting_domain(s); end if;
    for e in select jsonb_array_elements(p_value) loop
      if s.type = 'text_array' then
        if jsonb_typeof(e) <> 'string' or (s.allowed_values is not null and not s.allowed_values @> jsonb_build_array(e))
           or (s.pattern is not null and (e #>> '{}') !~ s.pattern) then
          return 'expected ' || watchlist.setting_domain(s);
        end if;
      else
        if jsonb_typeof(e) <> 'number' or e::text::numeric <> trunc(e::text::numeric)
           or e::text::numeric < s.min_value or e::text::numeric > s.max_value then
          return 'expected ' || watchlist.setting_domain(s);
        end if;
      end if;
    end loop;
    if (select count(*) <> count(distinct x) from jsonb_array_elements(p_value) x) then
      return 'expected ' || watchlist.setting_domain(s) || ', without repeats';
    end if;
  end if;
  return null;
end $$;

-- Every write to strategy_config is checked, whoever makes it (set_config, psql).
create or replace function watchlist.strategy_config_check() returns trigger
language plpgsql as $$
declare v_err text := watchlist.setting_error(new.key, new.value);
begin
  if v_err = 'unknown setting' then
    raise exception 'setting "%" is unknown (see watchlist.setting)', new.key using errcode = '42704';
  elsif v_err is not null then
    raise exception 'setting % = % refused: %', new.key, coalesce(new.value::text, 'NULL'), v_err using errcode = '22023';
  end if;
  return new;
end $$;
select watchlist.ensure_trigger('watchlist.strategy_config', '_100_check', $ddl$
create trigger _100_check before insert or update on watchlist.strategy_config
  for each row execute function watchlist.strategy_config_check()
$ddl$);

-- Store one validated setting with its audit row (who and why) and a NOTIFY. Internal:
-- the trader reaches it through set_config, and the kill switch through set_kill_switch,
-- so a level 2 always flattens whichever door it came through.
create or replace function watchlist.store_config(p_key text, p_value jsonb, p_note text default null)
returns watchlist.strategy_config
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_old jsonb;
  v_row watchlist.strategy_config;
  v_err text;
begin
  if not exists (select 1 from watchlist.setting where key = p_key) then
    raise exception 'set_config: unknown setting "%"', p_key
      using errcode = '42704', hint = 'list the settings with: select key, type, domain from watchlist.v_settings';
  end if;
  -- serialise writers, so a cap and the value it bounds (trade.leverage_max vs
  -- trade.leverage) are checked against each other's committed values
  perform pg_advisory_xact_lock(hashtext('wl:set_config'));
  v_err := watchlist.setting_error(p_key, p_value);
  if v_err is not null then
    raise exception 'set_config: % = % refused: %', p_key, coalesce(p_value::text, 'NULL'), v_err using errcode = '22023';
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

-- Every config change goes through here so it is audited with who and why. The kill
-- switch is a lever, not a number: its change goes to set_kill_switch, which also closes
-- every open trade and flattens manual positions at level 2.
create or replace function watchlist.set_config(p_key text, p_value jsonb, p_note text default null)
returns watchlist.strategy_config
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  v_row watchlist.strategy_config;
begin
  if p_key = 'kill_switch' then
    -- a value that is no whole number ('"x"', 1.5, null) is refused by store_config's check
    if jsonb_typeof(p_value) is distinct from 'number' or (p_value::numeric % 1) <> 0 or abs(p_value::numeric) > 1e6 then
      return watchlist.store_config(p_key, p_value, p_note);
    end if;
    perform watchlist.set_kill_switch(p_value::numeric::int, p_note);
    select * into v_row from watchlist.strategy_config where key = p_key;
    return v_row;
  end if;
  return watchlist.store_config(p_key, p_value, p_note);
end $$;
