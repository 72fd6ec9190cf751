-- The paper venues' ledger rules: recording an order, its fills, the position and
-- account they move, in one transaction, the way an exchange's matching engine would.
-- Owns: functions on paper.account, paper.venue_order, paper.fill, paper.position
-- (tables in migration 000003). Custom SQLSTATEs the paper venue maps to VenueErrors:
--   WLP01 insufficient funds, WLP02 reduce-only violation; 23505 duplicate client id.

-- What a venue refuses before matching: a reduce-only order that would not reduce, and an
-- opening order whose margin at the symbol's leverage exceeds the account's free balance.
create or replace function paper.check_order(p_pos paper.position, p_acct paper.account, p_side text, p_sign int,
  p_reduce boolean, p_filled numeric, p_cost numeric) returns void
language plpgsql stable set search_path = paper, pg_catalog as $$
declare v_used numeric;
begin
  if p_reduce then
    if p_pos.size = 0 then
      raise exception 'reduce-only order for % on % but there is no position', p_pos.symbol, p_pos.venue using errcode = 'WLP02';
    elsif sign(p_pos.size) = p_sign then
      raise exception 'reduce-only % order would increase the % position on %', p_side, p_pos.symbol, p_pos.venue using errcode = 'WLP02';
    elsif p_filled > abs(p_pos.size) then
      raise exception 'reduce-only order of % exceeds the position % on %', p_filled, abs(p_pos.size), p_pos.venue using errcode = 'WLP02';
    end if;
  elsif p_pos.size = 0 or sign(p_pos.size) = p_sign then
    -- margin at the symbol's leverage must fit in what the account has free
    select coalesce(sum(abs(size) * entry_price / leverage), 0) into v_used
    from paper.position where venue = p_pos.venue and size <> 0;
    if p_acct.initial_balance + p_acct.realized_pnl - p_acct.fees - v_used < p_cost / p_pos.leverage then
      raise exception 'insufficient margin on %: need % USDT, free %', p_pos.venue, round(p_cost / p_pos.leverage, 4),
        round(p_acct.initial_balance + p_acct.realized_pnl - p_acct.fees - v_used, 4) using errcode = 'WLP01';
    end if;
  end if;
end $$;

create or replace function paper.record_order(p jsonb) returns bigint
language plpgsql volatile set search_path = paper, pg_catalog as $$
declare
  v_venue  text := p->>'venue';
  v_symbol text := p->>'symbol';
  v_sign   int := case p->>'side' when 'buy' then 1 when 'sell' then -1 end;
  v_reduce boolean := (p->>'reduce_only')::boolean;
  v_ts     timestamptz := to_timestamp((p->>'ts')::double precision / 1000);
  v_pos    paper.position;
  v_acct   paper.account;
  v_order  bigint;
  f        jsonb;
  v_qty    numeric;
  v_price  numeric;
  v_close  numeric;
  v_filled numeric := 0;
  v_cost   numeric := 0;
  v_fee    numeric := 0;
  v_realized numeric := 0;
  v_size   numeric;
  v_entry  numeric;
