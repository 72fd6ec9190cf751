-- Money in one currency: fees converted to USDT (the fee as charged is kept), the
-- realised cash, fees and funding of a trade's fills, and the realised loss of a
-- trade that ended partial_failed (its live_trade_exit 'rollback' row).
-- Owns: live_trade_fill.fee_usdt / fee_rate / fee_rate_source / fee_conversion_attempts,
--       live_trade_exit rows with reason 'rollback', live_trade_exit.fees_unconverted.

-- A fee charged in the settle currency needs no price. Blank currency: the venue did not
-- say, and a linear USDT perp charges in USDT unless the account pays in another coin,
-- which every venue names (Binance commissionAsset), so blank is USDT.
create or replace function watchlist.live_trade_fill_fee_usdt() returns trigger
language plpgsql as $$
begin
  if new.fee is null or new.fee = 0 then
    new.fee_usdt := coalesce(new.fee, 0);
    new.fee_rate := 1;
    new.fee_rate_source := case when new.fee is null then 'no_fee_reported' else 'zero' end;
  elsif upper(coalesce(nullif(new.fee_currency, ''), 'USDT')) = 'USDT' then
    new.fee_usdt := new.fee;
    new.fee_rate := 1;
    new.fee_rate_source := 'same_currency';
  elsif tg_op = 'UPDATE' and (new.fee is distinct from old.fee or new.fee_currency is distinct from old.fee_currency) then
    new.fee_usdt := null; -- a corrected fee needs a new price
    new.fee_rate := null;
    new.fee_rate_source := null;
  end if;
  return new;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_fill', '_200_fee_usdt', $ddl$
create trigger _200_fee_usdt before insert or update of fee, fee_currency on watchlist.live_trade_fill
  for each row execute function watchlist.live_trade_fill_fee_usdt()
$ddl$);

-- Fills whose fee still needs a USDT price (all trades when p_signal_id is null).
-- A fill is retried by the minute job until trade.fee_conversion_attempts failures.
drop function if exists watchlist.fee_conversion_pending(bigint, integer);
create or replace function watchlist.fee_conversion_pending(p_signal_id bigint default null, p_max_attempts integer default null)
returns table (fill_id bigint, signal_id bigint, exchange text, currency text, fee numeric, ts_ms double precision)
language sql stable as $$
  select f.id, f.signal_id, f.exchange, f.fee_currency, f.fee, extract(epoch from f.ts) * 1000
  from watchlist.live_trade_fill f
  where f.fee_usdt is null and (p_signal_id is null or f.signal_id = p_signal_id)
    and f.fee_conversion_attempts < coalesce(p_max_attempts, watchlist.cfg_num('trade.fee_conversion_attempts')::int)
  order by f.id
$$;

-- Record a fee's conversion: p_rate = USDT per unit of the fee currency at the fill time
-- (from the venue, p_source says which market and candle). A null rate is a failure:
-- an error row, the attempt counted, and the fee stays unconverted (PnL flags it).
create or replace function watchlist.record_fee_conversion(p_fill_id bigint, p_rate numeric, p_source text, p_error text default null)
returns numeric
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare f watchlist.live_trade_fill;
begin
  select * into f from watchlist.live_trade_fill where id = p_fill_id for update;
  if not found or f.fee_usdt is not null then return f.fee_usdt; end if;
  if p_rate is null or p_rate <= 0 then
    update watchlist.live_trade_fill set fee_conversion_attempts = fee_conversion_attempts + 1 where id = p_fill_id;
    perform watchlist.trade_error(f.signal_id, 'fee_conversion', f.exchange, 'FeeConversion',
      format('fee %s %s of fill %s (%s) not converted to USDT: %s', f.fee, f.fee_currency, f.id, f.ts,
             coalesce(p_error, 'no price')),
      jsonb_build_object('fill_id', f.id, 'fee', f.fee, 'fee_currency', f.fee_currency, 'source', p_source));
    return null;
  end if;
  update watchlist.live_trade_fill set fee_usdt = f.fee * p_rate, fee_rate = p_rate, fee_rate_source = p_source
  where id = p_fill_id returning * into f;
  -- the monitor's estimate uses the entry fees; a finished trade's PnL is recomputed
  update watchlist.live_trade_signal s set entry_fees_usdt = (
      select sum(coalesce(x.fee_usdt, 0)) from watchlist.live_trade_fill x join watchlist.live_trade_order o on o.id = x.order_id
      where o.signal_id = s.id and o.purpose = 'open')
  where s.id = f.signal_id and s.entry_fees_usdt is not null
    and exists (select 1 from watchlist.live_trade_order o where o.id = f.order_id and o.purpose = 'open');
  perform watchlist.trade_exit_refresh_fees(f.signal_id);
  return f.fee_usdt;
end $$;

