// Money in one currency (issue 8 items 7, 8, 10): fees charged in BNB converted to USDT at
// the fill-time price with the original kept, realised funding from the account's own
// funding payments (bounded by the close fill, public rates only as a labelled fallback),
// a partial_failed trade's realised loss as a 'rollback' exit in every PnL view, and the
// max-hold exit by the clock when no book can be read.
// The Binance leg is the real ccxt binanceusdm class with HTTP answered by HttpMock; the
// other leg is the paper venue; SQL and graphile-worker are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { enqueue, fixedModel, insertEvent, setConfig } from './helpers/live.ts';
import { closeSharedVenues, drain, paperVenues } from './helpers/worker.ts';
import { makeTestVenue, type RecordedRequest, type TestVenue } from './helpers/ccxt-mock.ts';
import { loadFixtureMarkets } from './fixtures/markets.ts';
import { VenueError } from '../workers/venues/errors.ts';
import type { VenueSet } from '../workers/venues/registry.ts';
import type { Venue } from '../workers/venues/types.ts';

let db: TestDb;
let vs: VenueSet;
beforeAll(async () => {
  db = await freshDb();
  vs = await paperVenues(db);
  await fixedModel(db, 0.02);
  await setConfig(db, 'trade.monitor_interval_s', 0);
});
afterAll(async () => {
  await closeSharedVenues();
  await db.close();
});

const signal = async (id: string) => (await db.query('select * from watchlist.live_trade_signal where id = $1', [id])).rows[0];
const exitOf = async (id: string) => (await db.query('select * from watchlist.live_trade_exit where signal_id = $1', [id])).rows[0];

async function openTrade(symbol: string, high = 'okx', low = 'binance'): Promise<string> {
  const ev = await insertEvent(db, { symbol, high, low });
  await drain(db);
  const { rows } = await db.query(`select id, status, reason from watchlist.live_trade_signal where event_id = $1 order by id desc`, [ev]);
  expect(rows[0]?.status, JSON.stringify(rows[0])).toBe('open');
  return rows[0].id;
}

/** swap a venue of the shared set for another (the job's venueNamed reads the same set) */
function useVenue(name: string, v: Venue): () => void {
  const i = vs.venues.findIndex((x) => x.name === name);
  const old = vs.venues[i];
  vs.venues[i] = v;
  return () => {
    vs.venues[i] = old;
  };
}

/** Binance USDⓈ-M over the real ccxt class, with a BNB/USDT:USDT perp listed (fee pricing) */
function binanceVenue(): TestVenue {
  const tv = makeTestVenue('binance');
  const markets = loadFixtureMarkets('binance') as any[];
  const eth = markets.find((m) => m.symbol === 'ETH/USDT:USDT');
  markets.push({
    ...eth, id: 'BNBUSDT', symbol: 'BNB/USDT:USDT', base: 'BNB', baseId: 'BNB',
    info: { ...eth.info, symbol: 'BNBUSDT', pair: 'BNBUSDT', baseAsset: 'BNB' },
  });
  tv.ex.setMarkets(markets);
  return tv;
}

const HOUR = 3_600_000;

/**
 * Binance answers for closing a long of `qty` ETH: the position, a filled reduce-only SELL at
 * 3000, its trade with the commission charged in BNB at time `t`.
 */
