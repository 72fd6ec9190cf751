// Hedge (dual-side) mode: each exchange reports a long and a short row for one symbol.
// CcxtVenue.fetchPositions sums them into one net row, so record_venue_positions (keyed by
// venue + symbol) and closes never break on them. Real ccxt 4.5.84 classes; bodies in each
// exchange's documented hedge-mode shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVenue } from './helpers/ccxt-mock.ts';
import type { HttpMock } from './helpers/ccxt-mock.ts';
import { freshDb } from './helpers/db.ts';
import type { TestDb } from './helpers/db.ts';
import type { CcxtVenueName } from '../workers/venues/ccxt-venue.ts';

const BTC = 'BTC/USDT:USDT';
const T = 1717020000000;

/** long 0.010 BTC and short 0.004 BTC of BTC/USDT:USDT, as each exchange reports hedge mode */
function mockHedged(name: CcxtVenueName, http: HttpMock): void {
  switch (name) {
    case 'binance': {
      const row = (side: 'LONG' | 'SHORT', amt: string, entry: string, upl: string) => ({
        symbol: 'BTCUSDT', positionSide: side, positionAmt: amt, entryPrice: entry, breakEvenPrice: entry, markPrice: '60100', unRealizedProfit: upl,
        liquidationPrice: '0', isolatedMargin: '0', notional: side === 'LONG' ? '601' : '-240.4', marginAsset: 'USDT', isolatedWallet: '0', initialMargin: '601',
        maintMargin: '2.4', positionInitialMargin: '601', openOrderInitialMargin: '0', adl: 1, bidNotional: '0', askNotional: '0', updateTime: T,
      });
      http.on('GET', /\/fapi\/v\d\/positionRisk$/, { json: [row('LONG', '0.010', '60000', '1.0'), row('SHORT', '-0.004', '60200', '0.4'), { ...row('LONG', '0', '0', '0'), symbol: 'ETHUSDT' }] });
      http.on('GET', '/fapi/v1/leverageBracket', { json: [{ symbol: 'BTCUSDT', brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] }] });
      http.on('GET', '/fapi/v1/symbolConfig', { json: [{ symbol: 'BTCUSDT', marginType: 'CROSSED', isAutoAddMargin: 'false', leverage: 1, maxNotionalValue: '1000000' }] });
      return;
    }
    case 'okx': {
      // long_short_mode: posSide long/short, pos in contracts (ctVal 0.01 BTC), positive on both
      const row = (posSide: string, pos: string, avgPx: string, upl: string) => ({
        adl: '1', availPos: pos, avgPx, cTime: String(T), ccy: 'USDT', instId: 'BTC-USDT-SWAP', instType: 'SWAP', lever: '1', liqPx: '', markPx: '60100',
        mgnMode: 'cross', notionalUsd: '601', pos, posCcy: '', posId: posSide === 'long' ? '1' : '2', posSide, upl, uTime: String(T),
      });
      http.on('GET', '/api/v5/account/positions', { json: { code: '0', msg: '', data: [row('long', '1', '60000', '1.0'), row('short', '0.4', '60200', '0.4')] } });
      return;
    }
    case 'bybit': {
      // hedge mode: positionIdx 1 (buy side) and 2 (sell side), size positive on both
      const row = (positionIdx: number, side: string, size: string, avgPrice: string, upl: string) => ({
        positionIdx, riskId: 1, riskLimitValue: '2000000', symbol: 'BTCUSDT', side, size, avgPrice, positionValue: '601', tradeMode: 0, positionStatus: 'Normal',
        autoAddMargin: 0, adlRankIndicator: 2, leverage: '1', positionBalance: '0', markPrice: '60100', liqPrice: '', bustPrice: '', positionMM: '0', positionIM: '0',
        tpslMode: 'Full', takeProfit: '0', stopLoss: '0', trailingStop: '0', unrealisedPnl: upl, curRealisedPnl: '0', cumRealisedPnl: '0', seq: 1, isReduceOnly: false,
        createdTime: String(T), updatedTime: String(T),
      });
      http.on('GET', '/v5/position/list', { json: { retCode: 0, retMsg: 'OK', result: { category: 'linear', nextPageCursor: '', list: [row(1, 'Buy', '0.010', '60000', '1.0'), row(2, 'Sell', '0.004', '60200', '0.4')] }, retExtInfo: {}, time: T } });
      return;
    }
    case 'bitget': {
      // hedge_mode: holdSide long/short, total positive on both
      const row = (holdSide: string, total: string, price: string, upl: string) => ({
        marginCoin: 'USDT', symbol: 'BTCUSDT', holdSide, openDelegateSize: '0', marginSize: '601', available: total, locked: '0', total, leverage: '1',
        achievedProfits: '0', openPriceAvg: price, marginMode: 'crossed', posMode: 'hedge_mode', unrealizedPL: upl, liquidationPrice: '0', keepMarginRate: '0.004',
        markPrice: '60100', marginRatio: '0.01', breakEvenPrice: price, totalFee: '0', deductedFee: '0', cTime: String(T), uTime: String(T),
      });
      const data = [row('long', '0.010', '60000', '1.0'), row('short', '0.004', '60200', '0.4')];
      http.on('GET', '/api/v2/mix/position/all-position', { json: { code: '00000', msg: 'success', requestTime: T, data } });
      http.on('GET', '/api/v2/mix/position/single-position', { json: { code: '00000', msg: 'success', requestTime: T, data } });
      return;
    }
  }
}

describe('hedge-mode positions are summed per symbol', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(['binance', 'okx', 'bybit', 'bitget'] as const)('%s: a long and a short row become one net row that record_venue_positions takes', async (name) => {
    const { venue, http } = makeTestVenue(name);
    mockHedged(name, http);
    const ps = await venue.fetchPositions([BTC]);
    expect(http.unmatched.map((u) => `${u.method} ${u.url}`)).toEqual([]);
    // OKX: 1 − 0.4 contracts × 0.01 BTC; the others: 0.010 − 0.004 BTC
    expect(ps).toEqual([{ venue: name, symbol: BTC, sizeBase: '0.006', entryPrice: null, unrealizedPnl: '1.4', ts: T }]);
    await db.query('select watchlist.record_venue_positions($1, $2::jsonb)', [name, JSON.stringify(ps)]);
    const { rows } = await db.query('select size_base::text as size from watchlist.venue_position where venue = $1 and symbol = $2', [name, BTC]);
    expect(rows).toEqual([{ size: '0.006' }]);
  });
});
