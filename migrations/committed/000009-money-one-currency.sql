--! Previous: sha1:54b0dbc35721f823f251dc9c73e01740d9a834b8
--! Hash: sha1:d58ca9bf197406326a95c99dd10624b203a64f77
--! Message: money-one-currency

-- Fees in USDT beside the fee as charged (BNB on Binance), with the rate and where
-- it came from; an exit's funding source per leg and any fee left unconverted.
alter table watchlist.live_trade_fill
  add column if not exists fee_usdt numeric,
  add column if not exists fee_rate numeric,
  add column if not exists fee_rate_source text,
  add column if not exists fee_conversion_attempts integer not null default 0;

-- fills whose fee still needs a price (the conversion job's worklist)
create index if not exists live_trade_fill_fee_pending_idx on watchlist.live_trade_fill (id)
  where fee_usdt is null;

alter table watchlist.live_trade_exit
  add column if not exists funding_sources jsonb,
  add column if not exists fees_unconverted jsonb;

-- 'rollback' is already allowed by 000001's check; re-assert it for databases built otherwise
do $$
begin
  if not exists (select 1 from pg_constraint where conrelid = 'watchlist.live_trade_exit'::regclass
                 and contype = 'c' and pg_get_constraintdef(oid) like '%rollback%') then
    alter table watchlist.live_trade_exit drop constraint if exists live_trade_exit_reason_check;
    alter table watchlist.live_trade_exit add constraint live_trade_exit_reason_check
      check (reason in ('take_profit','max_hold','manual','kill_switch','rollback'));
  end if;
end $$;

-- fills recorded before this migration: a fee in USDT (or none) is already in USDT; a fee in
-- another coin stays null and the convert_fees job prices it at its own fill time
update watchlist.live_trade_fill
set fee_usdt = coalesce(fee, 0), fee_rate = 1,
    fee_rate_source = case when fee is null then 'no_fee_reported' when fee = 0 then 'zero' else 'same_currency' end
where fee_usdt is null
  and (fee is null or fee = 0 or upper(coalesce(nullif(fee_currency, ''), 'USDT')) = 'USDT');
