--! Previous: sha1:c81929977be51a23048207f645129d7f221f05dd
--! Hash: sha1:0e4924d2209ca51a9656d493fd015d5fa7d33137
--! Message: raw-guard-venue-mode

-- Issue 9, items 6 and 9.
-- watch_signal_raw_rejected: raw rows a writer sent that cannot be true (non-finite
--   factors, absurd prices, unknown venues, timestamps in the future); filled by the
--   guard trigger in sql/raw_guard.sql instead of watch_signal_raw.
-- known_venue: the venue names a raw row may carry (seeded with the exchanges the code
--   knows; the worker adds the venues it runs at start).
-- venue_mode: how each venue of the running worker trades (live / sandbox / shadow /
--   paper), written by the worker at start.

create table if not exists watchlist.watch_signal_raw_rejected (
  id           bigserial primary key,
  received_at  timestamptz not null default now(),
  reason       text not null,
  row_data     jsonb not null,
  -- who wrote it (the session's role), so an operator can find the writer
  writer       text not null default session_user
);
create index if not exists watch_signal_raw_rejected_received_idx on watchlist.watch_signal_raw_rejected (received_at desc);

create table if not exists watchlist.known_venue (
  venue     text primary key check (venue ~ '^[a-z0-9_.-]{1,32}$'),
  source    text not null default 'operator',
  added_at  timestamptz not null default now()
);
insert into watchlist.known_venue (venue, source) values
  ('binance', 'seed'), ('okx', 'seed'), ('bybit', 'seed'), ('bitget', 'seed'),
  -- the rule-based funding schedules (workers/venues/funding-schedule.ts)
  ('hyperliquid', 'seed'), ('lighter', 'seed'), ('grvt', 'seed')
on conflict (venue) do nothing;

create table if not exists watchlist.venue_mode (
  venue           text primary key,
  mode            text not null check (mode in ('live', 'sandbox', 'shadow', 'paper')),
  requested_mode  text not null,
  markets_loaded  boolean not null,
  started_at      timestamptz not null default now()
);

-- A row already stored with a future timestamp moved its key's merge clock ahead, so
-- every later (true) row looked late and opened nothing. Give those keys their clock
-- back; the guard keeps new ones out.
update watchlist.watch_signal_event
   set status = 'closed', reason = coalesce(reason, '') || ' (closed: future-dated trigger, issue 9)'
 where status = 'open' and coalesce(last_trigger_ts, end_ts, start_ts) > now() + interval '10 minutes';
update watchlist.event_merge_state
   set last_trigger_ts = null, run_len = 0, run_start_ts = null, open_event_id = null
 where last_trigger_ts > now() + interval '10 minutes';
