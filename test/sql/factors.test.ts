// Issue 10 item 3 (declared once): the factors of a signal type, the path of its
// predictions and the event's scalar slots are declared in sql/factors.sql; the scanner,
// the merge, the gate, the re-check and the priors read them. Adding a factor is one
// row there (plus a model row): shown here by declaring one and watching the readers follow.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';
import { eventFeatures, insertEvent, signals } from '../helpers/live.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

const FACTORS = ['raw_slope_3m', 'raw_drift_ratio', 'raw_crossings_1h', 'spread_log_short_over_long', 'raw_best_buy_high_sell_low'];

describe('factors declared once', () => {
  it('no reader spells a factor name or the prediction key: only sql/factors.sql (and the priors, a model row)', () => {
    for (const f of ['scan.sql', 'event_merge.sql', 'gate.sql', 'trade_state.sql']) {
      const code = readFileSync(path.resolve(import.meta.dirname, '../../sql', f), 'utf8').replace(/--[^\n]*/g, '');
      // spread_log_short_over_long is also a trigger_details field of the plan's meta: the raw_* names are factors only
      for (const name of [...FACTORS.filter((n) => n.startsWith('raw_')), 'pnl_regression'])
        expect(code, `${f} spells ${name}`).not.toContain(`'${name}'`);
    }
  });

  it('a factor added to the declaration reaches the scanner meta, its missing reasons, the re-check and the gate', async () => {
    const { rows: [{ def }] } = await db.query(`select pg_get_functiondef('watchlist.signal_factors()'::regprocedure) as def`);
    await db.query(def.replace(`('B', 'raw_slope_3m', 'slope_3m', 'kept'),`,
      `('B', 'raw_slope_3m', 'slope_3m', 'kept'), ('B', 'raw_volatility_1h', 'volatility', 'kept'),`));
    try {
      const { rows: [r] } = await db.query(`select
          watchlist.factors_from_measures('B', '{"slope_3m": 1, "drift_ratio": 0.5, "crossings_1h": 3, "volatility": 0.002, "log_ratio": 0.01, "rel_spread": 0.0101}') as factors,
          watchlist.factors_missing('B', '{"volatility": "insufficient_history_1h", "range_12h": "insufficient_history_12h"}') as missing,
          watchlist.factors_on_recheck('B', '{"raw_slope_3m": 1, "raw_volatility_1h": 0.002, "spread_log_short_over_long": 9}', '{"log_ratio": 0.02, "rel_spread": 0.0202}') as recheck`);
      expect(r.factors).toEqual({ raw_slope_3m: 1, raw_drift_ratio: 0.5, raw_crossings_1h: 3, raw_volatility_1h: 0.002,
        spread_log_short_over_long: 0.01, raw_best_buy_high_sell_low: 0.0101 });
      expect(r.missing).toEqual({ raw_volatility_1h: 'insufficient_history_1h', range_12h: 'insufficient_history_12h' });
      expect(r.recheck).toEqual({ raw_slope_3m: 1, raw_drift_ratio: null, raw_crossings_1h: null, raw_volatility_1h: 0.002,
        spread_log_short_over_long: 0.02, raw_best_buy_high_sell_low: 0.0202 });
      // the gate now requires it: an event without it is missing_factors, one with it is not
      await insertEvent(db, { symbol: 'NOV/USDT:USDT' });
      const f = { ...(eventFeatures({}) as { meta_last: { factors: Record<string, number> } }).meta_last.factors, raw_volatility_1h: 0.002 };
      await insertEvent(db, { symbol: 'VOL/USDT:USDT', factors: f });
      const s = await signals(db);
      expect(s.find((x) => x.symbol === 'NOV/USDT:USDT')).toMatchObject({ status: 'ignored', reason: 'missing_factors' });
      expect(s.find((x) => x.symbol === 'VOL/USDT:USDT')?.reason).not.toBe('missing_factors');
    } finally {
      await db.query(def);
    }
  });

  it('the prediction path and the event slots are read from the declaration', async () => {
    const { rows: [r] } = await db.query(`select watchlist.prediction_key() as k,
      watchlist.event_prediction('{"meta_last": {"pnl_regression": {"240": {"pnl_hat": 0.02}}}}', '240') as p,
      watchlist.raw_feature_slots(null::watchlist.watch_signal_raw) as empty,
      cardinality(watchlist.event_feature_names()) as n`);
    expect(r).toMatchObject({ k: 'pnl_regression', p: { pnl_hat: 0.02 }, n: 10 });
    expect(r.empty).toHaveLength(10);
  });
});