begin
  if v_sign is null then
    raise exception 'paper: side must be buy or sell' using errcode = '22023';
  end if;
  insert into paper.account (venue, initial_balance) values (v_venue, coalesce((p->>'initial_balance')::numeric, 10000))
  on conflict (venue) do nothing;
  -- orders on one venue are matched one at a time
  select * into v_acct from paper.account where venue = v_venue for update;
  insert into paper.position (venue, symbol) values (v_venue, v_symbol) on conflict do nothing;
  select * into v_pos from paper.position where venue = v_venue and symbol = v_symbol for update;

  select coalesce(sum((x->>'qty')::numeric), 0), coalesce(sum((x->>'qty')::numeric * (x->>'price')::numeric), 0)
    into v_filled, v_cost
  from jsonb_array_elements(p->'fills') x;

  perform paper.check_order(v_pos, v_acct, p->>'side', v_sign, v_reduce, v_filled, v_cost);

  insert into paper.venue_order (venue, client_order_id, symbol, side, reduce_only, amount, amount_str, filled,
                                 avg_price, fee, status, ts, meta)
  values (v_venue, p->>'client_order_id', v_symbol, p->>'side', v_reduce, (p->>'amount')::numeric, p->>'amount',
          v_filled, case when v_filled > 0 then v_cost / v_filled end, 0, p->>'status', v_ts, p->'meta')
  returning id into v_order;

  v_size := v_pos.size;
  v_entry := v_pos.entry_price;
  for f in select * from jsonb_array_elements(p->'fills') loop
    v_qty := (f->>'qty')::numeric;
    v_price := (f->>'price')::numeric;
    v_fee := v_fee + (f->>'fee')::numeric;
    insert into paper.fill (order_id, venue, symbol, trade_id, price, qty, fee, ts)
    values (v_order, v_venue, v_symbol, f->>'trade_id', v_price, v_qty, (f->>'fee')::numeric, v_ts);
    if v_size = 0 or sign(v_size) = v_sign then
      v_entry := (coalesce(v_entry, 0) * abs(v_size) + v_price * v_qty) / (abs(v_size) + v_qty);
      v_size := v_size + v_sign * v_qty;
    else
      v_close := least(v_qty, abs(v_size));
      v_realized := v_realized + v_close * (v_price - v_entry) * sign(v_size);
      v_size := v_size + v_sign * v_qty;
      if v_size = 0 then
        v_entry := null;
      elsif sign(v_size) = v_sign then
        v_entry := v_price; -- flipped through zero: the remainder opened at this price
      end if;
    end if;
  end loop;

  update paper.venue_order set fee = v_fee where id = v_order;
  update paper.position set size = v_size, entry_price = v_entry, realized_pnl = realized_pnl + v_realized, updated_at = now()
  where venue = v_venue and symbol = v_symbol;
  update paper.account set realized_pnl = realized_pnl + v_realized, fees = fees + v_fee, updated_at = now()
  where venue = v_venue;
  return v_order;
end $$;

create or replace function paper.set_leverage(p_venue text, p_symbol text, p_leverage int) returns void
language sql volatile set search_path = paper, pg_catalog as $$
  insert into paper.position (venue, symbol, leverage) values (p_venue, p_symbol, p_leverage)
  on conflict (venue, symbol) do update set leverage = excluded.leverage, updated_at = now()
$$;

-- The account as an exchange reports it: total = deposit + realised − fees; free = total − margin in use.
create or replace function paper.balance(p_venue text, p_initial numeric default 10000)
returns table (total numeric, free numeric)
language sql stable set search_path = paper, pg_catalog as $$
  with a as (
    select coalesce((select initial_balance + realized_pnl - fees from paper.account where venue = p_venue), p_initial)
           + coalesce((select sum(amount) from paper.funding_ledger where venue = p_venue), 0) as total
  ), m as (
    select coalesce(sum(abs(size) * entry_price / leverage), 0) as used from paper.position where venue = p_venue and size <> 0
  )
  select a.total, a.total - m.used from a, m
$$;

-- Funding settled into the paper account (issue 11 item 2): one ledger row per settlement
-- with a position, − rate × the signed position just before it × its last fill price.
-- p_points: [{ts (ms), rate}]. Idempotent. Returns the rows added.
create or replace function paper.settle_funding(p_venue text, p_symbol text, p_points jsonb)
returns integer language sql set search_path = paper, pg_catalog as $$
  with t as (
    select to_timestamp((p ->> 'ts')::float8 / 1000) as ts, (p ->> 'rate')::numeric as rate
    from jsonb_array_elements(p_points) p
  ), ins as (
    insert into paper.funding_ledger (venue, symbol, ts, rate, size, price, amount)
    select p_venue, p_symbol, t.ts, t.rate, pos.size, pos.price, -(t.rate * pos.size * pos.price)
    from t cross join lateral (
      select sum(case when o.side = 'buy' then f.qty else -f.qty end) as size,
             (array_agg(f.price order by f.ts desc, f.id desc))[1] as price
      from paper.fill f join paper.venue_order o on o.id = f.order_id
      where o.venue = p_venue and o.symbol = p_symbol and f.ts < t.ts
    ) pos
    where pos.size <> 0
    on conflict (venue, symbol, ts) do nothing
    returning 1
  )
  select count(*)::int from ins
$$;
