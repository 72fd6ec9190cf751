// Reading a venue's current leverage (the check a failed set-leverage is judged by),
// through the real ccxt 4.5.84 classes with HTTP answered in each exchange's documented shape.
import { describe, expect, it } from 'vitest';
import { makeTestVenue } from './helpers/ccxt-mock.ts';

const BTC = 'BTC/USDT:USDT';

describe('fetchLeverage per venue', () => {
  it('Binance: emulated by ccxt from /fapi/v1/leverageBracket and /fapi/v1/symbolConfig', async () => {
    const { venue, http } = makeTestVenue('binance');
    http.on('GET', '/fapi/v1/leverageBracket', { json: [{ symbol: 'BTCUSDT', notionalCoef: 1, brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] }] });
    http.on('GET', '/fapi/v1/symbolConfig', { json: [{ symbol: 'ETHUSDT', marginType: 'CROSSED', isAutoAddMargin: 'false', leverage: 20, maxNotionalValue: '1' }, { symbol: 'BTCUSDT', marginType: 'CROSSED', isAutoAddMargin: 'false', leverage: 3, maxNotionalValue: '1' }] });
    expect(await venue.fetchLeverage(BTC)).toBe(3);
    expect(http.calls.map((c) => c.path)).toEqual(['/fapi/v1/leverageBracket', '/fapi/v1/symbolConfig']);
  });

  it('OKX: /api/v5/account/leverage-info for cross margin', async () => {
    const { venue, http } = makeTestVenue('okx');
    http.on('GET', '/api/v5/account/leverage-info', { json: { code: '0', msg: '', data: [{ instId: 'BTC-USDT-SWAP', lever: '3.00000000', mgnMode: 'cross', posSide: 'net' }] } });
    expect(await venue.fetchLeverage(BTC)).toBe(3);
    expect(http.calls[0].query).toEqual({ instId: 'BTC-USDT-SWAP', mgnMode: 'cross' });
  });

  it('Bybit: the position row (present at size 0)', async () => {
    const { venue, http } = makeTestVenue('bybit');
    http.on('GET', '/v5/position/list', { json: { retCode: 0, retMsg: 'OK', result: { category: 'linear', nextPageCursor: '', list: [{ symbol: 'BTCUSDT', leverage: '2', size: '0', side: '', positionIdx: 0, tradeMode: 0, avgPrice: '0', markPrice: '60000', createdTime: '1', updatedTime: '1', positionStatus: 'Normal' }] }, time: 1 } });
    expect(await venue.fetchLeverage(BTC)).toBe(2);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear' });
  });

  it('Bitget: the mix account (crossed leverage)', async () => {
    const { venue, http } = makeTestVenue('bitget');
    http.on('GET', '/api/v2/mix/account/account', { json: { code: '00000', msg: 'success', requestTime: 1, data: { marginCoin: 'USDT', available: '0', crossedMarginLeverage: 4, isolatedLongLever: 20, isolatedShortLever: 20, marginMode: 'crossed', posMode: 'one_way_mode' } } });
    expect(await venue.fetchLeverage(BTC)).toBe(4);
    expect(http.calls[0].query).toEqual({ marginCoin: 'USDT', productType: 'USDT-FUTURES', symbol: 'BTCUSDT' });
  });

  it('an answer without a leverage is "not confirmed" (null), an error is a typed venue error', async () => {
    const o = makeTestVenue('okx');
    o.http.on('GET', '/api/v5/account/leverage-info', { json: { code: '0', msg: '', data: [] } });
    expect(await o.venue.fetchLeverage(BTC)).toBeNull();
    const y = makeTestVenue('bybit');
    y.http.on('GET', '/v5/position/list', { status: 429, json: { retCode: 10006, retMsg: 'Too many visits!' } });
    await expect(y.venue.fetchLeverage(BTC)).rejects.toMatchObject({ kind: 'rate_limit' });
  });
});
