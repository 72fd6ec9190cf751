-- Error text never carries credentials. ccxt puts the full request URL in some error
-- messages (Binance: `...&timestamp=…&signature=<hmac>`), and a response or header
-- dump can carry an API key. Whatever path an error takes into the tables below
-- (trade_error, order failures, venue health, the collector's and the gate's own
-- inserts), a BEFORE trigger masks credential-shaped values once, here. The worker's
-- JS wrapper (workers/venues/scrub.ts) does the same, and also masks the exact key
-- values it holds, before anything is logged.
-- Owns: watchlist.scrub_secrets(text), watchlist.scrub_secrets(jsonb), the *_scrub
--       triggers on live_trade_error, live_trade_order, venue_health, manual_order.

create or replace function watchlist.scrub_secrets(p text) returns text
language sql immutable parallel safe set search_path = pg_catalog as $$
  -- name=value / "name":"value" / name: value for signature- and key-like names (same list as scrub.ts)
  select case when p is null then null else
    regexp_replace(p,
      '((?:signature|sign|apikey|api_key|api-key|secret|secretkey|secret_key|password|passphrase|access[-_]?key|access[-_]?sign|access[-_]?passphrase|x-mbx-apikey|ok-access-key|ok-access-sign|ok-access-passphrase|x-bapi-api-key|x-bapi-sign|access-token|token)["'']?\s*[=:]\s*["'']?)[^&\s"'',;}]+',
      '\1***', 'gi')
  end
$$;

create or replace function watchlist.scrub_secrets(p jsonb) returns jsonb
language plpgsql immutable parallel safe set search_path = pg_catalog as $$
begin
  if p is null then return null; end if;
  return watchlist.scrub_secrets(p::text)::jsonb;
exception when others then
  -- a masked number left the text invalid JSON: keep it as one masked string, never fail the insert
  return to_jsonb(watchlist.scrub_secrets(p::text));
end $$;

comment on function watchlist.scrub_secrets(text) is
  'Masks credential-shaped values (signature=…, apiKey=…, passphrase headers) in error text before it is stored.';

create or replace function watchlist.scrub_error_row() returns trigger
language plpgsql as $$
begin
  case tg_table_name
    when 'live_trade_error' then
      new.message := watchlist.scrub_secrets(new.message);
      new.payload := watchlist.scrub_secrets(new.payload);
    when 'live_trade_order' then
      new.error := watchlist.scrub_secrets(new.error);
    when 'venue_health' then
      new.last_error := watchlist.scrub_secrets(new.last_error);
    when 'manual_order' then
      new.error := watchlist.scrub_secrets(new.error);
  end case;
  return new;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_error', '_200_scrub', $ddl$
create trigger _200_scrub before insert or update of message, payload on watchlist.live_trade_error
  for each row execute function watchlist.scrub_error_row()
$ddl$);
select watchlist.ensure_trigger('watchlist.live_trade_order', '_200_scrub', $ddl$
create trigger _200_scrub before insert or update of error on watchlist.live_trade_order
  for each row when (new.error is not null) execute function watchlist.scrub_error_row()
$ddl$);
select watchlist.ensure_trigger('watchlist.venue_health', '_200_scrub', $ddl$
create trigger _200_scrub before insert or update of last_error on watchlist.venue_health
  for each row when (new.last_error is not null) execute function watchlist.scrub_error_row()
$ddl$);
select watchlist.ensure_trigger('watchlist.manual_order', '_200_scrub', $ddl$
create trigger _200_scrub before insert or update of error on watchlist.manual_order
  for each row when (new.error is not null) execute function watchlist.scrub_error_row()
$ddl$);
