-- Views over the live loop for the page, psql analysts and reconcile.
-- Owns: watchlist.v_expected_position, v_active_trades, v_signal_funnel,
--       v_trade_pnl, v_pnl_daily, v_pnl_by_pair, v_pnl_summary, v_pnl_by_venue, v_venue_errors.

-- What the venues should hold if only we traded: every order we ever recorded by
-- its effective quantity (fills or reported filled, the larger: sql/fills.sql),
-- signed (buys +, sells −), per venue and symbol. Closed trades and flattened
-- legs net to zero; an open trade or a manual position does not.
-- Set-based (fills summed per order in one pass, not a look-up per order): the live
-- page reads it on every refresh.
create or replace view watchlist.v_expected_position as
select o.exchange as venue, o.symbol,
       sum(case when o.side = 'buy' then q.qty else -q.qty end) as expected_size_base
from watchlist.live_trade_order o
left join (select f.order_id, sum(f.qty) as qty from watchlist.live_trade_fill f group by f.order_id) f on f.order_id = o.id
cross join lateral (select watchlist.effective_qty(f.qty, o.filled_qty) as qty) q
where f.order_id is not null or coalesce(o.filled_qty, 0) > 0
group by o.exchange, o.symbol;

-- Active trades with the latest sample (live PnL estimate) and the take-profit target.
create or replace view watchlist.v_active_trades as
select s.id as signal_id, s.symbol, s.status, s.leg_short_exchange, s.leg_long_exchange,
       s.opened_at, now() - s.opened_at as held_for, s.entry_spread, s.entry_qty,
       watchlist.trade_pnl_hat(s) as pnl_hat, s.win_prob,
       watchlist.take_profit_pnl(s) as take_profit_at,
       x.ts as sampled_at, x.spread as exit_spread, x.pnl_est, x.funding_accrued
from watchlist.live_trade_signal s
left join lateral (select * from watchlist.live_trade_spread_sample x where x.signal_id = s.id order by x.ts desc limit 1) x on true
where watchlist.trade_is_active(s.status);

-- The funnel: candidates by outcome and ignore reason (ignored rows re-evaluated
-- many times count once; eval_sum counts the evaluations).
create or replace view watchlist.v_signal_funnel as
select date_trunc('day', s.created_at) as day, s.status, coalesce(s.reason, '') as reason,
       count(*) as signals, sum(s.eval_count) as evaluations
from watchlist.live_trade_signal s
where s.kind = 'auto'
group by 1, 2, 3;