function binanceCloseAnswers(http: TestVenue['http'], id: string, qty: string, t: number) {
  let open = true;
  http.on('GET', '/fapi/v1/leverageBracket', {
    json: [{ symbol: id, brackets: [{ bracket: 1, initialLeverage: 75, notionalCap: 10000, notionalFloor: 0, maintMarginRatio: 0.0065, cum: 0 }] }],
  });
  http.on('GET', /\/fapi\/v[23]\/positionRisk$/, () => ({
    json: open
      ? [{ symbol: id, positionSide: 'BOTH', positionAmt: qty, entryPrice: '3000', breakEvenPrice: '3000', markPrice: '3000',
           unRealizedProfit: '0', liquidationPrice: '0', isolatedMargin: '0', notional: String(Number(qty) * 3000), marginAsset: 'USDT',
           isolatedWallet: '0', initialMargin: '50', maintMargin: '1', positionInitialMargin: '50', openOrderInitialMargin: '0',
           adl: 1, bidNotional: '0', askNotional: '0', updateTime: t - HOUR, leverage: '1', marginType: 'cross' }]
      : [],
  }));
  http.on('POST', '/fapi/v1/order', (req: RecordedRequest) => {
    open = false;
    return {
      json: {
        orderId: 777, symbol: id, status: 'FILLED', clientOrderId: req.form!['newClientOrderId'], price: '0.00', avgPrice: '3000.00',
        origQty: req.form!['quantity'], executedQty: req.form!['quantity'], cumQty: req.form!['quantity'],
        cumQuote: String(Number(req.form!['quantity']) * 3000), timeInForce: 'GTC', type: 'MARKET', reduceOnly: true, closePosition: false,
        side: 'SELL', positionSide: 'BOTH', stopPrice: '0.00', workingType: 'CONTRACT_PRICE', priceProtect: false, origType: 'MARKET',
        priceMatch: 'NONE', selfTradePreventionMode: 'EXPIRE_MAKER', goodTillDate: 0, updateTime: t,
      },
    };
  });
  http.on('GET', '/fapi/v1/userTrades', (req: RecordedRequest) => ({
    json: [{ buyer: false, commission: '0.00010000', commissionAsset: 'BNB', id: 9001, maker: false, orderId: Number(req.query['orderId']),
             price: '3000', qty, quoteQty: String(Number(qty) * 3000), realizedPnl: '0', side: 'SELL', positionSide: 'BOTH', symbol: id, time: t }],
  }));
}

/** the paper short leg contributes no funding, so the test's figures are Binance's alone */
function noPaperFunding(name: string): () => void {
  const v = vs.get(name) as Venue;
  const old = v.fetchFundingPayments;
  v.fetchFundingPayments = async () => [];
  return () => {
    v.fetchFundingPayments = old;
  };
}

async function fillsOf(id: string) {
  return (await db.query(`select o.purpose, o.leg, o.side, f.* from watchlist.live_trade_fill f join watchlist.live_trade_order o on o.id = f.order_id
                          where o.signal_id = $1 order by f.id`, [id])).rows;
}