-- The cash side of a trade from its fills (every order purpose unless p_purposes says
-- otherwise: open, close, flatten and any leg-evening order are all the trade's cash):
-- sells +, buys −, fees in USDT, and the fees still in another currency per currency.
create or replace function watchlist.trade_fill_money(p_signal_id bigint, p_purposes text[] default null)
returns table (cash numeric, fees_usdt numeric, fees_unconverted jsonb, notional_long numeric, notional_short numeric,
               exit_short numeric, exit_long numeric, last_fill_at timestamptz)
language sql stable as $$
  with x as (
    select o.leg, o.purpose, o.side, f.price, f.qty, f.fee, f.fee_currency, f.fee_usdt, f.ts
    from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
    where o.signal_id = p_signal_id and (p_purposes is null or o.purpose = any(p_purposes)))
  select coalesce(sum(case when side = 'sell' then price * qty else -price * qty end), 0),
         coalesce(sum(fee_usdt), 0),
         (select jsonb_object_agg(c, a) from (select fee_currency c, sum(fee) a from x where fee_usdt is null group by 1) u),
         -- held notional: an open leg less what a trim took off it at once
         sum(case when purpose = 'open' then price * qty else -price * qty end) filter (where purpose in ('open', 'trim') and leg = 'long'),
         sum(case when purpose = 'open' then price * qty else -price * qty end) filter (where purpose in ('open', 'trim') and leg = 'short'),
         sum(price * qty) filter (where purpose = 'close' and leg = 'short') / nullif(sum(qty) filter (where purpose = 'close' and leg = 'short'), 0),
         sum(price * qty) filter (where purpose = 'close' and leg = 'long') / nullif(sum(qty) filter (where purpose = 'close' and leg = 'long'), 0),
         max(ts)
  from x
$$;

-- Funding while a trade was held, per leg, from what the worker fetched:
--   {"short": {"source": "account", "payments": [{"ts": ms, "amount": "-0.01", "currency": "USDT"}]},
--    "long":  {"source": "public_rate", "rates": [{"ts": ms, "rate": 0.0001}]}}
-- 'account' is the venue's own record of what the account paid/received (signed, + received);
-- 'public_rate' is the estimate from published rates (the short receives rate × entry notional,
-- the long pays it), used only when the account's history could not be had. Only settlements in
-- (p_from, p_until] count: nothing after the close fill.
create or replace function watchlist.trade_funding(p_funding jsonb, p_from timestamptz, p_until timestamptz,
  p_notional_short numeric, p_notional_long numeric, out funding_usdt numeric, out sources jsonb)
language plpgsql stable as $$
declare
  l text;
  v jsonb;
  v_src text;
  v_sum numeric;
begin
  funding_usdt := 0;
  sources := '{}';
  foreach l in array array['short', 'long'] loop
    v := p_funding->l;
    v_src := coalesce(v->>'source', 'none');
    if v_src = 'account' then
      select coalesce(sum((x->>'amount')::numeric), 0) into v_sum
      from jsonb_array_elements(coalesce(v->'payments', '[]')) x
      where to_timestamp((x->>'ts')::float8 / 1000) > p_from and to_timestamp((x->>'ts')::float8 / 1000) <= p_until
        and upper(coalesce(nullif(x->>'currency', ''), 'USDT')) = 'USDT';
    elsif v_src = 'public_rate' then
      select coalesce(sum((x->>'rate')::numeric), 0) * coalesce(case when l = 'short' then p_notional_short else -p_notional_long end, 0)
      into v_sum
      from jsonb_array_elements(coalesce(v->'rates', '[]')) x
      where to_timestamp((x->>'ts')::float8 / 1000) > p_from and to_timestamp((x->>'ts')::float8 / 1000) <= p_until;
    else
      v_sum := 0;
    end if;
    funding_usdt := funding_usdt + v_sum;
    sources := sources || jsonb_build_object(l, v_src);
  end loop;
end $$;

-- A finished exit's fees and realised PnL again (a fee converted after the exit was written).
create or replace function watchlist.trade_exit_refresh_fees(p_signal_id bigint) returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  e watchlist.live_trade_exit;
  m record;
begin
  select * into e from watchlist.live_trade_exit where signal_id = p_signal_id and closed_at is not null for update;
  if not found then return; end if;
  select * into m from watchlist.trade_fill_money(p_signal_id);
  update watchlist.live_trade_exit set
    fees_usdt = m.fees_usdt,
    fees_unconverted = m.fees_unconverted,
    realized_pnl_usdt = case when realized_pnl_usdt is not null then m.cash - m.fees_usdt + coalesce(funding_usdt, 0) end,
    realized_pnl_frac = case when realized_pnl_usdt is not null then
      ((m.cash - m.fees_usdt + coalesce(funding_usdt, 0)) / nullif(coalesce(m.notional_long, m.notional_short), 0))::float8 end
  where id = e.id;
end $$;

-- A partial_failed trade's realised loss: the lone leg's open and flatten fills and fees.
-- Written when the trade becomes partial_failed (trigger below), so every PnL view has it.
create or replace function watchlist.trade_rollback_exit(p_signal_id bigint) returns bigint
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  s watchlist.live_trade_signal;
  m record;
  v_fills jsonb;
  v_id bigint;
begin
  select * into s from watchlist.live_trade_signal where id = p_signal_id;
  if s.status <> 'partial_failed' then return null; end if;
  select * into m from watchlist.trade_fill_money(p_signal_id);
  select coalesce(jsonb_agg(jsonb_build_object('leg', o.leg, 'purpose', o.purpose, 'exchange', o.exchange, 'side', o.side,
           'client_order_id', o.client_order_id, 'price', f.price, 'qty', f.qty, 'fee', f.fee, 'fee_currency', f.fee_currency,
           'fee_usdt', f.fee_usdt, 'ts', f.ts) order by f.id), '[]')
  into v_fills
  from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
  where o.signal_id = p_signal_id;
  insert into watchlist.live_trade_exit as e (signal_id, reason, pnl_hat, requested_at, closed_at, exit_fills, fees_usdt,
    fees_unconverted, funding_usdt, funding_sources, realized_pnl_usdt, realized_pnl_frac)
  values (p_signal_id, 'rollback', watchlist.trade_pnl_hat(s), coalesce(s.closed_at, now()),
    coalesce(m.last_fill_at, s.closed_at, now()), v_fills, m.fees_usdt, m.fees_unconverted,
    -- held for the seconds between the legs: no settlement is assumed to fall inside
    0, '{"short": "not_held", "long": "not_held"}', m.cash - m.fees_usdt,
    ((m.cash - m.fees_usdt) / nullif(coalesce(m.notional_long, m.notional_short), 0))::float8)
  on conflict (signal_id) do update set exit_fills = excluded.exit_fills, fees_usdt = excluded.fees_usdt,
    fees_unconverted = excluded.fees_unconverted, realized_pnl_usdt = excluded.realized_pnl_usdt,
    realized_pnl_frac = excluded.realized_pnl_frac, closed_at = excluded.closed_at
  where e.reason = 'rollback'
  returning id into v_id;
  perform pg_notify('live_trade', json_build_object('type', 'exit', 'signal_id', p_signal_id, 'status', 'partial_failed',
    'reason', 'rollback', 'realized_pnl_usdt', m.cash - m.fees_usdt)::text);
  return v_id;
end $$;

create or replace function watchlist.live_trade_signal_rollback_exit() returns trigger
language plpgsql security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  perform watchlist.trade_rollback_exit(new.id);
  return null;
end $$;

select watchlist.ensure_trigger('watchlist.live_trade_signal', '_500_rollback_exit', $ddl$
create trigger _500_rollback_exit after update of status on watchlist.live_trade_signal
  for each row when (new.status = 'partial_failed' and old.status is distinct from 'partial_failed')
  execute function watchlist.live_trade_signal_rollback_exit()
$ddl$);

comment on column watchlist.live_trade_fill.fee_usdt is 'The fee in USDT: the fee itself when charged in USDT, else converted at the fee currency''s price at the fill time (null until converted).';
comment on column watchlist.live_trade_fill.fee_rate is 'USDT per unit of fee_currency used for fee_usdt.';
comment on column watchlist.live_trade_fill.fee_rate_source is 'Where fee_rate came from (same_currency, or venue:market:candle@time).';
comment on column watchlist.live_trade_exit.funding_sources is 'Per leg, where realised funding came from: account (the venue''s funding payments), public_rate (estimate from published rates), none (neither could be had: funding unknown), not_held (a rollback: held only between the legs).';
comment on column watchlist.live_trade_exit.fees_unconverted is 'Fees that could not be converted to USDT, per currency; when set, realized_pnl_usdt excludes them.';

-- partial_failed trades from before rollback exits existed get theirs (idempotent: only those without)
select watchlist.trade_rollback_exit(s.id)
from watchlist.live_trade_signal s
where s.status = 'partial_failed' and not exists (select 1 from watchlist.live_trade_exit e where e.signal_id = s.id);

comment on function watchlist.fee_conversion_pending(bigint, integer) is 'Fills whose fee is in another currency and not yet priced in USDT (the conversion job''s worklist).';
comment on function watchlist.trade_fill_money(bigint, text[]) is 'A trade''s cash from its fills: Σ sells − buys, fees in USDT, fees still unconverted per currency, entry notionals, exit prices.';
comment on function watchlist.trade_funding(jsonb, timestamptz, timestamptz, numeric, numeric) is 'Realised funding of a trade from the worker''s per-leg account payments (or labelled public-rate estimate), settlements in (from, until] only.';
