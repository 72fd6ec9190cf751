// The paper venue: exchange rules, book-sweeping fills, a ledger in PostgreSQL, faults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { MarketSim } from '../workers/sim/market.ts';
import { DEFAULT_SYMBOLS } from '../workers/sim/universe.ts';
import { SimSource } from '../workers/sim/sim-source.ts';
import { FaultInjector, ManualClock } from '../workers/sim/faults.ts';
import { PaperVenue, shadowVenue } from '../workers/venues/paper-venue.ts';
import { VenueError } from '../workers/venues/errors.ts';
import type { OrderRequest } from '../workers/venues/types.ts';

const T0 = Date.parse('2026-01-05T10:00:30Z');
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const THIN = 'THIN/USDT:USDT';

let db: TestDb;
let sim: MarketSim;
let clock: ManualClock;
let faults: FaultInjector;
const venue = (name: string, extra: Partial<ConstructorParameters<typeof PaperVenue>[0]> = {}) =>
  new PaperVenue({ source: new SimSource(name, sim, clock, faults), db: db.pool, ...extra });

let seq = 0;
const order = (o: Partial<OrderRequest>): OrderRequest => ({
  symbol: BTC,
  side: 'buy',
  reduceOnly: false,
  clientOrderId: `t${++seq}x${Date.now() % 100000}`,
  ...o,
});

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VenueError);
    return e as VenueError;
  }
  throw new Error('expected a VenueError');
}

beforeAll(async () => {
  db = await freshDb();
  // a thin market so a modest order walks several levels
  sim = new MarketSim({ seed: 21, symbols: [...DEFAULT_SYMBOLS.slice(0, 3), { symbol: THIN, price: 100, depthUsdt: 150, volPerMin: 0.0007 }] });
});
afterAll(() => db.close());
beforeEach(() => {
  clock = new ManualClock(T0);
  faults = new FaultInjector(7);
});

describe('fills', () => {
  it('a market buy sweeps the asks level by level and pays the taker fee on each fill', async () => {
    const v = venue('binance');
    const book = sim.bookAt('binance', THIN, T0);
    const r = await v.createMarketOrder(order({ symbol: THIN, notionalUsdt: 1000, refPrice: Number(book.asks[0][0]) }));
    expect(r.status).toBe('closed');
    expect(r.fills.length).toBeGreaterThan(2);
    // each fill at the next ask level; all but the last take the whole level
    r.fills.forEach((f, i) => expect(f.price).toBe(book.asks[i][0]));
    r.fills.slice(0, -1).forEach((f, i) => expect(f.amountBase).toBe(book.asks[i][1]));
    const qty = r.fills.reduce((a, f) => a + Number(f.amountBase), 0);
    const cost = r.fills.reduce((a, f) => a + Number(f.amountBase) * Number(f.price), 0);
    expect(Number(r.filledBase)).toBeCloseTo(qty, 10);
    expect(r.filledBase).toBe(r.amountBase);
    expect(Number(r.avgPrice)).toBeCloseTo(cost / qty, 8);
    expect(Number(r.avgPrice)).toBeGreaterThan(Number(book.asks[0][0]));
    expect(Number(r.fee)).toBeCloseTo(cost * 0.0005, 6);
    r.fills.forEach((f) => expect(Number(f.fee)).toBeCloseTo(Number(f.price) * Number(f.amountBase) * 0.0005, 7));
    const [pos] = await v.fetchPositions([THIN]);
    expect(pos.sizeBase).toBe(r.filledBase);
    expect(Number(pos.entryPrice)).toBeCloseTo(cost / qty, 8);
  });

  it('rounds quantities down to the amount step (base on binance, contracts on okx)', async () => {
    const b = await venue('binance').createMarketOrder(order({ amountBase: '0.001239999' }));
    expect(b.amountBase).toBe('0.00123');
    const okx = venue('okx');
    const m = okx.market(ETH);
    expect(m.contractSize).toBeLessThan(1);
    const o = await okx.createMarketOrder(order({ symbol: ETH, amountBase: '0.0123456' }));
    // contracts = 0.0123456 / contractSize, truncated to 0.01 contracts
    const step = m.contractSize * Number(m.amountStep);
    expect(Number(o.amountBase)).toBeCloseTo(Math.floor(0.0123456 / step + 1e-9) * step, 12);
    expect(o.amountBase.length).toBeLessThanOrEqual(8);
    const z = await venueError(okx.createMarketOrder(order({ symbol: ETH, amountBase: '0.0000001' })));
    expect(z.kind).toBe('invalid');
    expect(z.message).toMatch(/rounds to zero/);
  });

  it('refuses below min notional with a clear message; a reduce-only close below it is allowed', async () => {
    const v = venue('binance', { name: 'binance-min' });
    const e = await venueError(v.createMarketOrder(order({ amountBase: '0.00004' })));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(/notional .* USDT below minimum 5 USDT/);
    const open = await v.createMarketOrder(order({ side: 'sell', amountBase: '0.0006' }));
    expect(open.status).toBe('closed');
    const before = Number((await v.fetchPositions([BTC]))[0].sizeBase);
    const close = await v.createMarketOrder(order({ side: 'buy', amountBase: '0.00004', reduceOnly: true }));
    expect(close.filledBase).toBe('0.00004');
    expect(Number((await v.fetchPositions([BTC]))[0].sizeBase)).toBeCloseTo(before + 0.00004, 10);
  });

  it('reduce-only: rejected when flat or when it would increase; capped to the position', async () => {
    const v = venue('bybit');
    const flat = await venueError(v.createMarketOrder(order({ symbol: ETH, side: 'sell', amountBase: '0.1', reduceOnly: true })));
    expect(flat.kind).toBe('invalid');
    expect(flat.message).toMatch(/no position/);
    await v.createMarketOrder(order({ symbol: ETH, side: 'buy', amountBase: '0.05' }));
    const inc = await venueError(v.createMarketOrder(order({ symbol: ETH, side: 'buy', amountBase: '0.01', reduceOnly: true })));
    expect(inc.message).toMatch(/would increase/);
    const capped = await v.createMarketOrder(order({ symbol: ETH, side: 'sell', amountBase: '1', reduceOnly: true }));
    expect(capped.filledBase).toBe('0.05');
    expect(await v.fetchPositions([ETH])).toEqual([]);
  });

  it('bybit minimum quantity applies to opening orders', async () => {
    const v = venue('bybit');
    const m = v.market(ETH);
    const e = await venueError(v.createMarketOrder(order({ symbol: ETH, amountBase: m.amountStep! })));
    expect(e.message).toMatch(/below minimum quantity/);
  });
});