describe('fees in another currency and the account funding', () => {
  it('a Binance close fill charged in BNB is priced in USDT at the fill minute; funding is the account income up to the close fill', async () => {
    const id = await openTrade('ETH/USDT:USDT', 'okx', 'binance');
    // held a day: settlements at −8 h (ours) and one after the close (not ours)
    await db.query(`update watchlist.live_trade_signal set opened_at = now() - interval '1 day' where id = $1`, [id]);
    const qty = String(await db.query(`select watchlist.trade_leg_net($1, 'long') as q`, [id]).then((r) => r.rows[0].q));
    const t = Date.now();
    const minute = Math.floor(t / 60_000) * 60_000;
    const { venue, http } = binanceVenue();
    binanceCloseAnswers(http, 'ETHUSDT', qty, t);
    http.on('GET', '/fapi/v1/klines', (req: RecordedRequest) => ({
      json: req.query['symbol'] === 'BNBUSDT' && Number(req.query['startTime']) === minute
        ? [[minute, '600.00', '601.00', '599.00', '600.50', '100', minute + 59_999, '60000', 10, '50', '30000', '0']]
        : [],
    }));
    http.on('GET', '/fapi/v1/income', {
      json: [
        { symbol: 'ETHUSDT', incomeType: 'FUNDING_FEE', income: '-0.01230000', asset: 'USDT', info: 'FUNDING_FEE', time: t - 8 * HOUR, tranId: 11, tradeId: '' },
        { symbol: 'ETHUSDT', incomeType: 'FUNDING_FEE', income: '-5.00000000', asset: 'USDT', info: 'FUNDING_FEE', time: t + HOUR, tranId: 12, tradeId: '' },
      ],
    });
    const restore = [useVenue('binance', venue), noPaperFunding('okx')];
    try {
      await db.query(`select watchlist.request_close($1, 'manual')`, [id]);
      await drain(db);
    } finally {
      restore.forEach((r) => r());
    }
    expect(http.unmatched.map((c) => c.path)).toEqual([]);
    expect((await signal(id)).status).toBe('closed');
    const fills = await fillsOf(id);
    const bnb = fills.find((f) => f.purpose === 'close' && f.leg === 'long');
    // the fee as charged is kept; fee_usdt is 0.0001 BNB × 600 USDT (the fill minute's open)
    expect(Number(bnb.fee)).toBe(0.0001);
    expect(bnb.fee_currency).toBe('BNB');
    expect(Number(bnb.fee_usdt)).toBe(0.06);
    expect(Number(bnb.fee_rate)).toBe(600);
    expect(bnb.fee_rate_source).toContain('BNB/USDT:USDT');
    expect(http.callsTo('GET', '/fapi/v1/klines')[0].query).toMatchObject({ symbol: 'BNBUSDT', interval: '1m', startTime: String(minute) });
    // the account's income was asked for the trade's window, not the public rates
    expect(http.callsTo('GET', '/fapi/v1/income')[0].query).toMatchObject({ symbol: 'ETHUSDT', incomeType: 'FUNDING_FEE' });
    expect(http.callsTo('GET', '/fapi/v1/fundingRate')).toHaveLength(0);

    const ex = await exitOf(id);
    expect(ex.funding_sources).toEqual({ short: 'account', long: 'account' });
    expect(Number(ex.funding_usdt)).toBe(-0.0123); // the settlement after the close is excluded
    const cash = fills.reduce((a, f) => a + (f.side === 'sell' ? 1 : -1) * Number(f.price) * Number(f.qty), 0);
    const feesUsdt = fills.reduce((a, f) => a + Number(f.fee_usdt), 0);
    expect(Number(ex.fees_usdt)).toBeCloseTo(feesUsdt, 12);
    expect(ex.fees_unconverted).toBeNull();
    expect(Number(ex.realized_pnl_usdt)).toBeCloseTo(cash - feesUsdt - 0.0123, 10);
    const { rows: v } = await db.query('select * from watchlist.v_trade_pnl where signal_id = $1', [id]);
    expect(v[0]).toMatchObject({ pnl_complete: true, funding_sources: { short: 'account', long: 'account' } });
  });

  it('no BNB price: an error row, the fee left unconverted and the PnL flagged; no account history: public rates, labelled, up to the close', async () => {
    const id = await openTrade('LTC/USDT:USDT', 'okx', 'binance');
    await db.query(`update watchlist.live_trade_signal set opened_at = now() - interval '1 day' where id = $1`, [id]);
    const qty = String(await db.query(`select watchlist.trade_leg_net($1, 'long') as q`, [id]).then((r) => r.rows[0].q));
    const t = Date.now();
    const { venue, http } = binanceVenue();
    binanceCloseAnswers(http, 'LTCUSDT', qty, t);
    http.on('GET', '/fapi/v1/klines', { status: 429, json: { code: -1003, msg: 'Too many requests; current limit is 2400 requests per minute.' } });
    http.on('GET', '/fapi/v1/income', { status: 503, text: 'Service Unavailable' });
    http.on('GET', '/fapi/v1/fundingRate', {
      json: [
        { symbol: 'LTCUSDT', fundingTime: t - 8 * HOUR, fundingRate: '0.00010000', markPrice: '3000' },
        { symbol: 'LTCUSDT', fundingTime: t + HOUR, fundingRate: '0.05000000', markPrice: '3000' },
      ],
    });
    const restore = [useVenue('binance', venue), noPaperFunding('okx')];
    try {
      await db.query(`select watchlist.request_close($1, 'manual')`, [id]);
      await drain(db);
    } finally {
      restore.forEach((r) => r());
    }
    expect((await signal(id)).status).toBe('closed');
    const fills = await fillsOf(id);
    const bnb = fills.find((f) => f.purpose === 'close' && f.leg === 'long');
    expect(Number(bnb.fee)).toBe(0.0001);
    expect(bnb).toMatchObject({ fee_currency: 'BNB', fee_usdt: null });
    const { rows: errs } = await db.query(`select * from watchlist.live_trade_error where signal_id = $1 and stage = 'fee_conversion'`, [id]);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ venue: 'binance', error_class: 'FeeConversion' });
    expect(errs[0].payload).toMatchObject({ fill_id: Number(bnb.id), fee_currency: 'BNB' });

    const ex = await exitOf(id);
    expect(ex.fees_unconverted).toEqual({ BNB: 0.0001 });
    const cash = fills.reduce((a, f) => a + (f.side === 'sell' ? 1 : -1) * Number(f.price) * Number(f.qty), 0);
    const feesUsdt = fills.reduce((a, f) => a + Number(f.fee_usdt ?? 0), 0);
    expect(Number(ex.fees_usdt)).toBeCloseTo(feesUsdt, 12); // 0.0001 BNB is not added as 0.0001 USDT
    expect(ex.funding_sources).toEqual({ short: 'account', long: 'public_rate' });
    const longNotional = fills.filter((f) => f.purpose === 'open' && f.leg === 'long').reduce((a, f) => a + Number(f.price) * Number(f.qty), 0);
    expect(Number(ex.funding_usdt)).toBeCloseTo(-0.0001 * longNotional, 10); // the 5% after the close is not counted
    expect(Number(ex.realized_pnl_usdt)).toBeCloseTo(cash - feesUsdt - 0.0001 * longNotional, 10);
    const { rows: v } = await db.query('select pnl_complete, fees_unconverted from watchlist.v_trade_pnl where signal_id = $1', [id]);
    expect(v[0]).toEqual({ pnl_complete: false, fees_unconverted: { BNB: 0.0001 } });
    const { rows: fe } = await db.query(`select * from watchlist.live_trade_error where signal_id = $1 and stage = 'funding'`, [id]);
    expect(fe.map((e) => e.venue)).toEqual(['binance']);

    // a price found later (the conversion job) completes the PnL
    const later = binanceVenue();
    const minute = Math.floor(t / 60_000) * 60_000;
    later.http.on('GET', '/fapi/v1/klines', { json: [[minute, '600.00', '601.00', '599.00', '600.50', '100', minute + 59_999, '60000', 10, '50', '30000', '0']] });
    const back = useVenue('binance', later.venue);
    try {
      await enqueue(db, 'convert_fees');
      await drain(db, 1);
    } finally {
      back();
    }
    const ex2 = await exitOf(id);
    expect(ex2.fees_unconverted).toBeNull();
    expect(Number(ex2.fees_usdt)).toBeCloseTo(feesUsdt + 0.06, 12);
    expect(Number(ex2.realized_pnl_usdt)).toBeCloseTo(Number(ex.realized_pnl_usdt) - 0.06, 10);
  });

  it('paper trades take funding from the paper account ("account"), not the public-rate estimate', async () => {
    const id = await openTrade('SOL/USDT:USDT', 'okx', 'binance');
    await db.query(`select watchlist.request_close($1, 'manual')`, [id]);
    await drain(db);
    expect((await exitOf(id)).funding_sources).toEqual({ short: 'account', long: 'account' });
  });
});

