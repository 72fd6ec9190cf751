// sql/gate.sql: every candidate gets a live_trade_signal row; only safe ones are
// admitted. Events reach the gate from the scanner's merge (wl_writer); the jobs move
// signals (wl_writer); knobs and the kill switch are the trader's (wl_trader).
import { describe, expect } from 'vitest';
import { ownDb, sqlFile, type OwnDb, type Tx } from '../helpers/sql-test.ts';
import { config, eventFeatures, insertEvent, partitions, signal } from '../helpers/fixtures.ts';
import { jobs, signals } from '../helpers/live.ts';

const { test } = sqlFile({ role: 'wl_writer' });
const it = test;
const setConfig = (tx: Tx, key: string, value: unknown) => tx.asRole('wl_trader', () => config(tx, key, value));
const traderConfig = async (db: OwnDb, key: string, value: unknown) => {
  const c = await db.connectAs('wl_trader');
  await config(c, key, value);
  await c.end();
};

describe('gate', () => {
  it('admits a qualifying event: status new, snapshot + thresholds, open_trade job with a key', async ({ tx }) => {
    const ev = await insertEvent(tx);
    const [s] = await signals(tx);
    expect(s).toMatchObject({ event_id: String(ev), status: 'new', leg_short_exchange: 'okx', leg_long_exchange: 'binance', symbol: 'BTC/USDT:USDT' });
    expect(s.pnl_hat).toBe(0.02);
    expect(s.threshold).toMatchObject({ pnl_hat_min: 0.013, win_prob_min: 0.94, horizon_min: 240, notional_usdt: 50 });
    expect(s.payload.trigger_details.prices.high.exchange).toBe('okx');
    expect(s.payload.pnl_regression['240'].win_prob).toBe(0.97);
    const j = await jobs(tx, 'open_trade');
    expect(j).toHaveLength(1);
    expect(j[0].key).toBe(`open_trade:${s.id}`);
    expect(j[0].payload).toEqual({ signal_id: Number(s.id), symbol: 'BTC/USDT:USDT', short: 'okx', long: 'binance' });
  });

  it('ignores with a machine-readable reason: thresholds, malformed, unsupported venue, type', async ({ tx }) => {
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
    for (const [o] of cases) await insertEvent(tx, o);
    const rows = await signals(tx);
    expect(rows.map((r) => [r.symbol, r.status, r.reason])).toEqual(cases.map(([o, reason]) => [o!.symbol, 'ignored', reason]));
    expect(await jobs(tx, 'open_trade')).toHaveLength(0);
  });

  it('an event re-evaluated for the same reason keeps one row; a trade on the symbol blocks others', async ({ tx }) => {
    const ev = await insertEvent(tx, { pnlHat: 0.001 });
    for (let i = 0; i < 3; i++) await tx.query(`update watchlist.watch_signal_event set updated_at = now() where id = $1`, [ev]);
    let rows = await signals(tx);
    expect(rows).toHaveLength(1);
    // below threshold at open: recorded once; its extensions are not re-assessed
    // until its prediction clears the thresholds (no per-minute churn)
    expect(rows[0].eval_count).toBe(1);
    await tx.query(`update watchlist.watch_signal_event set features_agg = jsonb_set(features_agg, '{meta_last,pnl_regression,240,pnl_hat}', '0.03') where id = $1`, [ev]);
    rows = await signals(tx);
    expect(rows.map((r) => r.status)).toEqual(['ignored', 'new']);
    await tx.query(`update watchlist.watch_signal_event set updated_at = now() where id = $1`, [ev]);
    expect((await signals(tx)).at(-1).reason).toBe('duplicate_event');
    await insertEvent(tx, { high: 'bybit', pnlHat: 0.05 });
    expect((await signals(tx)).at(-1)).toMatchObject({ status: 'ignored', reason: 'symbol_active' });
  });

  it('several pairs of one symbol in the same cycle: only the best is tried', async ({ tx }) => {
    const ts = new Date().toISOString();
    await tx.query(`insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, last_trigger_ts, status, features_agg)
      select 'multi', 'BTC/USDT:USDT', 'B', $1, $1, 'open', x::jsonb from unnest($2::text[]) x`, [
      ts,
      [0.02, 0.03, 0.025].map((p, i) => JSON.stringify({ meta_last: {
        pnl_regression: { '240': { pnl_hat: p, win_prob: 0.97 } },
        trigger_details: { prices: { high: { exchange: ['okx', 'bybit', 'bitget'][i], bid: 101, ask: 101.1 }, low: { exchange: 'binance', bid: 98.9, ask: 99 } } },
        factors: { raw_slope_3m: 0, raw_drift_ratio: 1, spread_log_short_over_long: 0.02, raw_crossings_1h: 1, raw_best_buy_high_sell_low: 0.02 } } })),
    ]);
    const rows = await signals(tx);
    expect(rows.map((r) => [r.leg_short_exchange, r.status, r.reason])).toEqual([
      ['okx', 'ignored', 'not_best_pair'], ['bybit', 'new', null], ['bitget', 'ignored', 'not_best_pair'],
    ]);
  });

  it('kill switch, cooldown, max_active and daily cap', async ({ tx }) => {
    await setConfig(tx, 'kill_switch', 1);
    await insertEvent(tx, { symbol: 'K/USDT:USDT' });
    await setConfig(tx, 'kill_switch', 0);
    // a pair that traded 10 minutes ago is cooling down; another pair of the symbol is not
    await signal(tx, { symbol: 'L/USDT:USDT', status: 'ignored' });
    const old = { id: await signal(tx, { symbol: 'L/USDT:USDT', status: 'failed', createdAt: Date.now() - 70 * 60_000 }) };
    await tx.query(`update watchlist.live_trade_signal set updated_at = now() - interval '10 minutes' where id = $1`, [old.id]);
    await insertEvent(tx, { symbol: 'L/USDT:USDT' });
    await insertEvent(tx, { symbol: 'L/USDT:USDT', high: 'bybit' });
    await setConfig(tx, 'trade.max_active', 3);
    await insertEvent(tx, { symbol: 'M/USDT:USDT' });
    await setConfig(tx, 'trade.daily_cap', 3);
    await insertEvent(tx, { symbol: 'N/USDT:USDT' });
    const rows = (await signals(tx)).filter((r) => r.event_id);
    expect(rows.map((r) => [r.symbol, r.leg_short_exchange, r.status, r.reason])).toEqual([
      ['K/USDT:USDT', 'okx', 'ignored', 'kill_switch'],
      ['L/USDT:USDT', 'okx', 'ignored', 'cooldown'],
      ['L/USDT:USDT', 'bybit', 'new', null],
      ['M/USDT:USDT', 'okx', 'new', null],
      ['N/USDT:USDT', 'okx', 'ignored', 'daily_cap'],
    ]);
    await setConfig(tx, 'trade.daily_cap', 20);
    await setConfig(tx, 'trade.max_active', 2);
    await insertEvent(tx, { symbol: 'O/USDT:USDT' });
    expect((await signals(tx)).at(-1)).toMatchObject({ symbol: 'O/USDT:USDT', status: 'ignored', reason: 'max_active' });
  });

  it('illegal status transitions are refused', async ({ tx }) => {
    await insertEvent(tx);
    const [s] = await signals(tx);
    await expect(tx.query(`update watchlist.live_trade_signal set status = 'open' where id = $1`, [s.id])).rejects.toThrow(/illegal transition new -> open/);
    await expect(tx.query(`select watchlist.signal_transition($1, 'closed')`, [s.id])).rejects.toThrow(/illegal/);
    await tx.query(`select watchlist.signal_transition($1, 'opening')`, [s.id]);
  });

  // races and NOTIFY need committed sessions: each of these gets a database of its own
  it('200 concurrent duplicate signals for one symbol admit exactly one', async () => {
    await ownDb(async (db) => {
      const clients = await Promise.all(Array.from({ length: 40 }, () => db.connectAs('wl_writer')));
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
  });

  it('max_active holds under concurrency across symbols', async () => {
    await ownDb(async (db) => {
      await traderConfig(db, 'trade.max_active', 5);
      const clients = await Promise.all(Array.from({ length: 20 }, () => db.connectAs('wl_writer')));
      await Promise.all(clients.map((c, i) => insertEvent(c, { symbol: `S${i}/USDT:USDT` })));
      await Promise.all(clients.map((c) => c.end()));
      const rows = await signals(db);
      expect(rows.filter((r) => r.status === 'new')).toHaveLength(5);
      expect(rows.filter((r) => r.reason === 'max_active')).toHaveLength(15);
    });
  });

  it('every status change notifies live_trade', async () => {
    await ownDb(async (db) => {
      const c = await db.connectAs('wl_reader');
      const writer = await db.connectAs('wl_writer');
      const got: any[] = [];
      c.on('notification', (n) => got.push(JSON.parse(n.payload!)));
      await c.query('listen live_trade');
      await insertEvent(writer, { symbol: 'Z/USDT:USDT' });
      const [s] = await signals(writer);
      await writer.query(`select watchlist.signal_transition($1, 'opening')`, [s.id]);
      await new Promise((r) => setTimeout(r, 100));
      await c.end();
      await writer.end();
      expect(got.filter((g) => g.type === 'signal_status').map((g) => g.status)).toEqual(['new', 'opening']);
    });
  });

  it('cooldown holds under concurrency', async () => {
    await ownDb(async (db) => {
      const writer = await db.connectAs('wl_writer');
      await signal(writer, { symbol: 'COOL/USDT:USDT', status: 'failed', createdAt: Date.now() - 2 * 3600_000 });
      await writer.end();
      const clients = await Promise.all(Array.from({ length: 20 }, () => db.connectAs('wl_writer')));
      await Promise.all(clients.map((c) => insertEvent(c, { symbol: 'COOL/USDT:USDT' })));
      await Promise.all(clients.map((c) => c.end()));
      const rows = (await signals(db)).filter((r) => r.event_id);
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.status === 'ignored' && r.reason === 'cooldown')).toBe(true);
    });
  });

  it('end to end: raw rows merged into an event by the merge trigger reach the gate', async ({ tx }) => {
    await partitions(tx, 'watch_signal_raw', Date.now() - 86_400_000, Date.now() + 86_400_000);
    const meta = (p: number) => JSON.stringify(eventFeatures({ pnlHat: p }).meta_last);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (let m = 0; m < 3; m++) {
      await tx.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange, spread_rel, meta)
        values ($1, 'multi', 'E2E/USDT:USDT', 'B', true, 'okx', 'binance', 0.02, $2::jsonb)`, [new Date(t0 + m * 60_000).toISOString(), meta(m === 0 ? 0.001 : 0.02)]);
    }
    const rows = (await signals(tx)).filter((r) => r.symbol === 'E2E/USDT:USDT');
    // opened at minute 2 (admitted), extended at minute 3 (the same event again: one duplicate row)
    expect(rows.map((r) => [r.status, r.reason])).toEqual([['new', null], ['ignored', 'duplicate_event']]);
    expect(rows[0].leg_short_exchange).toBe('okx');
    expect(await jobs(tx, 'open_trade')).toHaveLength(1);
  });
});
