// Reconcile: venue positions vs our fills; drift is flagged (error row + NOTIFY), never fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDb, type TestDb } from './helpers/db.ts';
import { enqueue, fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';
import type { VenueSet } from '../workers/venues/registry.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  vs = await paperVenues(db);
  await fixedModel(db, 0.02);
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const errors = async (cls: string) => (await db.query('select * from watchlist.live_trade_error where error_class = $1 order by id', [cls])).rows;

describe('reconcile', () => {
  it('an open trade explains its positions: nothing flagged, venue_position refreshed', async () => {
    const ev = await insertEvent(db, { symbol: 'BTC/USDT:USDT', high: 'okx', low: 'binance' });
    await drain(db);
    await enqueue(db, 'reconcile');
    await drain(db, 1);
    const { rows } = await db.query(`select venue, size_base from watchlist.venue_position where symbol = 'BTC/USDT:USDT' order by venue`);
    const { rows: exp } = await db.query(`select venue, expected_size_base from watchlist.v_expected_position where symbol = 'BTC/USDT:USDT' order by venue`);
    expect(rows.map((r) => [r.venue, Number(r.size_base)])).toEqual(exp.map((r) => [r.venue, Number(r.expected_size_base)]));
    expect(Number(rows.find((r) => r.venue === 'okx').size_base)).toBeLessThan(0);
    expect((await db.query(`select count(*)::int n from watchlist.live_trade_error where stage = 'reconcile'`)).rows[0].n).toBe(0);
    expect(ev).toBeGreaterThan(0);
  });

  it('a position closed behind our back is flagged once, with the trade, and notified; the trade is left alone', async () => {
    const { rows: [s] } = await db.query(`select id from watchlist.live_trade_signal where symbol = 'BTC/USDT:USDT' and status = 'open'`);
    const pos = (await vs.get('binance').fetchPositions(['BTC/USDT:USDT']))[0];
    await vs.get('binance').createMarketOrder({ symbol: 'BTC/USDT:USDT', side: 'sell', amountBase: pos.sizeBase, reduceOnly: true, clientOrderId: 'byhand1' });
    const l = new pg.Client({ connectionString: db.url });
    await l.connect();
    const got: any[] = [];
    l.on('notification', (n) => got.push(JSON.parse(n.payload!)));
    await l.query('listen live_trade_error');
    await enqueue(db, 'reconcile');
    await drain(db, 1);
    await enqueue(db, 'reconcile');
    await drain(db, 1);
    await new Promise((r) => setTimeout(r, 100));
    await l.end();
    const flagged = await errors('position_vanished');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ stage: 'reconcile', venue: 'binance', signal_id: s.id });
    expect(got).toContainEqual(expect.objectContaining({ error_id: Number(flagged[0].id), stage: 'reconcile', venue: 'binance' }));
    expect((await db.query('select status from watchlist.live_trade_signal where id = $1', [s.id])).rows[0].status).toBe('open');
  });

  it('a position the database does not explain is flagged', async () => {
    const book = await vs.get('bitget').fetchOrderBook('ETH/USDT:USDT');
    await vs.get('bitget').createMarketOrder({ symbol: 'ETH/USDT:USDT', side: 'buy', notionalUsdt: 40, refPrice: Number(book.asks[0][0]), reduceOnly: false, clientOrderId: 'byhand2' });
    await enqueue(db, 'reconcile');
    await drain(db, 1);
    const flagged = await errors('unexplained_position');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ venue: 'bitget', signal_id: null });
    expect(flagged[0].payload.symbol).toBe('ETH/USDT:USDT');
  });

  it('resumes an interrupted trade: an opening trade whose orders went out is finished from the venue', async () => {
    await setConfig(db, 'trade.resume_after_s', 0);
    const ev = await insertEvent(db, { symbol: 'SOL/USDT:USDT', high: 'okx', low: 'bybit' });
    const { rows: [s] } = await db.query('select id from watchlist.live_trade_signal where event_id = $1', [ev]);
    // what a crash right after sending leaves: job lost, signal opening, rows pending, orders on the venues
    await db.query('delete from graphile_worker._private_jobs');
    await db.query(`select watchlist.signal_transition($1, 'opening')`, [s.id]);
    for (const [leg, venue, side] of [['short', 'okx', 'sell'], ['long', 'bybit', 'buy']] as const) {
      const cid = vs.get(venue).clientOrderId(`wl${s.id}-${leg}-1`);
      await db.query(`select watchlist.trade_prepare_order($1, 'open', $2, $3, 'SOL/USDT:USDT', $4, 0.3, false, $5, 1)`, [s.id, leg, venue, side, cid]);
      await vs.get(venue).createMarketOrder({ symbol: 'SOL/USDT:USDT', side, amountBase: '0.3', reduceOnly: false, clientOrderId: cid });
    }
    await enqueue(db, 'reconcile');
    await drain(db, 3);
    const { rows: [after] } = await db.query('select status, entry_spread from watchlist.live_trade_signal where id = $1', [s.id]);
    expect(after.status).toBe('open');
    expect(after.entry_spread).not.toBeNull();
    expect((await db.query(`select count(*)::int n from paper.venue_order where symbol = 'SOL/USDT:USDT'`)).rows[0].n).toBe(2);
  });
});
