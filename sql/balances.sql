-- Balances per venue as the venues report them (freqtrade's /balance).
-- Owns: watchlist.venue_balance (rows), watchlist.record_venue_balance(),
--       watchlist.v_venue_equity.

-- reconcile's pass hands each venue's fetchBalance answer here (total and free USDT,
-- as strings: never through a float).
create or replace function watchlist.record_venue_balance(p_venue text, p_balance jsonb) returns void
language plpgsql volatile security definer set search_path = watchlist, pg_catalog, pg_temp as $$
begin
  if coalesce(p_balance->>'total', '') !~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' then
    raise exception 'record_venue_balance: % answered no numeric total (%)', p_venue, p_balance using errcode = '22023';
  end if;
  insert into watchlist.venue_balance (venue, currency, total, free, fetched_at)
  values (p_venue, coalesce(p_balance->>'currency', 'USDT'), (p_balance->>'total')::numeric,
          case when coalesce(p_balance->>'free', '') ~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' then (p_balance->>'free')::numeric end, now())
  on conflict (venue) do update set currency = excluded.currency, total = excluded.total, free = excluded.free, fetched_at = excluded.fetched_at;
end $$;

-- What each venue holds: the balance it reported, the unrealised PnL of the positions it
-- reported, and their sum as equity, beside the realised PnL of our trades' legs there.
create or replace view watchlist.v_venue_equity as
with v as (
  select venue from watchlist.venue_balance
  union select venue from watchlist.venue_mode
),
upnl as (
  select venue, sum(unrealized_pnl) as unrealized_pnl_usdt, count(*) filter (where size_base <> 0) as positions
  from watchlist.venue_position group by venue
)
select v.venue, m.mode, b.currency, b.total as balance_total, b.free as balance_free, b.fetched_at as balance_fetched_at,
       u.unrealized_pnl_usdt, coalesce(u.positions, 0) as positions,
       b.total + coalesce(u.unrealized_pnl_usdt, 0) as equity_usdt
from v
left join watchlist.venue_balance b on b.venue = v.venue
left join watchlist.venue_mode m on m.venue = v.venue
left join upnl u on u.venue = v.venue;

comment on table watchlist.venue_balance is 'The latest balance each venue reported (reconcile reads it every pass): total and free, in the account currency (USDT).';
comment on column watchlist.venue_balance.venue is 'Venue name (binance, okx, bybit, bitget, …).';
comment on column watchlist.venue_balance.currency is 'Currency of the balance (USDT).';
comment on column watchlist.venue_balance.total is 'Total balance the venue reported, in currency units.';
comment on column watchlist.venue_balance.free is 'Free (available) balance the venue reported, in currency units; null when it reported none.';
comment on column watchlist.venue_balance.fetched_at is 'When the venue answered.';
comment on view watchlist.v_venue_equity is 'Per venue: its trading mode, the balance it reported (total, free, USDT), the unrealised PnL of the positions it reported, and equity = total + unrealised PnL.';
