--! Previous: sha1:257a4c4ac4bfbb79d691bb7011adfc3a2fe3638e
--! Hash: sha1:89a3b513029fac467147095557cae25eeb4c6e20
--! Message: merge-steps

-- Issue 10, item 4: the event merge (sql/event_merge.sql) as named steps. A statement
-- trigger's transition table is visible only in the trigger function itself, so the
-- steps hand each other their rows as arrays of these two types.
-- merge_step: one triggered row of the batch (or a key's stored state, is_state) placed
--   in its key's sequence: run position, chain, and whether it belongs to an event.
-- merge_chain: one chain that opens or extends an event, summarised slot by slot.
do $$
begin
  if to_regtype('watchlist.merge_step') is null then
    create type watchlist.merge_step as (
      key_id bigint, chain_no bigint, ord bigint, id bigint, ts timestamptz, is_state boolean,
      pos bigint, run_first_ts timestamptz, last_of_key boolean, last_chain boolean,
      event_chain boolean, continues_open boolean, open_event_id bigint, chain_last_ts timestamptz,
      member boolean);
  end if;
  if to_regtype('watchlist.merge_chain') is null then
    create type watchlist.merge_chain as (
      key_id bigint, chain_no bigint, event_id bigint, is_last boolean, last_ts timestamptz, n integer,
      b_first float8[], b_last float8[], mn float8[], mx float8[], sm float8[], cn integer[],
      metas jsonb, first_row watchlist.watch_signal_raw, first_trigger_ts timestamptz);
  end if;
end $$;