describe('paper venue: the account funding history', () => {
  it('pays − rate × the position held at each settlement × its price (a long pays a positive rate)', async () => {
    const v = vs.get('bybit') as Venue;
    const sym = 'DOT/USDT:USDT';
    const o = await v.createMarketOrder({ symbol: sym, side: 'buy', amountBase: '10', reduceOnly: false, clientOrderId: 'fundtest1' });
    // the position was opened a day ago
    await db.query(`update paper.fill set ts = ts - interval '1 day' where order_id = (select id from paper.venue_order where client_order_id = 'fundtest1')`);
    const now = Date.now();
    const rates = await v.fetchFundingHistory(sym, now - 25 * HOUR, now);
    expect(rates.length).toBeGreaterThan(0);
    const pays = await v.fetchFundingPayments!(sym, now - 25 * HOUR, now);
    const { rows } = await db.query(`select price::text from paper.fill where order_id = (select id from paper.venue_order where client_order_id = 'fundtest1') order by ts desc, id desc limit 1`);
    const price = Number(rows[0].price);
    const before = rates.filter((r) => r.ts > now - 24 * HOUR); // settlements after the (backdated) fill
    expect(pays.map((p) => p.ts)).toEqual(before.filter((r) => r.rate !== 0).map((r) => r.ts));
    for (const p of pays) {
      const r = before.find((x) => x.ts === p.ts)!;
      expect(Number(p.amount)).toBeCloseTo(-r.rate * 10 * price, 9);
      expect(p.currency).toBe('USDT');
    }
    expect(o.filledBase).toBe('10');
    await v.createMarketOrder({ symbol: sym, side: 'sell', amountBase: '10', reduceOnly: true, clientOrderId: 'fundtest2' });
  });
});

