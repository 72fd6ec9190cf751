-- The one shape each venue result crosses into SQL with: a schema-checked jsonb.
-- Owns: no table; the validators below, called first by every entry point that
--       takes a venue result (trade_record_order, record_venue_positions,
--       note_foreign_open_orders, trade_recheck / trade_prepare_open for the leg checks
--       that carry balances and market minimums).
--
-- Why jsonb and not a composite type: a result holds nested arrays (an order's fills)
-- and the venue's raw reply, and the TS side already has it as an object. Why checked:
-- the keys are the TypeScript field names (workers/venues/types.ts, camelCase), so a
-- rename on either side used to read as a silent null (`->>'filledBase'` of a missing
-- key). Each validator names the missing or mistyped field and raises 22023, so the
-- job fails loudly and retries instead of recording nothing.
-- The TS side builds these objects from one zod schema per shape
-- (workers/sql/venue-shapes.ts); the field lists here and there are the same.
--
-- Field types: string, decimal (a JSON string holding a decimal number: money and
-- quantities never travel as floats), number, boolean, array, object, any; a
-- trailing '?' allows JSON null (the key must still be present).

create or replace function watchlist.check_jsonb_fields(p_what text, p_value jsonb, p_fields jsonb) returns jsonb
language plpgsql immutable as $$
declare
  k text;
  t text;
  v jsonb;
  v_nullable boolean;
  v_ok boolean;
begin
  if jsonb_typeof(p_value) is distinct from 'object' then
    raise exception '%: expected a JSON object, got %', p_what, coalesce(jsonb_typeof(p_value), 'SQL null')
      using errcode = '22023';
  end if;
  for k, t in select key, value from jsonb_each_text(p_fields) loop
    v_nullable := right(t, 1) = '?';
    t := rtrim(t, '?');
    if not p_value ? k then
      raise exception '%: field "%" is missing (expected %)', p_what, k, t using errcode = '22023',
        hint = 'the shape is declared in sql/venue_results.sql and workers/sql/venue-shapes.ts';
    end if;
    v := p_value->k;
    if jsonb_typeof(v) = 'null' then
      continue when v_nullable;
      raise exception '%: field "%" is null (expected %)', p_what, k, t using errcode = '22023';
    end if;
    v_ok := case t
      when 'string' then jsonb_typeof(v) = 'string'
      when 'decimal' then jsonb_typeof(v) = 'string' and (v #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
      when 'number' then jsonb_typeof(v) = 'number'
      when 'boolean' then jsonb_typeof(v) = 'boolean'
      when 'array' then jsonb_typeof(v) = 'array'
      when 'object' then jsonb_typeof(v) = 'object'
      when 'any' then true
    end;
    if v_ok is null then
      raise exception 'check_jsonb_fields(%): unknown field type % for "%"', p_what, t, k using errcode = '22023';
    end if;
    if not v_ok then
      raise exception '%: field "%" should be %, got % %', p_what, k, t, jsonb_typeof(v), left(v::text, 80)
        using errcode = '22023';
    end if;
  end loop;
  return p_value;
end $$;

-- An order as a venue answered it (OrderResult), and each of its fills (OrderFill).
create or replace function watchlist.venue_order_result(p jsonb) returns jsonb
language plpgsql immutable as $$
declare f jsonb;
begin
  perform watchlist.check_jsonb_fields('venue order result', p, '{
    "symbol": "string", "id": "string?", "clientOrderId": "string", "side": "string", "status": "string",
    "amountBase": "decimal", "filledBase": "decimal", "avgPrice": "decimal?", "fee": "decimal?",
    "feeCurrency": "string?", "fills": "array", "ts": "number", "raw": "any?"}');
  for f in select * from jsonb_array_elements(p->'fills') loop
    perform watchlist.check_jsonb_fields('venue order fill', f, '{
      "tradeId": "string", "price": "decimal", "amountBase": "decimal", "fee": "decimal?",
      "feeCurrency": "string?", "ts": "number"}');
  end loop;
  return p;
end $$;

-- Positions as a venue reports them (Position[]).
create or replace function watchlist.venue_positions(p jsonb) returns jsonb
language plpgsql immutable as $$
declare x jsonb;
begin
  if jsonb_typeof(p) is distinct from 'array' then
    raise exception 'venue positions: expected a JSON array, got %', coalesce(jsonb_typeof(p), 'SQL null') using errcode = '22023';
  end if;
  for x in select * from jsonb_array_elements(p) loop
    perform watchlist.check_jsonb_fields('venue position', x, '{
      "symbol": "string", "sizeBase": "decimal", "entryPrice": "decimal?", "unrealizedPnl": "decimal?"}');
  end loop;
  return p;
end $$;

-- The account's open orders, as client ids (foreign-installation detection).
create or replace function watchlist.venue_open_orders(p jsonb) returns jsonb
language plpgsql immutable as $$
declare x jsonb;
begin
  if jsonb_typeof(p) is distinct from 'array' then
    raise exception 'venue open orders: expected a JSON array, got %', coalesce(jsonb_typeof(p), 'SQL null') using errcode = '22023';
  end if;
  for x in select * from jsonb_array_elements(p) loop
    perform watchlist.check_jsonb_fields('venue open order', x, '{"symbol": "string", "clientOrderId": "string"}');
  end loop;
  return p;
end $$;

-- Both legs as the re-check and trade_prepare_open see them: the venue's market
-- minimums and steps and its free balance (LegCheck in workers/sql/venue-shapes.ts).
create or replace function watchlist.venue_leg_checks(p jsonb) returns jsonb
language plpgsql immutable as $$
declare x jsonb;
begin
  if jsonb_typeof(p) is distinct from 'array' then
    raise exception 'leg checks: expected a JSON array, got %', coalesce(jsonb_typeof(p), 'SQL null') using errcode = '22023';
  end if;
  for x in select * from jsonb_array_elements(p) loop
    perform watchlist.check_jsonb_fields('leg check', x, '{
      "leg": "string", "exchange": "string", "symbol": "string", "ref_price": "number?", "amount_step": "decimal",
      "contract_size": "number", "min_amount": "number?", "min_cost_usdt": "number?", "free_usdt": "decimal?",
      "balance_error": "string?", "client_order_id": "string"}');
  end loop;
  return p;
end $$;
