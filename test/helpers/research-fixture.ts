// Events with their decision-time raw rows and outcomes, written directly (attach
// mode, so the merge trigger opens no events of its own): the dataset the model fit
// and the IC report read.
import type { TestDb } from './db.ts';

export interface FixtureEvent {
  start: Date;
  symbol: string;
  hi?: string;
  lo?: string;
  factors: Record<string, number>;
  /** pnl_total per horizon */
  outcomes: Record<number, number>;
  /** recorded prediction per horizon */
  pred?: Record<number, { pnl_hat: number; win_prob: number }>;
}

export async function seedEvents(db: TestDb, events: FixtureEvent[]): Promise<number[]> {
  await db.query(`select watchlist.set_config('ingest.attach', 'true'::jsonb, 'research fixture')`);
  const ts = events.map((e) => e.start.getTime());
  await db.query('select watchlist.ensure_partitions(table_name, $1, $2) from watchlist.partition_policy', [
    new Date(Math.min(...ts) - 86_400_000).toISOString(), new Date(Math.max(...ts) + 86_400_000).toISOString(),
  ]);
  const payload = events.map((e, i) => ({
    i,
    start: e.start.toISOString(), symbol: e.symbol, hi: e.hi ?? 'binance', lo: e.lo ?? 'okx',
    meta: {
      factors: e.factors,
      pnl_regression: e.pred ?? {},
      trigger_details: { prices: { high: { exchange: e.hi ?? 'binance' }, low: { exchange: e.lo ?? 'okx' } } },
    },
    outcomes: Object.entries(e.outcomes).map(([h, y]) => ({ h: Number(h), y })),
  }));
  const { rows } = await db.query(
    `with src as (select * from jsonb_to_recordset($1::jsonb)
                    as x(i int, start timestamptz, symbol text, hi text, lo text, meta jsonb, outcomes jsonb)),
     ev as (
       insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, end_ts, status, leg_a_exchange, leg_b_exchange)
       select 'multi', symbol, 'B', start, start + interval '5 minutes', 'closed', hi, lo from src order by i
       returning id, symbol, start_ts, leg_a_exchange),
     raw as (
       insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange, meta)
       select start, 'multi', symbol, 'B', hi, lo, meta from src),
     oc as (
       insert into watchlist.future_outcome (event_id, horizon_min, pnl_total)
       select ev.id, (o->>'h')::int, (o->>'y')::float8
       from src join ev on ev.symbol = src.symbol and ev.start_ts = src.start and ev.leg_a_exchange = src.hi
       cross join lateral jsonb_array_elements(src.outcomes) o)
     select ev.id from src join ev on ev.symbol = src.symbol and ev.start_ts = src.start and ev.leg_a_exchange = src.hi order by src.i`,
    [JSON.stringify(payload)],
  );
  return rows.map((r: { id: string }) => Number(r.id));
}
