--! Previous: sha1:23e442e54cb66c62d98dd5688335ed5a4695579b
--! Hash: sha1:fe4833dd9c6009b4eb95a653c6cd84e515fa6b2b
--! Message: scanner

-- Type B scanner storage: the per-pair minute spread series and what keeps a
-- minute's scan from re-reading 12 hours of it for every pair.
--   scan_pair    one row per (symbol, venue_a < venue_b): a small int id for the series
--   pair_minute  s = ln(mid_a / mid_b) per pair and minute, for EVERY quoted pair
--                (factors need history before a pair ever triggers). HOURLY partitions,
--                made and dropped by the scanner itself (watchlist.ensure_pair_minute_hour,
--                sql/scan.sql), not by partition_policy: a minute's 16,800 inserts then
--                land in one small index that stays in shared buffers instead of
--                dirtying 16,800 leaves of a day-sized one.
--   pair_hour    per pair and clock hour: n, min, max, first point; range_12h reads
--                at most 12 of these plus <= 2 partial hours of minutes
--   scan_run     one row per scanned minute (idempotence and monitoring)

create table if not exists watchlist.scan_pair (
  id        serial primary key,
  symbol    text not null,
  venue_a   text not null,
  venue_b   text not null,
  first_ts  timestamptz not null,
  check (venue_a < venue_b),
  unique (symbol, venue_a, venue_b)
);

create table if not exists watchlist.pair_minute (
  pair_id  int not null,
  ts       timestamptz not null,
  s        double precision not null,  -- ln(mid of venue_a / mid of venue_b)
  primary key (pair_id, ts) include (s)  -- window reads are index-only
) partition by range (ts);

create table if not exists watchlist.pair_hour (
  pair_id   int not null,
  hour      timestamptz not null,
  n         int not null,
  s_min     double precision not null,
  s_max     double precision not null,
  first_ts  timestamptz not null,
  primary key (pair_id, hour)
) with (fillfactor = 70);  -- room for HOT updates: every bucket of the hour is updated each minute
create index if not exists pair_hour_hour_idx on watchlist.pair_hour (hour);

create table if not exists watchlist.scan_run (
  ts          timestamptz primary key,
  started_at  timestamptz not null default clock_timestamp(),
  duration_ms double precision,
  summary     jsonb
);
