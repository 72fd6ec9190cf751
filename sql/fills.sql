-- What an order has filled. The exchange's trade list can lag, fail (429, 5xx) or
-- page, while the order itself already says how much filled: every decision about a
-- position (open outcome, flatten, close, reconcile) counts an order by the larger of
-- the two, so a missing trade list never makes a filled leg look empty.
-- Owns: watchlist.order_fill_qty, effective_qty, order_effective_qty, order_fills_complete,
--       trade_fill_gap (the synthetic fill after trade.fill_wait_s).

create or replace function watchlist.order_fill_qty(o watchlist.live_trade_order) returns numeric
language sql stable as $$
  select coalesce(sum(f.qty), 0) from watchlist.live_trade_fill f where f.order_id = o.id
$$;

-- The one rule: an order's quantity is the larger of its fills and its reported filled amount.
create or replace function watchlist.effective_qty(p_fill_sum numeric, p_reported numeric) returns numeric
language sql immutable as $$
  select greatest(coalesce(p_fill_sum, 0), coalesce(p_reported, 0))
$$;

create or replace function watchlist.order_effective_qty(o watchlist.live_trade_order) returns numeric
language sql stable as $$
  select watchlist.effective_qty(watchlist.order_fill_qty(o), o.filled_qty)
$$;

-- An order is settled only when its fills add up to what the exchange says filled.
create or replace function watchlist.order_fills_complete(o watchlist.live_trade_order) returns boolean
language sql stable as $$
  select watchlist.order_fill_qty(o) >= coalesce(o.filled_qty, 0)
$$;

-- After trade.fill_wait_s of an incomplete trade list, record the rest as ONE
-- synthetic fill from the order's average price (priced so the fills' VWAP equals
-- the order's average), marked synthetic, with an error row saying so. Returns
-- true when the order's fills are complete afterwards.
create or replace function watchlist.trade_fill_gap(p_order_id bigint) returns boolean
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
declare
  o watchlist.live_trade_order;
  v_sum numeric;
  v_cost numeric;
  v_fees numeric;
  v_gap numeric;
  v_price numeric;
begin
  select * into o from watchlist.live_trade_order where id = p_order_id for update;
  if not found or o.filled_qty is null or o.filled_qty <= 0 then return true; end if;
  select coalesce(sum(f.qty), 0), coalesce(sum(f.qty * f.price), 0), sum(f.fee)
  into v_sum, v_cost, v_fees from watchlist.live_trade_fill f where f.order_id = o.id;
  v_gap := o.filled_qty - v_sum;
  if v_gap <= 0 then return true; end if;
  if o.avg_price is null or o.avg_price <= 0
     or coalesce(o.submitted_at, o.created_at) > now() - make_interval(secs => watchlist.cfg_num('trade.fill_wait_s')) then
    return false;
  end if;
  v_price := (o.avg_price * o.filled_qty - v_cost) / v_gap;
  if v_price <= 0 then v_price := o.avg_price; end if;
  insert into watchlist.live_trade_fill (order_id, signal_id, exchange, trade_id, ts, price, qty, fee, fee_currency, synthetic)
  values (o.id, o.signal_id, o.exchange, 'synthetic:' || o.id, now(), round(v_price, 12), v_gap,
          case when o.fee is not null then greatest(o.fee - coalesce(v_fees, 0), 0) end, o.fee_currency, true)
  on conflict (order_id, trade_id) do nothing;
  perform watchlist.trade_error(o.signal_id, 'fills', o.exchange, 'synthetic_fill',
    format('%s order %s: trade list adds up to %s of %s filled after %s s; recorded %s at %s from the order''s average',
      o.exchange, o.client_order_id, v_sum, o.filled_qty, watchlist.cfg_num('trade.fill_wait_s'), v_gap, round(v_price, 12)),
    jsonb_build_object('client_order_id', o.client_order_id, 'filled', o.filled_qty, 'fill_sum', v_sum, 'avg_price', o.avg_price), o.id);
  return true;
end $$;

comment on function watchlist.effective_qty(numeric, numeric) is E'@behavior -queryField\nThe larger of an order''s fill sum and its reported filled amount (internal rule, not an API field).';