-- Realised vs predicted, per finished trade: closed trades and partial_failed ones
-- (exit reason 'rollback': the lone leg's realised loss). pnl_complete is false when
-- a leg's PnL is unknown (or the trade is still closing), a fee is still in another
-- currency (fees_unconverted) or a leg's funding could not be had (funding_sources 'none').
create or replace view watchlist.v_trade_pnl as
select s.id as signal_id, s.symbol, s.leg_short_exchange, s.leg_long_exchange, s.opened_at, e.closed_at,
       e.reason as exit_reason, e.pnl_hat, s.pnl_hat as gate_pnl_hat, s.win_prob,
       e.spread_pnl, e.fees_usdt, e.funding_usdt, e.realized_pnl_usdt, e.realized_pnl_frac,
       e.realized_pnl_frac - e.pnl_hat as frac_minus_predicted,
       e.fees_unconverted, e.funding_sources,
       e.realized_pnl_usdt is not null and e.fees_unconverted is null
         and not coalesce(e.funding_sources @> '{"short": "none"}' or e.funding_sources @> '{"long": "none"}', false) as pnl_complete
from watchlist.live_trade_exit e
join watchlist.live_trade_signal s on s.id = e.signal_id;

-- Realised PnL per UTC day of the exit (rollbacks included).
create or replace view watchlist.v_pnl_daily as
select date_trunc('day', closed_at) as day,
       count(*) as trades,
       count(*) filter (where exit_reason = 'rollback') as rollbacks,
       sum(realized_pnl_usdt) as realized_pnl_usdt,
       sum(fees_usdt) as fees_usdt,
       sum(funding_usdt) as funding_usdt,
       count(*) filter (where realized_pnl_usdt > 0)::float8 / nullif(count(realized_pnl_usdt), 0) as win_rate,
       count(*) filter (where not pnl_complete) as incomplete
from watchlist.v_trade_pnl
where closed_at is not null
group by 1;

-- Realised PnL per symbol and venue pair (rollbacks included).
create or replace view watchlist.v_pnl_by_pair as
select symbol, leg_short_exchange, leg_long_exchange,
       count(*) as trades,
       count(*) filter (where exit_reason = 'rollback') as rollbacks,
       sum(realized_pnl_usdt) as realized_pnl_usdt,
       avg(realized_pnl_frac) as avg_pnl_frac,
       count(*) filter (where realized_pnl_usdt > 0)::float8 / nullif(count(realized_pnl_usdt), 0) as win_rate,
       count(*) filter (where not pnl_complete) as incomplete
from watchlist.v_trade_pnl
where closed_at is not null
group by 1, 2, 3;

-- The whole book at a glance (freqtrade's /profit): every finished trade, rollbacks included.
create or replace view watchlist.v_pnl_summary as
select count(*) as trades,
       count(*) filter (where exit_reason = 'rollback') as rollbacks,
       count(*) filter (where realized_pnl_usdt > 0) as wins,
       count(*) filter (where realized_pnl_usdt < 0) as losses,
       coalesce(sum(realized_pnl_usdt), 0) as realized_pnl_usdt,
       coalesce(sum(fees_usdt), 0) as fees_usdt,
       coalesce(sum(funding_usdt), 0) as funding_usdt,
       count(*) filter (where realized_pnl_usdt > 0)::float8 / nullif(count(realized_pnl_usdt), 0) as win_rate,
       avg(realized_pnl_frac) as avg_pnl_frac,
       avg(pnl_hat) as avg_pnl_hat,
       max(realized_pnl_usdt) as best_pnl_usdt,
       min(realized_pnl_usdt) as worst_pnl_usdt,
       min(closed_at) as first_closed_at,
       max(closed_at) as last_closed_at,
       count(*) filter (where not pnl_complete) as incomplete
from watchlist.v_trade_pnl
where closed_at is not null;

-- Per venue: the legs traded there, from their fills (sells − buys − fees in USDT) of
-- finished trades. Funding is per trade, not per leg, so it is not in leg_pnl_usdt;
-- a fee not yet in USDT is counted in fees_unconverted, not added.
create or replace view watchlist.v_pnl_by_venue as
select o.exchange as venue,
       count(distinct o.signal_id) as trades,
       count(distinct o.signal_id) filter (where e.reason = 'rollback') as rollbacks,
       coalesce(sum(case when o.side = 'sell' then f.price * f.qty else -f.price * f.qty end), 0) - coalesce(sum(f.fee_usdt), 0) as leg_pnl_usdt,
       coalesce(sum(f.fee_usdt), 0) as fees_usdt,
       count(*) filter (where f.fee_usdt is null and coalesce(f.fee, 0) <> 0) as fees_unconverted,
       sum(f.price * f.qty) as volume_usdt
from watchlist.live_trade_exit e
join watchlist.live_trade_order o on o.signal_id = e.signal_id
join watchlist.live_trade_fill f on f.order_id = o.id
where e.closed_at is not null
group by o.exchange;

-- Venue error rates: errors and orders per venue and hour.
create or replace view watchlist.v_venue_errors as
with errs as (
  select venue, date_trunc('hour', ts) as hour, count(*) as errors,
         count(*) filter (where stage in ('open', 'close', 'flatten', 'manual')) as order_errors
  from watchlist.live_trade_error where venue is not null group by 1, 2),
ords as (
  select exchange as venue, date_trunc('hour', created_at) as hour, count(*) as orders,
         count(*) filter (where status in ('rejected', 'not_placed', 'unknown')) as failed_orders
  from watchlist.live_trade_order group by 1, 2)
select coalesce(e.venue, o.venue) as venue, coalesce(e.hour, o.hour) as hour,
       coalesce(o.orders, 0) as orders, coalesce(o.failed_orders, 0) as failed_orders,
       coalesce(e.errors, 0) as errors,
       coalesce(o.failed_orders, 0)::float8 / nullif(o.orders, 0) as order_failure_rate
from errs e full join ords o on o.venue = e.venue and o.hour = e.hour;

comment on view watchlist.v_pnl_summary is 'All finished trades at once: trades, rollbacks, wins, losses, realised PnL, fees and funding in USDT, win rate, mean realised and predicted PnL fraction, best and worst trade in USDT, first and last close, incomplete PnLs.';
comment on view watchlist.v_pnl_by_venue is 'Per venue, the legs of finished trades traded there: trades, rollbacks, leg PnL in USDT (sells − buys − fees in USDT, before funding), fees in USDT, fills with a fee not yet in USDT, traded volume in USDT.';
