// The gate: every candidate gets a live_trade_signal row; only safe ones are admitted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { eventFeatures, insertEvent, jobs, setConfig, signals } from './helpers/live.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.query('truncate watchlist.live_trade_signal, watchlist.watch_signal_event, watchlist.live_trade_error cascade');
  await db.query('delete from graphile_worker._private_jobs');
  await db.query(`update watchlist.strategy_config set value = case key when 'kill_switch' then '0'::jsonb when 'trade.max_active' then '10' when 'trade.daily_cap' then '20' else value end`);
});

describe('gate', () => {
  it('admits a qualifying event: status new, snapshot + thresholds, open_trade job with a key', async () => {
    const ev = await insertEvent(db);
    const [s] = await signals(db);
    expect(s).toMatchObject({ event_id: String(ev), status: 'new', leg_short_exchange: 'okx', leg_long_exchange: 'binance', symbol: 'BTC/USDT:USDT' });
    expect(s.pnl_hat).toBe(0.02);
    expect(s.threshold).toMatchObject({ pnl_hat_min: 0.013, win_prob_min: 0.94, horizon_min: 240, notional_usdt: 50 });
    expect(s.payload.trigger_details.prices.high.exchange).toBe('okx');
    expect(s.payload.pnl_regression['240'].win_prob).toBe(0.97);
    const j = await jobs(db, 'open_trade');
    expect(j).toHaveLength(1);
    expect(j[0].key).toBe(`open_trade:${s.id}`);
    expect(j[0].payload).toEqual({ signal_id: Number(s.id), symbol: 'BTC/USDT:USDT', short: 'okx', long: 'binance' });
  });

  it('ignores with a machine-readable reason: thresholds, malformed, unsupported venue, type', async () => {
    const cases: Array<[Parameters<typeof insertEvent>[1], string]> = [
      [{ symbol: 'A/USDT:USDT', pnlHat: 0.013 }, 'below_threshold'], // strictly greater
      [{ symbol: 'B/USDT:USDT', winProb: 0.94 }, 'below_threshold'],
      [{ symbol: 'C/USDT:USDT', factors: null }, 'missing_factors'],
      [{ symbol: 'D/USDT:USDT', factors: { raw_slope_3m: 'NaN', raw_drift_ratio: 1, spread_log_short_over_long: 1, raw_crossings_1h: 1, raw_best_buy_high_sell_low: 1 } }, 'missing_factors'],
      [{ symbol: 'E/USDT:USDT', pnlHat: 'NaN' }, 'missing_prediction'],
      [{ symbol: 'F/USDT:USDT', highBid: -5 }, 'invalid_prices'],
      [{ symbol: 'G/USDT:USDT', lowAsk: 'abc' }, 'invalid_prices'],
      [{ symbol: 'H/USDT:USDT', high: 'mtgox' }, 'unsupported_venue'],
      [{ symbol: 'I/USDT:USDT', high: 'okx', low: 'okx' }, 'invalid_prices'],
      [{ symbol: 'J/USDT:USDT', signalType: 'C' }, 'signal_type'],
      // a replayed (backfilled) minute is history, not an opportunity
      [{ symbol: 'K/USDT:USDT', lastTrigger: new Date(Date.now() - 3_600_000).toISOString() }, 'stale_event'],
    ];
    for (const [o] of cases) await insertEvent(db, o);
    const rows = await signals(db);
    expect(rows.map((r) => [r.symbol, r.status, r.reason])).toEqual(cases.map(([o, reason]) => [o!.symbol, 'ignored', reason]));
    expect(await jobs(db, 'open_trade')).toHaveLength(0);
  });

  it('an event re-evaluated for the same reason keeps one row; a trade on the symbol blocks others', async () => {
    const ev = await insertEvent(db, { pnlHat: 0.001 });
    for (let i = 0; i < 3; i++) await db.query(`update watchlist.watch_signal_event set updated_at = now() where id = $1`, [ev]);
    let rows = await signals(db);
    expect(rows).toHaveLength(1);
    // below threshold at open: recorded once; its extensions are not re-assessed
    // until its prediction clears the thresholds (no per-minute churn)
    expect(rows[0].eval_count).toBe(1);
    await db.query(`update watchlist.watch_signal_event set features_agg = jsonb_set(features_agg, '{meta_last,pnl_regression,240,pnl_hat}', '0.03') where id = $1`, [ev]);
    rows = await signals(db);
    expect(rows.map((r) => r.status)).toEqual(['ignored', 'new']);
    await db.query(`update watchlist.watch_signal_event set updated_at = now() where id = $1`, [ev]);
    expect((await signals(db)).at(-1).reason).toBe('duplicate_event');
    await insertEvent(db, { high: 'bybit', pnlHat: 0.05 });
    expect((await signals(db)).at(-1)).toMatchObject({ status: 'ignored', reason: 'symbol_active' });
  });

  it('several pairs of one symbol in the same cycle: only the best is tried', async () => {
    const ts = new Date().toISOString();
    await db.query(`insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, last_trigger_ts, status, features_agg)
      select 'multi', 'BTC/USDT:USDT', 'B', $1, $1, 'open', x::jsonb from unnest($2::text[]) x`, [
      ts,
      [0.02, 0.03, 0.025].map((p, i) => JSON.stringify({ meta_last: {
        pnl_regression: { '240': { pnl_hat: p, win_prob: 0.97 } },
        trigger_details: { prices: { high: { exchange: ['okx', 'bybit', 'bitget'][i], bid: 101, ask: 101.1 }, low: { exchange: 'binance', bid: 98.9, ask: 99 } } },
        factors: { raw_slope_3m: 0, raw_drift_ratio: 1, spread_log_short_over_long: 0.02, raw_crossings_1h: 1, raw_best_buy_high_sell_low: 0.02 } } })),
    ]);
    const rows = await signals(db);
    expect(rows.map((r) => [r.leg_short_exchange, r.status, r.reason])).toEqual([
      ['okx', 'ignored', 'not_best_pair'], ['bybit', 'new', null], ['bitget', 'ignored', 'not_best_pair'],
    ]);
  });

  it('kill switch, cooldown, max_active and daily cap', async () => {
    await setConfig(db, 'kill_switch', 1);
    await insertEvent(db, { symbol: 'K/USDT:USDT' });
    await setConfig(db, 'kill_switch', 0);
    // a pair that traded 10 minutes ago is cooling down; another pair of the symbol is not
    await db.query(`insert into watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, status, created_at, closed_at)
      values ('L/USDT:USDT', 'okx', 'binance', 'ignored', now(), null)`);
    const { rows: [old] } = await db.query(`insert into watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, status, created_at)
      values ('L/USDT:USDT', 'okx', 'binance', 'new', now() - interval '70 minutes') returning id`);
    await db.query(`update watchlist.live_trade_signal set status = 'failed' where id = $1`, [old.id]);
    await db.query(`update watchlist.live_trade_signal set updated_at = now() - interval '10 minutes' where id = $1`, [old.id]);
    await insertEvent(db, { symbol: 'L/USDT:USDT' });
    await insertEvent(db, { symbol: 'L/USDT:USDT', high: 'bybit' });
    await setConfig(db, 'trade.max_active', 3);
    await insertEvent(db, { symbol: 'M/USDT:USDT' });
    await setConfig(db, 'trade.daily_cap', 3);
    await insertEvent(db, { symbol: 'N/USDT:USDT' });
    const rows = (await signals(db)).filter((r) => r.event_id);
    expect(rows.map((r) => [r.symbol, r.leg_short_exchange, r.status, r.reason])).toEqual([
      ['K/USDT:USDT', 'okx', 'ignored', 'kill_switch'],
      ['L/USDT:USDT', 'okx', 'ignored', 'cooldown'],
      ['L/USDT:USDT', 'bybit', 'new', null],
      ['M/USDT:USDT', 'okx', 'new', null],
      ['N/USDT:USDT', 'okx', 'ignored', 'daily_cap'],
    ]);
    await setConfig(db, 'trade.daily_cap', 20);
    await setConfig(db, 'trade.max_active', 2);
    await insertEvent(db, { symbol: 'O/USDT:USDT' });
    expect((await signals(db)).at(-1)).toMatchObject({ symbol: 'O/USDT:USDT', status: 'ignored', reason: 'max_active' });
  });

  it('illegal status transitions are refused', async () => {
    await insertEvent(db);
    const [s] = await signals(db);
    await expect(db.query(`update watchlist.live_trade_signal set status = 'open' where id = $1`, [s.id])).rejects.toThrow(/illegal transition new -> open/);
    await expect(db.query(`select watchlist.signal_transition($1, 'closed')`, [s.id])).rejects.toThrow(/illegal/);
    await db.query(`select watchlist.signal_transition($1, 'opening')`, [s.id]);
  });

  it('200 concurrent duplicate signals for one symbol admit exactly one', async () => {
    const clients = await Promise.all(Array.from({ length: 40 }, async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    const ts = new Date().toISOString();
    let next = 0;
    await Promise.all(clients.map(async (c) => {
      while (next < 200) {
        next++;
        await insertEvent(c, { symbol: 'RACE/USDT:USDT', lastTrigger: ts, high: ['okx', 'bybit', 'bitget'][next % 3] });
      }
    }));
    await Promise.all(clients.map((c) => c.end()));
    const rows = (await signals(db)).filter((r) => r.symbol === 'RACE/USDT:USDT');
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.status === 'new')).toHaveLength(1);
    const reasons = new Set(rows.filter((r) => r.status === 'ignored').map((r) => r.reason));
    expect([...reasons].every((r) => r === 'symbol_active' || r === 'not_best_pair')).toBe(true);
    expect(await jobs(db, 'open_trade')).toHaveLength(1);
  });

  it('max_active holds under concurrency across symbols', async () => {
    await setConfig(db, 'trade.max_active', 5);
    const clients = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    await Promise.all(clients.map((c, i) => insertEvent(c, { symbol: `S${i}/USDT:USDT` })));
    await Promise.all(clients.map((c) => c.end()));
    const rows = await signals(db);
    expect(rows.filter((r) => r.status === 'new')).toHaveLength(5);
    expect(rows.filter((r) => r.reason === 'max_active')).toHaveLength(15);
  });

  it('every status change notifies live_trade', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const got: any[] = [];
    c.on('notification', (n) => got.push(JSON.parse(n.payload!)));
    await c.query('listen live_trade');
    await insertEvent(db, { symbol: 'Z/USDT:USDT' });
    const [s] = await signals(db);
    await db.query(`select watchlist.signal_transition($1, 'opening')`, [s.id]);
    await new Promise((r) => setTimeout(r, 100));
    await c.end();
    expect(got.filter((g) => g.type === 'signal_status').map((g) => g.status)).toEqual(['new', 'opening']);
  });

  it('cooldown holds under concurrency', async () => {
    await db.query(`insert into watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, status, created_at)
      values ('COOL/USDT:USDT', 'okx', 'binance', 'new', now() - interval '2 hours')`);
    await db.query(`update watchlist.live_trade_signal set status = 'failed' where symbol = 'COOL/USDT:USDT'`);
    const clients = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    await Promise.all(clients.map((c) => insertEvent(c, { symbol: 'COOL/USDT:USDT' })));
    await Promise.all(clients.map((c) => c.end()));
    const rows = (await signals(db)).filter((r) => r.event_id);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'ignored' && r.reason === 'cooldown')).toBe(true);
  });

  it('end to end: raw rows merged into an event by the merge trigger reach the gate', async () => {
    await db.query(`select watchlist.ensure_partitions('watch_signal_raw', (now() - interval '1 day')::date, (now() + interval '1 day')::date)`);
    const meta = (p: number) => JSON.stringify(eventFeatures({ pnlHat: p }).meta_last);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (let m = 0; m < 3; m++) {
      await db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange, spread_rel, meta)
        values ($1, 'multi', 'E2E/USDT:USDT', 'B', true, 'okx', 'binance', 0.02, $2::jsonb)`, [new Date(t0 + m * 60_000).toISOString(), meta(m === 0 ? 0.001 : 0.02)]);
    }
    const rows = (await signals(db)).filter((r) => r.symbol === 'E2E/USDT:USDT');
    // opened at minute 2 (admitted), extended at minute 3 (the same event again: one duplicate row)
    expect(rows.map((r) => [r.status, r.reason])).toEqual([['new', null], ['ignored', 'duplicate_event']]);
    expect(rows[0].leg_short_exchange).toBe('okx');
    expect(await jobs(db, 'open_trade')).toHaveLength(1);
  });
});