describe('ledger', () => {
  it('duplicate client ids are refused; orders are found by client id', async () => {
    const v = venue('okx');
    const req = order({ amountBase: '0.001' });
    const r = await v.createMarketOrder(req);
    const dup = await venueError(v.createMarketOrder({ ...req }));
    expect(dup.kind).toBe('duplicate');
    expect(await v.fetchOrderByClientId(BTC, req.clientOrderId)).toEqual(r);
    expect(await v.fetchOrderByClientId(BTC, 'nosuchid')).toBeNull();
    // the same client id on another venue is a different order
    expect((await venue('bitget').createMarketOrder({ ...req })).venue).toBe('bitget');
  });

  it('positions, realised PnL and balance persist across a new instance on the same database', async () => {
    const a = venue('bitget', { initialBalanceUsdt: 10_000 });
    const open = await a.createMarketOrder(order({ symbol: ETH, side: 'sell', amountBase: '0.3' }));
    clock.set(T0 + 90 * 60_000); // prices move
    const b = venue('bitget', { initialBalanceUsdt: 10_000 });
    const [p] = await b.fetchPositions([ETH]);
    expect(p.sizeBase).toBe('-0.3');
    expect(Number(p.entryPrice)).toBeCloseTo(Number(open.avgPrice), 8);
    expect(await b.fetchOrderByClientId(ETH, open.clientOrderId)).toEqual(open);
    const close = await b.createMarketOrder(order({ symbol: ETH, side: 'buy', amountBase: '0.3', reduceOnly: true }));
    const realised = (Number(open.avgPrice) - Number(close.avgPrice)) * 0.3;
    const { rows } = await db.query(`select realized_pnl::float8 as r from paper.position where venue = 'bitget' and symbol = $1`, [ETH]);
    expect(rows[0].r).toBeCloseTo(realised, 8);
    const bal = await venue('bitget').fetchBalance();
    const { rows: acct } = await db.query(`select realized_pnl::float8 r, fees::float8 f from paper.account where venue = 'bitget'`);
    expect(Number(bal.total)).toBeCloseTo(10_000 + acct[0].r - acct[0].f, 8);
    expect(acct[0].f).toBeGreaterThan(0);
  });

  it('refuses orders the account cannot margin', async () => {
    const v = venue('binance', { name: 'binance-small', initialBalanceUsdt: 100 });
    const e = await venueError(v.createMarketOrder(order({ symbol: ETH, notionalUsdt: 500, refPrice: sim.midAt('binance', ETH, T0) })));
    expect(e.kind).toBe('insufficient_funds');
    await v.setLeverage(ETH, 10);
    const ok = await v.createMarketOrder(order({ symbol: ETH, notionalUsdt: 500, refPrice: sim.midAt('binance', ETH, T0) }));
    expect(ok.status).toBe('closed');
    // the read-back a failed set-leverage is judged by: the ledger's own record, 1x when never set
    expect(await v.fetchLeverage(ETH)).toBe(10);
    expect(await v.fetchLeverage(BTC)).toBe(1);
  });
});

