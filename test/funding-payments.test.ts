// The account's own funding payments and fee-coin prices through the real ccxt classes
// (HTTP answered by HttpMock): each exchange's endpoint, sign convention and paging.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestVenue, type TestVenue } from './helpers/ccxt-mock.ts';

const BTC = 'BTC/USDT:USDT';
const NOW = Date.parse('2024-05-29T22:00:00Z');
const H = 3_600_000;
let tv: TestVenue | null = null;
const setup = (name: Parameters<typeof makeTestVenue>[0]) => (tv = makeTestVenue(name, { venue: { now: () => NOW } }));
afterEach(() => {
  expect(tv?.http.unmatched.map((c) => c.path) ?? []).toEqual([]);
  tv = null;
});

describe('fetchFundingPayments: the account income, not the public rates', () => {
  it('Binance: /fapi/v1/income FUNDING_FEE for the symbol and window; + received', async () => {
    const { venue, http } = setup('binance');
    http.on('GET', '/fapi/v1/income', {
      json: [
        { symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE', income: '-0.01234567', asset: 'USDT', info: 'FUNDING_FEE', time: NOW - 16 * H, tranId: 1, tradeId: '' },
        { symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE', income: '0.00500000', asset: 'USDT', info: 'FUNDING_FEE', time: NOW - 8 * H, tranId: 2, tradeId: '' },
      ],
    });
    const ps = await venue.fetchFundingPayments(BTC, NOW - 24 * H, NOW);
    expect(ps).toEqual([
      { id: '1', ts: NOW - 16 * H, amount: '-0.01234567', currency: 'USDT' },
      { id: '2', ts: NOW - 8 * H, amount: '0.00500000', currency: 'USDT' },
    ]);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE', startTime: String(NOW - 24 * H), endTime: String(NOW), limit: '1000' });
    expect(http.callsTo('GET', '/fapi/v1/fundingRate')).toHaveLength(0);
  });

  it('OKX: bills-archive type 8 with begin/end; balChg, else posBalChg; pages older by billId', async () => {
    const { venue, http } = setup('okx');
    const bill = (i: number, chg: string, pos = '0') => ({
      bal: '100', balChg: chg, billId: String(1000 + i), ccy: 'USDT', execType: '', fee: '0', from: '', instId: 'BTC-USDT-SWAP',
      instType: 'SWAP', mgnMode: 'cross', notes: '', ordId: '', pnl: '0', posBal: '0', posBalChg: pos, subType: '173', sz: '1', to: '',
      ts: String(NOW - i * H), type: '8', uTime: String(NOW - i * H),
    });
    const page1 = Array.from({ length: 100 }, (_, i) => bill(i + 1, '-0.001'));
    http.on('GET', '/api/v5/account/bills-archive', { json: { code: '0', msg: '', data: page1 } }, { json: { code: '0', msg: '', data: [bill(101, '0', '0.002')] } });
    const ps = await venue.fetchFundingPayments(BTC, NOW - 200 * H, NOW);
    expect(ps).toHaveLength(101);
    expect(ps[0]).toEqual({ id: '1101', ts: NOW - 101 * H, amount: '0.002', currency: 'USDT' });
    const calls = http.callsTo('GET', '/api/v5/account/bills-archive');
    expect(calls[0].query).toMatchObject({ type: '8', instType: 'SWAP', begin: String(NOW - 200 * H), end: String(NOW) });
    expect(calls[1].query).toMatchObject({ after: '1100' });
  });

  it('Bybit: /v5/execution/list execType Funding in windows of 3 days (limit 7 days, 100 rows); execFee is + paid, so negated', async () => {
    const { venue, http } = setup('bybit');
    http.on('GET', '/v5/execution/list', (req) => ({
      json: {
        retCode: 0, retMsg: 'OK', time: NOW, retExtInfo: {},
        result: {
          category: 'linear', nextPageCursor: '',
          list: Number(req.query['startTime']) === NOW - 10 * 24 * H
            ? [{ symbol: 'BTCUSDT', execFee: '0.0123', execId: 'e1', execPrice: '60000', execQty: '0.001', execType: 'Funding', execValue: '60',
                 feeRate: '0.0001', execTime: String(NOW - 9 * 24 * H), orderId: '', orderLinkId: '', side: 'Buy', isMaker: false, closedSize: '0', seq: 1 }]
            : [{ symbol: 'BTCUSDT', execFee: '-0.004', execId: 'e2', execPrice: '60000', execQty: '0.001', execType: 'Funding', execValue: '60',
                 feeRate: '-0.0001', execTime: String(NOW - 8 * H), orderId: '', orderLinkId: '', side: 'Buy', isMaker: false, closedSize: '0', seq: 2 }],
        },
      },
    }));
    const ps = await venue.fetchFundingPayments(BTC, NOW - 10 * 24 * H, NOW);
    expect(ps.map((p) => [p.id, p.amount])).toEqual([['e1', '-0.0123'], ['e2', '0.004']]);
    const calls = http.callsTo('GET', '/v5/execution/list');
    expect(calls).toHaveLength(4); // 10 days in 3-day windows
    for (const c of calls) {
      expect(c.query).toMatchObject({ execType: 'Funding', category: 'linear', symbol: 'BTCUSDT' });
      expect(Number(c.query['endTime']) - Number(c.query['startTime'])).toBeLessThan(3 * 24 * H);
    }
  });

  it('Bitget: /api/v2/mix/account/bill businessType contract_settle_fee; amount is + received', async () => {
    const { venue, http } = setup('bitget');
    http.on('GET', '/api/v2/mix/account/bill', {
      json: {
        code: '00000', msg: 'success', requestTime: NOW,
        data: { bills: [{ billId: 'b1', symbol: 'BTCUSDT', amount: '-0.0077', fee: '0', feeByCoupon: '', businessType: 'contract_settle_fee', coin: 'USDT', balance: '100', cTime: String(NOW - 8 * H) }], endId: 'b1' },
      },
    });
    const ps = await venue.fetchFundingPayments(BTC, NOW - 24 * H, NOW);
    expect(ps).toEqual([{ id: 'b1', ts: NOW - 8 * H, amount: '-0.0077', currency: 'USDT' }]);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', businessType: 'contract_settle_fee', productType: 'USDT-FUTURES', marginCoin: 'USDT' });
  });

  it('Bitget: a full page (100 bills) is followed by idLessThan = the oldest bill id', async () => {
    const { venue, http } = setup('bitget');
    const bill = (i: number) => ({ billId: `b${1000 - i}`, symbol: 'BTCUSDT', amount: '-0.0001', fee: '0', feeByCoupon: '', businessType: 'contract_settle_fee', coin: 'USDT', balance: '100', cTime: String(NOW - i * H) });
    http.on(
      'GET',
      '/api/v2/mix/account/bill',
      { json: { code: '00000', msg: 'success', requestTime: NOW, data: { bills: Array.from({ length: 100 }, (_, i) => bill(i + 1)), endId: 'b900' } } },
      { json: { code: '00000', msg: 'success', requestTime: NOW, data: { bills: [bill(101)], endId: 'b899' } } },
    );
    const ps = await venue.fetchFundingPayments(BTC, NOW - 200 * H, NOW);
    expect(ps).toHaveLength(101);
    const calls = http.callsTo('GET', '/api/v2/mix/account/bill');
    expect(calls).toHaveLength(2);
    expect(calls[1].query).toMatchObject({ idLessThan: 'b900' });
  });
});

describe('fetchUsdtPriceAt: a fee coin priced at the fill minute', () => {
  it('USDT needs no request; a coin the venue does not list is null', async () => {
    const { venue, http } = setup('binance');
    expect(await venue.fetchUsdtPriceAt('USDT', NOW)).toMatchObject({ price: '1', source: 'same_currency' });
    expect(await venue.fetchUsdtPriceAt('NOSUCHCOIN', NOW)).toBeNull();
    expect(http.calls).toHaveLength(0);
  });

  it('the open of the 1m candle holding the fill time, from the coin/USDT perpetual', async () => {
    const { venue, http } = setup('okx');
    const t = NOW + 42_123;
    http.on('GET', '/api/v5/market/history-candles', { json: { code: '0', msg: '', data: [[String(NOW), '3001.5', '3002', '3000', '3001', '10', '30000', '30000', '1']] } });
    http.on('GET', '/api/v5/market/candles', { json: { code: '0', msg: '', data: [[String(NOW), '3001.5', '3002', '3000', '3001', '10', '30000', '30000', '1']] } });
    const p = await venue.fetchUsdtPriceAt('ETH', t);
    expect(p).toMatchObject({ symbol: 'ETH/USDT:USDT', price: '3001.5', ts: NOW });
    expect(p!.source).toContain('okx:ETH/USDT:USDT:1m-open');
  });
});
