// Live-loop test helpers: events shaped like the scanner's, config, job queue reads.
import type { TestDb } from './db.ts';

export interface EventOpts {
  symbol?: string;
  high?: string;
  low?: string;
  pnlHat?: number | string | null;
  winProb?: number | string | null;
  factors?: Record<string, unknown> | null;
  highBid?: unknown;
  lowAsk?: unknown;
  signalType?: string;
  lastTrigger?: string;
}

export function eventFeatures(o: EventOpts = {}) {
  const factors =
    o.factors === null
      ? undefined
      : (o.factors ?? {
          raw_slope_3m: 0,
          raw_drift_ratio: 0.8,
          spread_log_short_over_long: 0.02,
          raw_crossings_1h: 2,
          raw_best_buy_high_sell_low: 0.02,
        });
  return {
    meta_last: {
      pnl_regression: { '240': { pnl_hat: o.pnlHat === undefined ? 0.02 : o.pnlHat, win_prob: o.winProb === undefined ? 0.97 : o.winProb, model_version: 't' } },
      trigger_details: {
        prices: {
          high: { exchange: o.high ?? 'okx', bid: o.highBid ?? 101, ask: 101.1 },
          low: { exchange: o.low ?? 'binance', bid: 98.9, ask: o.lowAsk ?? 99 },
        },
      },
      ...(factors ? { factors } : {}),
    },
  };
}

/** insert one open event (fires the gate); returns its id */
export async function insertEvent(db: { query: TestDb['query'] }, o: EventOpts = {}): Promise<number> {
  const ts = o.lastTrigger ?? new Date().toISOString();
  const { rows } = await db.query(
    `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, last_trigger_ts, status, features_agg, leg_a_exchange, leg_b_exchange)
     values ('multi', $1, $2, $3, $3, 'open', $4::jsonb, $5, $6) returning id`,
    [o.symbol ?? 'BTC/USDT:USDT', o.signalType ?? 'B', ts, JSON.stringify(eventFeatures(o)), o.high ?? 'okx', o.low ?? 'binance'],
  );
  return Number(rows[0].id);
}

export async function setConfig(db: TestDb, key: string, value: unknown) {
  await db.query('select watchlist.set_config($1, $2::jsonb, $3)', [key, JSON.stringify(value), 'test']);
}

export async function signals(db: TestDb) {
  return (await db.query('select * from watchlist.live_trade_signal order by id')).rows;
}

export async function jobs(db: TestDb, task?: string) {
  return (
    await db.query(`select j.*, t.identifier as task from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where $1::text is null or t.identifier = $1 order by j.id`, [task ?? null])
  ).rows;
}

/** a model with a known prediction, so the re-check's pnl_hat is under the test's control */
export async function fixedModel(db: TestDb, pnlHat: number) {
  await db.query(`update watchlist.pnl_model set active = false where signal_type = 'B' and horizon_min = 240`);
  await db.query(`insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, fee_threshold, active)
                  values ('B', 240, $1, $2, '{}', 0.005, 0.001, true)`, [`test-${pnlHat}`, pnlHat]);
}

export async function enqueue(db: TestDb, task: string, payload: unknown = {}) {
  await db.query('select watchlist.enqueue($1, $2::json)', [task, JSON.stringify(payload)]);
}