describe('fault injection', () => {
  it('rejection and a timeout before placing leave no order; a timeout after placing is findable', async () => {
    const v = venue('okx');
    faults.failNext('okx', 'reject', 'timeout_before', 'timeout_after');
    const [a, b, c] = [order({ amountBase: '0.001' }), order({ amountBase: '0.001' }), order({ amountBase: '0.001' })];
    const rej = await venueError(v.createMarketOrder(a));
    expect(rej.kind).toBe('invalid');
    expect(rej.outcomeUnknown).toBe(false);
    const tb = await venueError(v.createMarketOrder(b));
    expect(tb.kind).toBe('network');
    expect(tb.outcomeUnknown).toBe(true);
    const ta = await venueError(v.createMarketOrder(c));
    expect(ta.kind).toBe('network');
    expect(await v.fetchOrderByClientId(BTC, a.clientOrderId)).toBeNull();
    expect(await v.fetchOrderByClientId(BTC, b.clientOrderId)).toBeNull();
    const found = await v.fetchOrderByClientId(BTC, c.clientOrderId);
    expect(found?.status).toBe('closed');
    expect(found?.filledBase).toBe('0.001');
  });

  it('partial: an IOC order fills its share in whole steps, the rest canceled', async () => {
    const v = venue('bybit');
    faults.set('bybit', { partialFillRatio: 0.3 });
    faults.failNext('bybit', 'partial');
    const r = await v.createMarketOrder(order({ symbol: ETH, amountBase: '1' }));
    expect(r.status).toBe('canceled');
    expect(r.amountBase).toBe('1');
    expect(Number(r.filledBase)).toBeCloseTo(0.3, 12);
    expect(r.fills.reduce((a, f) => a + Number(f.amountBase), 0)).toBeCloseTo(0.3, 12);
    faults.reset('bybit');
  });

  it('probabilities, latency and a venue that is down', async () => {
    const v = venue('bybit');
    faults.set('bybit', { rejectProb: 1 });
    expect((await venueError(v.createMarketOrder(order({ amountBase: '0.001' })))).sourceClass).toBe('OperationRejected');
    faults.reset('bybit');
    faults.set('bybit', { latencyMs: 120 });
    const t = performance.now();
    await v.fetchOrderBook(BTC);
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    faults.set('bybit', { latencyMs: 0, down: true });
    expect((await venueError(v.fetchOrderBook(BTC))).kind).toBe('network');
    expect((await venueError(v.fetchFundingInfo(BTC))).kind).toBe('network');
    expect((await venueError(v.createMarketOrder(order({ amountBase: '0.001' })))).kind).toBe('network');
    expect((await venueError(v.fetchPositions())).kind).toBe('network');
    faults.setDown('bybit', false);
    expect((await v.fetchOrderBook(BTC)).asks.length).toBe(20);
  });
});

describe('shadow mode', () => {
  it('fills on another venue’s books, keeps its own ledger, and fails when its source fails', async () => {
    const real = venue('okx'); // stands in for a ccxt venue: any Venue works as the source
    const shadow = shadowVenue(real, db.pool, { name: 'okx-shadow', now: () => clock.now() });
    expect(shadow.mode).toBe('shadow');
    expect(shadow.market(BTC)).toEqual(real.market(BTC));
    const book = await real.fetchOrderBook(BTC, 50);
    const r = await shadow.createMarketOrder(order({ side: 'sell', amountBase: '0.002' }));
    expect(r.fills[0].price).toBe(book.bids[0][0]);
    expect(r.raw).toMatchObject({ mode: 'shadow' });
    expect((await shadow.fetchPositions())[0]).toMatchObject({ venue: 'okx-shadow', sizeBase: '-0.002' });
    expect(await real.fetchOrderByClientId(BTC, r.clientOrderId)).toBeNull();
    faults.setDown('okx');
    expect((await venueError(shadow.createMarketOrder(order({ amountBase: '0.002' })))).kind).toBe('network');
  });
});
