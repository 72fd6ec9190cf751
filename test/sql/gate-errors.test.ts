// Issue 10 item 4: the gate's one-statement pass over new events (sql/gate.sql,
// gate_events) falls back to the per-event loop when it fails, and keeps what it
// swallowed: a live_trade_error row with the SQLSTATE, the message and the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { insertEvent, signals } from '../helpers/live.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

describe('gate errors are recorded, never swallowed', () => {
  it('a failing bulk ignore leaves an error row with SQLSTATE and message, and the loop still decides', async () => {
    // a fault only the ignore path meets: recording an ignored signal of reason signal_type
    await db.query(`
      create function public.h3_fault() returns trigger language plpgsql as $$
      begin
        if new.reason = 'signal_type' then raise exception 'injected fault' using errcode = 'P0042'; end if;
        return new;
      end $$;
      create trigger _150_test_fault before insert on watchlist.live_trade_signal
        for each row execute function public.h3_fault();`);
    try {
      const ev = await insertEvent(db, { symbol: 'Q/USDT:USDT', signalType: 'C' });
      const { rows: errs } = await db.query(`select stage, error_class, message, payload from watchlist.live_trade_error order by id`);
      const bulk = errs.find((e) => e.payload?.step === 'ignore_new_events');
      expect(bulk).toMatchObject({ stage: 'gate', error_class: 'P0042', message: 'injected fault' });
      expect(bulk.payload.event_ids).toEqual([Number(ev)]);
      // the per-event loop met the same fault: its own record and a gate_error signal
      expect(errs.filter((e) => e.payload?.event_id === Number(ev))).toHaveLength(1);
      expect((await signals(db)).map((s) => [s.symbol, s.status, s.reason])).toEqual([['Q/USDT:USDT', 'ignored', 'gate_error']]);
    } finally {
      await db.query(`drop trigger _150_test_fault on watchlist.live_trade_signal; drop function public.h3_fault()`);
    }
  });
});