describe('rollback: a partial_failed trade realises a loss', () => {
  it('writes a rollback exit with the lone leg open + flatten cash and fees, in v_trade_pnl and the daily views', async () => {
    vs.faults.failNext('binance', 'reject');
    const ev = await insertEvent(db, { symbol: 'XRP/USDT:USDT', high: 'okx', low: 'binance' });
    await drain(db);
    const { rows } = await db.query(`select id, status from watchlist.live_trade_signal where event_id = $1 and status <> 'ignored'`, [ev]);
    expect(rows[0].status).toBe('partial_failed');
    const id = rows[0].id;
    const fills = await fillsOf(id);
    expect(fills.map((f) => `${f.purpose}:${f.leg}`).sort()).toEqual(expect.arrayContaining(['flatten:short', 'open:short']));
    const cash = fills.reduce((a, f) => a + (f.side === 'sell' ? 1 : -1) * Number(f.price) * Number(f.qty), 0);
    const fees = fills.reduce((a, f) => a + Number(f.fee_usdt), 0);
    expect(fees).toBeGreaterThan(0);
    const ex = await exitOf(id);
    expect(ex).toMatchObject({ reason: 'rollback', funding_sources: { short: 'not_held', long: 'not_held' } });
    expect(ex.closed_at).not.toBeNull();
    expect(Number(ex.realized_pnl_usdt)).toBeCloseTo(cash - fees, 10);
    expect(Number(ex.realized_pnl_usdt)).toBeLessThan(0);
    expect(ex.exit_fills.map((f: any) => f.purpose).sort()).toEqual(['flatten', 'open']);

    const { rows: v } = await db.query('select * from watchlist.v_trade_pnl where signal_id = $1', [id]);
    expect(v[0]).toMatchObject({ exit_reason: 'rollback', pnl_complete: true });
    const { rows: d } = await db.query(`select * from watchlist.v_pnl_daily where day = date_trunc('day', $1::timestamptz)`, [ex.closed_at]);
    expect(Number(d[0].rollbacks)).toBe(1);
    const { rows: all } = await db.query(`select sum(realized_pnl_usdt) s from watchlist.v_trade_pnl where date_trunc('day', closed_at) = $1`, [d[0].day]);
    expect(Number(d[0].realized_pnl_usdt)).toBeCloseTo(Number(all[0].s), 10);
    const { rows: p } = await db.query(`select * from watchlist.v_pnl_by_pair where symbol = 'XRP/USDT:USDT' and leg_short_exchange = 'okx'`);
    expect(Number(p[0].rollbacks)).toBe(1);
    expect(Number(p[0].realized_pnl_usdt)).toBeCloseTo(cash - fees, 10);
  });
});

