-- The market collector's hand-off: one call per minute writes every venue × symbol
-- row of watchlist.market_snapshot in one statement (re-running a minute updates it),
-- and the venues that failed that minute into watchlist.live_trade_error (stage 'collect').
-- Owns: watchlist.record_market_minute() (settings trade.notional_usdt and
--       collect.symbols are registered in sql/settings.sql).

create or replace function watchlist.record_market_minute(p_ts timestamptz, p_rows jsonb, p_errors jsonb default null)
returns integer
language plpgsql volatile set search_path = watchlist, pg_catalog as $$
declare
  v_n integer;
begin
  insert into watchlist.market_snapshot as s (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt,
                                             funding_rate, funding_interval_hours, next_funding_time, book_ts, meta)
  select date_trunc('minute', p_ts), r.venue, r.symbol, r.bid, r.ask, r.bid_top, r.ask_top, r.mid, r.depth_ok, r.notional_usdt,
         r.funding_rate, r.funding_interval_hours, r.next_funding_time, r.book_ts, r.meta
  from jsonb_to_recordset(coalesce(p_rows, '[]')) as r(venue text, symbol text, bid numeric, ask numeric, bid_top numeric,
       ask_top numeric, mid numeric, depth_ok boolean, notional_usdt numeric, funding_rate double precision,
       funding_interval_hours double precision, next_funding_time timestamptz, book_ts timestamptz, meta jsonb)
  on conflict (ts, venue, symbol) do update set
    bid = excluded.bid, ask = excluded.ask, bid_top = excluded.bid_top, ask_top = excluded.ask_top, mid = excluded.mid,
    depth_ok = excluded.depth_ok, notional_usdt = excluded.notional_usdt, funding_rate = excluded.funding_rate,
    funding_interval_hours = excluded.funding_interval_hours, next_funding_time = excluded.next_funding_time,
    book_ts = excluded.book_ts, collected_at = now(), meta = excluded.meta;
  get diagnostics v_n = row_count;

  if p_errors is not null and jsonb_array_length(p_errors) > 0 then
    insert into watchlist.live_trade_error (stage, venue, error_class, message, payload)
    select 'collect', e->>'venue', e->>'error_class', coalesce(e->>'message', 'collect failed'),
           jsonb_build_object('minute', date_trunc('minute', p_ts)) || coalesce(e->'payload', '{}')
    from jsonb_array_elements(p_errors) e;
  end if;
  return v_n;
end $$;