describe('paper venue fault: fees reported in BNB', () => {
  it('a rollback whose fills were charged in BNB is flagged until the conversion job prices them, then its loss is in USDT', async () => {
    vs.faults.set('okx', { feeCoin: { currency: 'BNB', usdtPrice: '600' } });
    vs.faults.failNext('binance', 'reject');
    const ev = await insertEvent(db, { symbol: 'DOGE/USDT:USDT', high: 'okx', low: 'binance' });
    try {
      // the open path only (no cron): the rollback exit is written with the fees still in BNB
      await drain(db, 1);
    } finally {
      vs.faults.set('okx', { feeCoin: null });
    }
    const { rows } = await db.query(`select id, status from watchlist.live_trade_signal where event_id = $1 and status <> 'ignored'`, [ev]);
    expect(rows[0].status).toBe('partial_failed');
    const id = rows[0].id;
    const before = await fillsOf(id);
    expect(before.every((f) => f.fee_currency === 'BNB' && f.fee_usdt === null)).toBe(true);
    const ex0 = await exitOf(id);
    expect(ex0.reason).toBe('rollback');
    expect(Number(ex0.fees_unconverted.BNB)).toBeCloseTo(before.reduce((a, f) => a + Number(f.fee), 0), 12);
    expect((await db.query('select pnl_complete from watchlist.v_trade_pnl where signal_id = $1', [id])).rows[0].pnl_complete).toBe(false);

    vs.faults.set('okx', { feeCoin: { currency: 'BNB', usdtPrice: '600' } });
    try {
      await enqueue(db, 'convert_fees');
      await drain(db, 1);
    } finally {
      vs.faults.set('okx', { feeCoin: null });
    }
    const after = await fillsOf(id);
    for (const f of after) {
      expect(Number(f.fee_usdt)).toBeCloseTo(Number(f.fee) * 600, 12);
      expect(f.fee_rate_source).toBe('okx:BNB/USDT:fault-price');
    }
    const ex = await exitOf(id);
    expect(ex.fees_unconverted).toBeNull();
    const cash = after.reduce((a, f) => a + (f.side === 'sell' ? 1 : -1) * Number(f.price) * Number(f.qty), 0);
    expect(Number(ex.realized_pnl_usdt)).toBeCloseTo(cash - after.reduce((a, f) => a + Number(f.fee_usdt), 0), 10);
    expect((await db.query('select pnl_complete from watchlist.v_trade_pnl where signal_id = $1', [id])).rows[0].pnl_complete).toBe(true);
  });
});

describe('max hold by the clock', () => {
  it('a trade held past max hold is closed by the minute job even when no book can be read', async () => {
    const id = await openTrade('ADA/USDT:USDT', 'okx', 'binance');
    await db.query(`update watchlist.live_trade_signal set opened_at = now() - interval '8 days' where id = $1`, [id]);
    // both venues' books fail (orders still go through): the monitor cannot take a sample
    const restore = ['okx', 'binance'].map((n) => {
      const v = vs.get(n) as Venue;
      const old = v.fetchOrderBook;
      v.fetchOrderBook = async () => {
        throw new VenueError('network', n, `${n} fetchOrderBook: 502 Bad Gateway`, { sourceClass: 'ExchangeNotAvailable' });
      };
      return () => {
        v.fetchOrderBook = old;
      };
    });
    try {
      await enqueue(db, 'monitor_trades');
      await drain(db);
    } finally {
      restore.forEach((r) => r());
    }
    expect(Number((await db.query('select count(*) from watchlist.live_trade_spread_sample where signal_id = $1', [id])).rows[0].count)).toBe(0);
    expect((await signal(id)).status).toBe('closed');
    expect((await exitOf(id)).reason).toBe('max_hold');
  });

  it('the same rule decides on a sample and by the clock (a young trade is left open by both)', async () => {
    const id = await openTrade('LINK/USDT:USDT', 'okx', 'binance');
    const { rows } = await db.query('select watchlist.close_overdue_trades() ids');
    expect(rows[0].ids).toEqual([]);
    await setConfig(db, 'trade.max_hold_hours', 0);
    const { rows: r2 } = await db.query('select watchlist.close_overdue_trades() ids');
    await setConfig(db, 'trade.max_hold_hours', 168);
    expect(r2[0].ids.map(Number)).toEqual([Number(id)]);
    expect((await exitOf(id)).reason).toBe('max_hold');
  });
});
