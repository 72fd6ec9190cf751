// CcxtVenue against the REAL ccxt 4.5.84 exchange classes: fixture markets injected with
// setMarkets, HTTP answered through ccxt's fetchImplementation hook (no internet). Response
// bodies follow the exchanges' documented replies.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestVenue } from './helpers/ccxt-mock.ts';
import type { TestVenue } from './helpers/ccxt-mock.ts';
import { VenueError } from '../workers/venues/errors.ts';
import { exchangeErrorCodes, mapCcxtError, venueDepthLimit } from '../workers/venues/ccxt-venue.ts';
import { decodeClientOrderId, isValidClientOrderId, legClientOrderIdBase, shapeClientOrderId } from '../workers/venues/client-order-id.ts';
import { CREDENTIAL_ENV, configuredCcxtVenues, createCcxtExchange, hasCredentials, missingCredentialVars } from '../workers/venues/ccxt-factory.ts';
import { loadFixtureMarkets } from './fixtures/markets.ts';
import { RequestTimeout, InvalidOrder, RateLimitExceeded, DDoSProtection, OperationFailed, ExchangeNotAvailable, InsufficientFunds, OrderNotFound, AuthenticationError, PermissionDenied, BadSymbol, BadRequest, ExchangeError, NetworkError } from 'ccxt';

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const LTC = 'LTC/USDT:USDT';
const NOW = Date.parse('2024-05-29T22:00:00Z'); // 1717020000000

let tv: TestVenue | null = null;
afterEach(() => {
  // every request a test made must have been expected
  if (tv) expect(tv.http.unmatched.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  tv = null;
});
const setup = (...args: Parameters<typeof makeTestVenue>): TestVenue => {
  tv = makeTestVenue(args[0], { ...args[1], venue: { now: () => NOW, ...(args[1]?.venue ?? {}) } });
  return tv;
};

async function caught(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VenueError);
    return e as VenueError;
  }
  throw new Error('expected a VenueError, nothing was thrown');
}

// ---------------------------------------------------------------------------------------

describe('fixtures and markets', () => {
  it('loads :USDT linear swaps and converts binance decimal places to tick sizes', () => {
    const b = loadFixtureMarkets('binance');
    expect(b.every((m) => (m['symbol'] as string).endsWith(':USDT'))).toBe(true);
    const btc = b.find((m) => m['symbol'] === BTC)!;
    expect(btc['precision']).toMatchObject({ amount: 0.001, price: 0.1 });
    const ada = b.find((m) => m['symbol'] === 'ADA/USDT:USDT')!;
    expect((ada['precision'] as { amount: number }).amount).toBe(1);
    // OKX precision is already a tick size (SUSHI lot 1 must stay 1)
    const sushi = loadFixtureMarkets('okx').find((m) => m['symbol'] === 'SUSHI/USDT:USDT')!;
    expect((sushi['precision'] as { amount: number }).amount).toBe(1);
  });

  it('market(): contract size, steps, minimums and taker fee per exchange', async () => {
    const b = setup('binance');
    await b.venue.loadMarkets(); // markets injected: no request (afterEach checks)
    expect(b.http.calls).toHaveLength(0);
    expect(b.venue.market(BTC)).toEqual({
      symbol: BTC,
      venueSymbol: 'BTCUSDT',
      contractSize: 1,
      amountStep: '0.001',
      priceStep: '0.1',
      minAmount: 0.001,
      minCostUsdt: 5,
      takerFee: 0.0004,
    });
    expect(b.venue.symbols()).toContain(BTC);

    const o = makeTestVenue('okx').venue.market(BTC);
    expect(o).toMatchObject({ venueSymbol: 'BTC-USDT-SWAP', contractSize: 0.01, amountStep: '0.1', minAmount: 0.1, minCostUsdt: null, takerFee: 0.0005 });

    // bybit.json has limits.cost.min null: the instrument's minNotionalValue is used
    const y = makeTestVenue('bybit').venue.market(BTC);
    expect(y).toMatchObject({ venueSymbol: 'BTCUSDT', contractSize: 1, amountStep: '0.001', minCostUsdt: 5 });

    const g = makeTestVenue('bitget').venue.market(BTC);
    expect(g).toMatchObject({ venueSymbol: 'BTCUSDT', contractSize: 1, minCostUsdt: 5, takerFee: 0.0006 });
  });

  it('an unknown symbol is an invalid VenueError', async () => {
    const { venue } = setup('okx');
    const e = await caught((async () => venue.market('FOO/USDT:USDT'))());
    expect(e.kind).toBe('invalid');
    expect(e.sourceClass).toBe('BadSymbol');
  });
});

// ---------------------------------------------------------------------------------------

describe('order books', () => {
  it('OKX: amounts converted from contracts to base with ctVal; exchange ts kept', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/market/books', {
      json: {
        code: '0',
        msg: '',
        data: [
          {
            asks: [
              ['60000.1', '12.3', '0', '4'],
              ['60000.5', '0.1', '0', '1'],
            ],
            bids: [
              ['59999.9', '8', '0', '3'],
              ['59999.0', '250', '0', '9'],
            ],
            ts: '1717020000123',
          },
        ],
      },
    });
    const ob = await venue.fetchOrderBook(BTC, 20);
    expect(http.calls[0].query).toEqual({ instId: 'BTC-USDT-SWAP', sz: '20' });
    expect(ob.asks).toEqual([
      ['60000.1', '0.123'],
      ['60000.5', '0.001'],
    ]);
    expect(ob.bids).toEqual([
      ['59999.9', '0.08'],
      ['59999', '2.5'],
    ]);
    expect(ob.ts).toBe(1717020000123);
    expect(ob.receivedAt).toBe(NOW);
    expect(ob.venue).toBe('okx');
  });

  it('Binance: depth rounded up to an accepted limit, levels trimmed to the depth asked', async () => {
    const { venue, http } = setup('binance');
    const levels = (from: number, dir: number) => Array.from({ length: 50 }, (_, i) => [(from + dir * i * 0.1).toFixed(1), '0.5']);
    http.on('GET', '/fapi/v1/depth', { json: { lastUpdateId: 1027024, E: 1717020000200, T: 1717020000190, bids: levels(59999.9, -1), asks: levels(60000, 1) } });
    const ob = await venue.fetchOrderBook(BTC, 30);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', limit: '50' });
    expect(ob.bids).toHaveLength(30);
    expect(ob.asks[0]).toEqual(['60000', '0.5']);
    expect(ob.ts).toBe(1717020000190);
  });

  it('no exchange timestamp: ts is the receive time', async () => {
    const { venue, http } = setup('bybit');
    http.on('GET', '/v5/market/orderbook', {
      json: { retCode: 0, retMsg: 'OK', result: { s: 'BTCUSDT', a: [['60000.1', '1.5']], b: [['60000', '0.25']], u: 1, seq: 2 }, retExtInfo: {}, time: 1717020000300 },
    });
    const ob = await venue.fetchOrderBook(BTC, 600);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear', limit: '500' });
    expect(ob.ts).toBe(NOW);
    expect(ob.bids).toEqual([['60000', '0.25']]);
  });

  it('accepted depth per exchange', () => {
    expect(venueDepthLimit('binance', 1)).toBe(5);
    expect(venueDepthLimit('binance', 21)).toBe(50);
    expect(venueDepthLimit('binance', 5000)).toBe(1000);
    expect(venueDepthLimit('okx', 1000)).toBe(400);
    expect(venueDepthLimit('okx', 7)).toBe(7);
    expect(venueDepthLimit('bybit', 0)).toBe(1);
    expect(venueDepthLimit('bybit', 501)).toBe(500);
    expect(venueDepthLimit('bitget', 20)).toBe(50);
    expect(venueDepthLimit('bitget', 51)).toBe('max');
  });
});

// ---------------------------------------------------------------------------------------

const binanceFilled = (over: Record<string, unknown> = {}) => ({
  orderId: 4107380567,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  clientOrderId: 'wl42long1',
  price: '0.00',
  avgPrice: '60012.30000',
  origQty: '0.001',
  executedQty: '0.001',
  cumQty: '0.001',
  cumQuote: '60.01230',
  timeInForce: 'GTC',
  type: 'MARKET',
  reduceOnly: false,
  closePosition: false,
  side: 'BUY',
  positionSide: 'BOTH',
  stopPrice: '0.00',
  workingType: 'CONTRACT_PRICE',
  priceProtect: false,
  origType: 'MARKET',
  priceMatch: 'NONE',
  selfTradePreventionMode: 'EXPIRE_MAKER',
  goodTillDate: 0,
  updateTime: 1717020000123,
  ...over,
});

describe('market orders: exact requests and parsed replies', () => {
  it('Binance: POST /fapi/v1/order, quantity in BTC, newClientOrderId; fills from the reply, fee from userTrades', async () => {
    const { venue, http } = setup('binance');
    http.on('POST', '/fapi/v1/order', { json: binanceFilled() });
    http.on('GET', '/fapi/v1/userTrades', {
      json: [
        {
          buyer: true,
          commission: '0.02400492',
          commissionAsset: 'USDT',
          id: 283112,
          maker: false,
          orderId: 4107380567,
          price: '60012.3',
          qty: '0.001',
          quoteQty: '60.0123',
          realizedPnl: '0',
          side: 'BUY',
          positionSide: 'BOTH',
          symbol: 'BTCUSDT',
          time: 1717020000123,
        },
      ],
    });
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'buy', notionalUsdt: 100, refPrice: 60000, reduceOnly: false, clientOrderId: 'wl42-long-1' });

    const post = http.callsTo('POST', '/fapi/v1/order')[0];
    expect(post.host).toBe('fapi.binance.com');
    expect(post.form).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'wl42long1', newOrderRespType: 'RESULT' });
    expect(post.form).not.toHaveProperty('reduceOnly');
    expect(post.form).not.toHaveProperty('positionSide');
    expect(post.headers['X-MBX-APIKEY']).toBe('test-api-key');
    // only the order reply and the trades for the fee: no order read-back on Binance
    expect(http.callsTo('GET', '/fapi/v1/order')).toHaveLength(0);
    expect(http.callsTo('GET', '/fapi/v1/userTrades')[0].query).toMatchObject({ symbol: 'BTCUSDT', orderId: '4107380567' });

    expect(r).toMatchObject({
      venue: 'binance',
      symbol: BTC,
      id: '4107380567',
      clientOrderId: 'wl42long1',
      side: 'buy',
      status: 'closed',
      amountBase: '0.001',
      filledBase: '0.001',
      avgPrice: '60012.3',
      fee: '0.02400492',
      feeCurrency: 'USDT',
      reduceOnly: false,
      ts: 1717020000123,
    });
    expect(r.fills).toEqual([{ tradeId: '283112', price: '60012.3', amountBase: '0.001', fee: '0.02400492', feeCurrency: 'USDT', ts: 1717020000123 }]);
    expect(r.raw).toMatchObject({ create: { orderId: 4107380567 } });
  });

  it('OKX: 50 USDT of BTC at 60000 is 0.0833 contracts (ctVal 0.01), below the 0.1 lot: refused, nothing sent', async () => {
    const { venue, http } = setup('okx');
    const e = await caught(venue.createMarketOrder({ symbol: BTC, side: 'sell', notionalUsdt: 50, refPrice: 60000, reduceOnly: false, clientOrderId: 'wl7-short-1' }));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('okx BTC/USDT:USDT');
    expect(e.message).toContain('below one contract step');
    expect(e.message).toContain('0.1 contract = 0.001 base');
    expect(http.calls).toHaveLength(0);
  });

  it('OKX: POST /api/v5/trade/batch-orders, sz in contracts, tdMode cross, clOrdId; order + fills read back', async () => {
    const { venue, http } = setup('okx');
    http.on('POST', '/api/v5/trade/batch-orders', {
      json: { code: '0', msg: '', data: [{ clOrdId: 'wl7short1', ordId: '1612345678901234567', tag: '', ts: '1717020000456', sCode: '0', sMsg: 'Order placed' }], inTime: '1717020000450000', outTime: '1717020000460000' },
    });
    const okxOrder = (state: string, accFillSz: string, avgPx: string, fee: string) => ({
      accFillSz,
      algoClOrdId: '',
      algoId: '',
      avgPx,
      cTime: '1717020000456',
      category: 'normal',
      ccy: '',
      clOrdId: 'wl7short1',
      fee,
      feeCcy: 'USDT',
      fillPx: avgPx,
      fillSz: accFillSz,
      fillTime: '1717020000460',
      instId: 'BTC-USDT-SWAP',
      instType: 'SWAP',
      lever: '1',
      ordId: '1612345678901234567',
      ordType: 'market',
      pnl: '0',
      posSide: 'net',
      px: '',
      rebate: '0',
      rebateCcy: 'USDT',
      reduceOnly: 'false',
      side: 'sell',
      state,
      sz: '0.2',
      tag: '',
      tdMode: 'cross',
      tgtCcy: '',
      tradeId: '123456',
      uTime: '1717020000470',
    });
    // first read still partially filled, second final
    http.on(
      'GET',
      '/api/v5/trade/order',
      { json: { code: '0', msg: '', data: [okxOrder('partially_filled', '0.1', '59990.1', '-0.029995')] } },
      { json: { code: '0', msg: '', data: [okxOrder('filled', '0.2', '59990.1', '-0.05999')] } },
    );
    http.on('GET', '/api/v5/trade/fills-history', {
      json: {
        code: '0',
        msg: '',
        data: [
          { side: 'sell', fillSz: '0.2', fillPx: '59990.1', fee: '-0.05999', ordId: '1612345678901234567', instType: 'SWAP', instId: 'BTC-USDT-SWAP', clOrdId: 'wl7short1', posSide: 'net', billId: '1111', tag: '', execType: 'T', feeCcy: 'USDT', tradeId: '123456', ts: '1717020000460', fillTime: '1717020000460' },
        ],
      },
    });

    // 150 USDT at 60000 = 0.0025 BTC = 0.25 contracts → truncated to 0.2 (0.002 BTC)
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'sell', notionalUsdt: 150, refPrice: 60000, reduceOnly: false, clientOrderId: 'wl7-short-1' });
    const post = http.callsTo('POST', '/api/v5/trade/batch-orders')[0];
    expect(post.host).toBe('www.okx.com');
    expect(post.json).toEqual([{ instId: 'BTC-USDT-SWAP', side: 'sell', ordType: 'market', sz: '0.2', tdMode: 'cross', clOrdId: 'wl7short1' }]);
    expect(post.headers['OK-ACCESS-KEY']).toBe('test-api-key');
    expect(post.headers['OK-ACCESS-PASSPHRASE']).toBe('test-passphrase');
    const reads = http.callsTo('GET', '/api/v5/trade/order');
    expect(reads).toHaveLength(2);
    expect(reads[0].query).toEqual({ instId: 'BTC-USDT-SWAP', ordId: '1612345678901234567' });
    expect(http.callsTo('GET', '/api/v5/trade/fills-history')[0].query).toMatchObject({ instId: 'BTC-USDT-SWAP', ordId: '1612345678901234567', instType: 'SWAP' });

    expect(r).toMatchObject({
      venue: 'okx',
      id: '1612345678901234567',
      clientOrderId: 'wl7short1',
      side: 'sell',
      status: 'closed',
      amountBase: '0.002',
      filledBase: '0.002',
      avgPrice: '59990.1',
      fee: '0.05999',
      feeCurrency: 'USDT',
      ts: 1717020000456,
    });
    expect(r.fills).toEqual([{ tradeId: '123456', price: '59990.1', amountBase: '0.002', fee: '0.05999', feeCurrency: 'USDT', ts: 1717020000460 }]);
  });

  it('Bybit: POST /v5/order/create, qty, orderLinkId, category linear; read back by orderId with openOnly=1 (closed orders too), fee from executions', async () => {
    const { venue, http } = setup('bybit');
    http.on('POST', '/v5/order/create', { json: { retCode: 0, retMsg: 'OK', result: { orderId: '1321003749386327552', orderLinkId: 'wl7long1' }, retExtInfo: {}, time: 1717020000500 } });
    http.on('GET', '/v5/order/realtime', { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [bybitOrder('Filled')] }, retExtInfo: {}, time: 1717020000600 } });
    http.on('GET', '/v5/execution/list', {
      json: {
        retCode: 0,
        retMsg: 'OK',
        result: {
          nextPageCursor: '',
          category: 'linear',
          list: [
            {
              symbol: 'BTCUSDT',
              orderType: 'Market',
              underlyingPrice: '',
              orderLinkId: 'wl7long1',
              side: 'Buy',
              indexPrice: '',
              orderId: '1321003749386327552',
              stopOrderType: 'UNKNOWN',
              leavesQty: '0',
              execTime: '1717020000505',
              feeCurrency: '',
              isMaker: false,
              execFee: '0.03300083',
              feeRate: '0.00055',
              execId: 'e0cbe81d-0f18-5866-9415-cf319b5dab3b',
              tradeIv: '',
              blockTradeId: '',
              markPrice: '60000.00',
              execPrice: '60001.5',
              markIv: '',
              orderQty: '0.001',
              orderPrice: '63000',
              execValue: '60.0015',
              execType: 'Trade',
              execQty: '0.001',
              closedSize: '',
              seq: 4688002127,
            },
          ],
        },
        retExtInfo: {},
        time: 1717020000600,
      },
    });
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'buy', notionalUsdt: 100, refPrice: 60000, reduceOnly: false, clientOrderId: 'wl7-long-1' });
    const post = http.callsTo('POST', '/v5/order/create')[0];
    expect(post.host).toBe('api.bybit.com');
    expect(post.json).toEqual({ symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', orderLinkId: 'wl7long1', category: 'linear', qty: '0.001' });
    expect(post.headers['X-BAPI-API-KEY']).toBe('test-api-key');
    // no hidden account probes (enableUnifiedAccount/enableUnifiedMargin set)
    expect(http.calls.map((c) => c.path)).toEqual(['/v5/order/create', '/v5/order/realtime', '/v5/execution/list']);
    // realtime without openOnly lists open orders only: a filled market order is found by its id with openOnly=1
    expect(http.calls[1].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear', orderId: '1321003749386327552', openOnly: '1' });
    expect(http.calls[2].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear', orderId: '1321003749386327552' });
    expect(r).toMatchObject({
      venue: 'bybit',
      id: '1321003749386327552',
      clientOrderId: 'wl7long1',
      status: 'closed',
      amountBase: '0.001',
      filledBase: '0.001',
      avgPrice: '60001.5',
      fee: '0.03300083',
      feeCurrency: 'USDT',
    });
  });

  it('Bitget: POST /api/v2/mix/order/place-order, size, clientOid, crossed margin, reduceOnly YES; detail + fills read back', async () => {
    const { venue, http } = setup('bitget');
    http.on('POST', '/api/v2/mix/order/place-order', { json: { code: '00000', msg: 'success', requestTime: 1717020000700, data: { clientOid: 'wl7short2', orderId: '1188888888888888888' } } });
    http.on('GET', '/api/v2/mix/order/detail', {
      json: {
        code: '00000',
        msg: 'success',
        requestTime: 1717020000800,
        data: {
          symbol: 'BTCUSDT',
          size: '0.001',
          orderId: '1188888888888888888',
          clientOid: 'wl7short2',
          baseVolume: '0.001',
          priceAvg: '59980.5',
          fee: '-0.0359883',
          price: '',
          state: 'filled',
          side: 'sell',
          force: 'gtc',
          totalProfits: '0',
          posSide: 'net',
          marginCoin: 'USDT',
          quoteVolume: '59.9805',
          orderType: 'market',
          leverage: '1',
          marginMode: 'crossed',
          reduceOnly: 'YES',
          enterPointSource: 'API',
          tradeSide: 'sell_single',
          posMode: 'one_way_mode',
          orderSource: 'market',
          cTime: '1717020000700',
          uTime: '1717020000710',
        },
      },
    });
    http.on('GET', '/api/v2/mix/order/fills', {
      json: {
        code: '00000',
        msg: 'success',
        requestTime: 1717020000800,
        data: {
          fillList: [
            {
              tradeId: '1199999999999999999',
              symbol: 'BTCUSDT',
              orderId: '1188888888888888888',
              price: '59980.5',
              baseVolume: '0.001',
              feeDetail: [{ deduction: 'no', feeCoin: 'USDT', totalDeductionFee: '0', totalFee: '-0.0359883' }],
              side: 'sell',
              quoteVolume: '59.9805',
              profit: '0',
              enterPointSource: 'api',
              tradeSide: 'sell_single',
              posMode: 'one_way_mode',
              tradeScope: 'taker',
              cTime: '1717020000705',
            },
          ],
          endId: '1199999999999999999',
        },
      },
    });
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'sell', amountBase: '0.001', refPrice: 60000, reduceOnly: true, clientOrderId: 'wl7-short-2' });
    const post = http.callsTo('POST', '/api/v2/mix/order/place-order')[0];
    expect(post.host).toBe('api.bitget.com');
    expect(post.json).toMatchObject({
      symbol: 'BTCUSDT',
      productType: 'USDT-FUTURES',
      marginCoin: 'USDT',
      marginMode: 'crossed',
      orderType: 'market',
      side: 'sell',
      size: '0.001',
      clientOid: 'wl7short2',
      reduceOnly: 'YES',
    });
    expect(post.json).not.toHaveProperty('tradeSide'); // one-way mode
    expect(post.headers['ACCESS-KEY']).toBe('test-api-key');
    // explicit uta option: no /api/v3/account/settings probe
    expect(http.calls.map((c) => c.path)).toEqual(['/api/v2/mix/order/place-order', '/api/v2/mix/order/detail', '/api/v2/mix/order/fills']);
    expect(http.calls[1].query).toMatchObject({ symbol: 'BTCUSDT', productType: 'USDT-FUTURES', orderId: '1188888888888888888' });
    expect(http.calls[2].query).toMatchObject({ symbol: 'BTCUSDT', productType: 'USDT-FUTURES', orderId: '1188888888888888888' });
    expect(r).toMatchObject({
      venue: 'bitget',
      id: '1188888888888888888',
      clientOrderId: 'wl7short2',
      side: 'sell',
      status: 'closed',
      amountBase: '0.001',
      filledBase: '0.001',
      avgPrice: '59980.5',
      fee: '0.0359883',
      feeCurrency: 'USDT',
      reduceOnly: true,
    });
    expect(r.fills[0]).toMatchObject({ tradeId: '1199999999999999999', amountBase: '0.001', fee: '0.0359883' });
  });

  it('Bitget fills page at 100: the next page is asked with idLessThan=<endId> until the trades add up to the order', async () => {
    const { venue, http } = setup('bitget');
    http.on('POST', '/api/v2/mix/order/place-order', { json: { code: '00000', msg: 'success', requestTime: 1717020000700, data: { clientOid: 'wl7short3', orderId: '55' } } });
    http.on('GET', '/api/v2/mix/order/detail', {
      json: { code: '00000', msg: 'success', requestTime: 1717020000800, data: { symbol: 'BTCUSDT', size: '0.101', orderId: '55', clientOid: 'wl7short3', baseVolume: '0.101', priceAvg: '60000', fee: '-0.6', state: 'filled', side: 'sell', marginCoin: 'USDT', orderType: 'market', marginMode: 'crossed', reduceOnly: 'NO', posMode: 'one_way_mode', cTime: '1717020000700', uTime: '1717020000710' } },
    });
    const fill = (i: number, qty: string) => ({ tradeId: String(9000 - i), symbol: 'BTCUSDT', orderId: '55', price: '60000', baseVolume: qty, feeDetail: [{ deduction: 'no', feeCoin: 'USDT', totalDeductionFee: '0', totalFee: '-0.006' }], side: 'sell', quoteVolume: '60', profit: '0', tradeSide: 'sell_single', posMode: 'one_way_mode', tradeScope: 'taker', cTime: '1717020000705' });
    http.on(
      'GET',
      '/api/v2/mix/order/fills',
      { json: { code: '00000', msg: 'success', requestTime: 1717020000800, data: { fillList: Array.from({ length: 100 }, (_, i) => fill(i, '0.001')), endId: '8901' } } },
      { json: { code: '00000', msg: 'success', requestTime: 1717020000800, data: { fillList: [fill(100, '0.001')], endId: '8900' } } },
    );
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'sell', amountBase: '0.101', refPrice: 60000, reduceOnly: false, clientOrderId: 'wl7-short-3' });
    const pages = http.callsTo('GET', '/api/v2/mix/order/fills');
    expect(pages).toHaveLength(2);
    expect(pages[0].query).toMatchObject({ orderId: '55', limit: '100' });
    expect(pages[1].query).toMatchObject({ orderId: '55', idLessThan: '8901' });
    expect(r.fills).toHaveLength(101);
    expect(r.filledBase).toBe('0.101');
  });

  it('read-back: "order does not exist" right after placing is retried', async () => {
    const { venue, http } = setup('binance');
    http.on('POST', '/fapi/v1/order', { json: binanceFilled({ status: 'NEW', executedQty: '0', cumQty: '0', cumQuote: '0', avgPrice: '0.00' }) });
    http.on('GET', '/fapi/v1/order', { status: 400, json: { code: -2013, msg: 'Order does not exist.' } }, { json: binanceFilled() });
    http.on('GET', '/fapi/v1/userTrades', { json: [] });
    const r = await venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.001', refPrice: 60000, reduceOnly: false, clientOrderId: 'wl42-long-1' });
    expect(http.callsTo('GET', '/fapi/v1/order')).toHaveLength(2);
    expect(http.callsTo('GET', '/fapi/v1/order')[0].query).toMatchObject({ symbol: 'BTCUSDT', orderId: '4107380567' });
    expect(r).toMatchObject({ status: 'closed', filledBase: '0.001', avgPrice: '60012.3' });
  });

  it('a failed read-back never turns a placed order into an error', async () => {
    const { venue, http } = setup('okx');
    http.on('POST', '/api/v5/trade/batch-orders', { json: { code: '0', msg: '', data: [{ clOrdId: 'wl9long1', ordId: '77', tag: '', sCode: '0', sMsg: '' }] } });
    http.on('GET', '/api/v5/trade/order', { status: 503, text: 'Service Unavailable' });
    const r = await venue.createMarketOrder({ symbol: ETH, side: 'buy', amountBase: '0.1', refPrice: 3000, reduceOnly: false, clientOrderId: 'wl9-long-1' });
    expect(r).toMatchObject({ id: '77', clientOrderId: 'wl9long1', status: 'unknown', amountBase: '0.1', filledBase: '0' });
    expect((r.raw as { enrichError?: string }).enrichError).toMatch(/^okx fetchOrder ETH\/USDT:USDT: .*503/);
    // ETH ctVal 0.1: 0.1 ETH = 1 contract
    expect((http.calls[0].json as Array<{ sz: string }>)[0].sz).toBe('1');
  });
});

const bybitOrder = (status: string) => ({
  symbol: 'BTCUSDT',
  orderType: 'Market',
  orderLinkId: 'wl7long1',
  slLimitPrice: '0',
  orderId: '1321003749386327552',
  cancelType: 'UNKNOWN',
  avgPrice: '60001.5',
  stopOrderType: '',
  lastPriceOnCreated: '60000',
  orderStatus: status,
  createType: 'CreateByUser',
  takeProfit: '',
  cumExecValue: '60.0015',
  tpslMode: '',
  smpType: 'None',
  triggerDirection: 0,
  blockTradeId: '',
  rejectReason: 'EC_NoError',
  isLeverage: '',
  price: '63000',
  orderIv: '',
  createdTime: '1717020000500',
  tpTriggerBy: '',
  positionIdx: 0,
  timeInForce: 'IOC',
  leavesValue: '0',
  updatedTime: '1717020000510',
  side: 'Buy',
  smpGroup: 0,
  triggerPrice: '',
  tpLimitPrice: '0',
  cumExecFee: '0.03300083',
  slTriggerBy: '',
  leavesQty: '0',
  closeOnTrigger: false,
  placeType: '',
  cumExecQty: '0.001',
  reduceOnly: false,
  qty: '0.001',
  stopLoss: '',
  smpOrderId: '',
  triggerBy: '',
});

// ---------------------------------------------------------------------------------------

describe('minimums', () => {
  it('refuses an opening order below the minimum notional, with venue, symbol, amount, notional and minimum; no request sent', async () => {
    const { venue, http } = setup('binance');
    const e = await caught(venue.createMarketOrder({ symbol: ETH, side: 'buy', amountBase: '0.001', refPrice: 3000, reduceOnly: false, clientOrderId: 'wl5-long-1' }));
    expect(e.kind).toBe('invalid');
    expect(e.venue).toBe('binance');
    expect(e.message).toBe('binance ETH/USDT:USDT: buy 0.001 base (0.001 contracts) ≈ 3 USDT is below the minimum order value 5 USDT; refused before sending');
    expect(e.outcomeUnknown).toBe(false);
    expect(http.calls).toHaveLength(0);
  });

  it('Bitget minTradeUSDT and Bybit minNotionalValue are enforced too', async () => {
    for (const name of ['bitget', 'bybit'] as const) {
      const { venue, http } = makeTestVenue(name);
      const e = await caught(venue.createMarketOrder({ symbol: BTC, side: 'sell', notionalUsdt: 4, refPrice: 2000, reduceOnly: false, clientOrderId: 'wl5-short-1' }));
      expect(e.kind).toBe('invalid');
      expect(e.message).toContain('below the minimum order value 5 USDT');
      expect(http.calls).toHaveLength(0);
    }
  });

  it('a reduce-only close below the minimum notional is NOT refused', async () => {
    const { venue, http } = setup('binance');
    http.on('POST', '/fapi/v1/order', { json: binanceFilled({ symbol: 'ETHUSDT', orderId: 99, clientOrderId: 'wl5close1', side: 'SELL', avgPrice: '2999.5', origQty: '0.001', executedQty: '0.001', cumQuote: '2.9995', reduceOnly: true }) });
    http.on('GET', '/fapi/v1/userTrades', { json: [] });
    const r = await venue.createMarketOrder({ symbol: ETH, side: 'sell', amountBase: '0.001', refPrice: 3000, reduceOnly: true, clientOrderId: 'wl5-close-1' });
    const post = http.callsTo('POST', '/fapi/v1/order')[0];
    expect(post.form).toMatchObject({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001', reduceOnly: 'true', newClientOrderId: 'wl5close1' });
    expect(r).toMatchObject({ status: 'closed', filledBase: '0.001', avgPrice: '2999.5', reduceOnly: true });
  });

  it('rejects malformed requests before sending', async () => {
    const { venue, http } = setup('binance');
    expect((await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', notionalUsdt: 100, reduceOnly: false, clientOrderId: 'a' }))).message).toContain('refPrice');
    expect((await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '1e-3', reduceOnly: false, clientOrderId: 'a' }))).kind).toBe('invalid');
    expect((await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.01', notionalUsdt: 5, refPrice: 1, reduceOnly: false, clientOrderId: 'a' }))).kind).toBe('invalid');
    expect((await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.01', reduceOnly: false, clientOrderId: '' }))).message).toContain('clientOrderId');
    expect(http.calls).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------

describe('errors', () => {
  const dupCases = [
    ['binance', 'POST', '/fapi/v1/order', { status: 400, json: { code: -4116, msg: 'ClientOrderId is duplicated.' } }],
    ['okx', 'POST', '/api/v5/trade/batch-orders', { json: { code: '1', msg: 'All operations failed', data: [{ clOrdId: 'wl1long1', ordId: '', sCode: '51016', sMsg: 'Duplicated clOrdId', tag: '' }] } }],
    ['bybit', 'POST', '/v5/order/create', { json: { retCode: 110072, retMsg: 'OrderLinkedID is duplicate', result: {}, retExtInfo: {}, time: 1717020000000 } }],
    ['bitget', 'POST', '/api/v2/mix/order/place-order', { status: 400, json: { code: '40786', msg: 'Duplicate clientOid', requestTime: 1717020000000, data: null } }],
  ] as const;
  for (const [name, method, path, reply] of dupCases) {
    it(`${name}: duplicate client order id → 'duplicate'`, async () => {
      const { venue, http } = setup(name);
      http.on(method, path, reply);
      const e = await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.01', refPrice: 60000, reduceOnly: false, clientOrderId: 'wl1-long-1' }));
      expect(e.kind).toBe('duplicate');
      expect(e.venue).toBe(name);
      expect(e.message).toContain(`${name} createOrder BTC/USDT:USDT`);
      expect(http.calls).toHaveLength(1);
    });
  }

  it('timeout on create → network with outcomeUnknown, sourceClass RequestTimeout', async () => {
    const { venue, http } = setup('okx', { timeoutMs: 50 });
    http.on('POST', '/api/v5/trade/batch-orders', { hang: true });
    const e = await caught(venue.createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.01', refPrice: 60000, reduceOnly: false, clientOrderId: 'wl1-long-1' }));
    expect(e.kind).toBe('network');
    expect(e.outcomeUnknown).toBe(true);
    expect(e.retryable).toBe(true);
    expect(e.sourceClass).toBe('RequestTimeout');
    expect(e.payload).toMatchObject({ op: 'createOrder', symbol: BTC });
    expect((e.payload as { message: string }).message).toMatch(/timed out/);
  });

  it('connection failure → network; HTTP 429 → rate_limit; insufficient margin → insufficient_funds; bad key → auth', async () => {
    const { venue, http } = setup('binance');
    const req = { symbol: BTC, side: 'buy' as const, amountBase: '0.01', refPrice: 60000, reduceOnly: false, clientOrderId: 'wl1-long-1' };
    http.on(
      'POST',
      '/fapi/v1/order',
      { networkError: 'ECONNRESET' },
      { status: 429, json: { code: -1003, msg: 'Too many requests.' } },
      { status: 400, json: { code: -2019, msg: 'Margin is insufficient.' } },
      { status: 401, json: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } },
      { status: 500, json: { code: -1000, msg: 'An unknown error occured while processing the request.' } },
    );
    const kinds: string[] = [];
    const classes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await caught(venue.createMarketOrder(req));
      kinds.push(e.kind);
      classes.push(e.sourceClass);
    }
    expect(kinds).toEqual(['network', 'rate_limit', 'insufficient_funds', 'auth', 'network']);
    expect(classes).toEqual(['NetworkError', 'DDoSProtection', 'InsufficientFunds', 'AuthenticationError', 'OperationFailed']);
  });

  it('maps ccxt classes to kinds', () => {
    const k = (e: unknown) => mapCcxtError('binance', e, { op: 't' }).kind;
    expect(k(new RequestTimeout('x'))).toBe('network');
    expect(k(new NetworkError('x'))).toBe('network');
    expect(k(new ExchangeNotAvailable('x'))).toBe('network');
    expect(k(new OperationFailed('x'))).toBe('network');
    expect(k(new RateLimitExceeded('x'))).toBe('rate_limit');
    expect(k(new DDoSProtection('x'))).toBe('rate_limit');
    expect(k(new InvalidOrder('x'))).toBe('invalid');
    expect(k(new BadRequest('x'))).toBe('invalid');
    expect(k(new BadSymbol('x'))).toBe('invalid');
    expect(k(new InsufficientFunds('x'))).toBe('insufficient_funds');
    expect(k(new OrderNotFound('x'))).toBe('not_found');
    expect(k(new AuthenticationError('x'))).toBe('auth');
    expect(k(new PermissionDenied('x'))).toBe('auth');
    expect(k(new ExchangeError('x'))).toBe('unknown');
    expect(k(new Error('x'))).toBe('unknown');
    const e = mapCcxtError('okx', new InvalidOrder('okx {"code":"1","data":[{"sCode":"51016"}]}'), { op: 'createOrder', symbol: BTC });
    expect(e.kind).toBe('duplicate');
    expect(e.sourceClass).toBe('InvalidOrder');
    expect(e.payload).toMatchObject({ codes: ['1', '51016'], op: 'createOrder', symbol: BTC });
    expect(exchangeErrorCodes('bybit {"retCode":110043,"retMsg":"Set leverage not modified"}')).toEqual(['110043']);
  });
});

// ---------------------------------------------------------------------------------------

describe('fetchOrderByClientId', () => {
  it('Binance: GET /fapi/v1/order?origClientOrderId=…; -2013 → null', async () => {
    const { venue, http } = setup('binance');
    http.on('GET', '/fapi/v1/order', { status: 400, json: { code: -2013, msg: 'Order does not exist.' } });
    expect(await venue.fetchOrderByClientId(BTC, 'wl42-long-1')).toBeNull();
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', origClientOrderId: 'wl42long1' });
  });

  it('Binance: found, with its fills', async () => {
    const { venue, http } = setup('binance');
    http.on('GET', '/fapi/v1/order', { json: binanceFilled({ time: 1717020000100 }) });
    http.on('GET', '/fapi/v1/userTrades', { json: [] });
    const r = await venue.fetchOrderByClientId(BTC, 'wl42long1');
    expect(r).toMatchObject({ id: '4107380567', clientOrderId: 'wl42long1', side: 'buy', status: 'closed', amountBase: '0.001', filledBase: '0.001', avgPrice: '60012.3' });
  });

  it('OKX: GET /api/v5/trade/order?clOrdId=…; 51603 → null', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/trade/order', { json: { code: '51603', msg: 'Order does not exist', data: [] } });
    expect(await venue.fetchOrderByClientId(BTC, 'wl7-short-1')).toBeNull();
    expect(http.calls[0].query).toEqual({ instId: 'BTC-USDT-SWAP', clOrdId: 'wl7short1' });
  });

  it('Bitget: GET /api/v2/mix/order/detail?clientOid=…; 40109 → null', async () => {
    const { venue, http } = setup('bitget');
    http.on('GET', '/api/v2/mix/order/detail', { status: 400, json: { code: '40109', msg: 'The data of the order cannot be found, please confirm the order number', requestTime: 1717020000000, data: null } });
    expect(await venue.fetchOrderByClientId(BTC, 'wl7-short-2')).toBeNull();
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', productType: 'USDT-FUTURES', clientOid: 'wl7short2' });
  });

  it('Bybit: two steps — open orders by orderLinkId, then closed/cancelled history', async () => {
    const { venue, http } = setup('bybit');
    http.on('GET', '/v5/order/realtime', { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [] }, retExtInfo: {}, time: 1717020000600 } });
    http.on('GET', '/v5/order/history', { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [bybitOrder('Filled')] }, retExtInfo: {}, time: 1717020000600 } });
    http.on('GET', '/v5/execution/list', { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [] }, retExtInfo: {}, time: 1717020000600 } });
    const r = await venue.fetchOrderByClientId(BTC, 'wl7-long-1');
    expect(http.calls.map((c) => c.path)).toEqual(['/v5/order/realtime', '/v5/order/history', '/v5/execution/list']);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear', orderLinkId: 'wl7long1' });
    expect(http.calls[1].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear', orderLinkId: 'wl7long1' });
    expect(r).toMatchObject({ venue: 'bybit', id: '1321003749386327552', clientOrderId: 'wl7long1', side: 'buy', status: 'closed', filledBase: '0.001', avgPrice: '60001.5', fee: '0.03300083' });
  });

  it('Bybit: not in either list → null', async () => {
    const { venue, http } = setup('bybit');
    const empty = { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [] }, retExtInfo: {}, time: 1717020000600 } };
    http.on('GET', '/v5/order/realtime', empty);
    http.on('GET', '/v5/order/history', empty);
    expect(await venue.fetchOrderByClientId(BTC, 'wl7-long-9')).toBeNull();
    expect(http.calls).toHaveLength(2);
  });

  it('with the exchange order id, every venue looks the order up by that id (an acknowledged order exists)', async () => {
    const b = setup('binance');
    b.http.on('GET', '/fapi/v1/order', { status: 400, json: { code: -2013, msg: 'Order does not exist.' } });
    expect(await b.venue.fetchOrderByClientId(BTC, 'wl42long1', { exchangeOrderId: '4107380567' })).toBeNull();
    expect(b.http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', orderId: '4107380567' });
    expect(b.http.calls[0].query).not.toHaveProperty('origClientOrderId');
    tv = null;
    const o = setup('okx');
    o.http.on('GET', '/api/v5/trade/order', { json: { code: '51603', msg: 'Order does not exist', data: [] } });
    expect(await o.venue.fetchOrderByClientId(BTC, 'wl7short1', { exchangeOrderId: '1612345678901234567' })).toBeNull();
    expect(o.http.calls[0].query).toEqual({ instId: 'BTC-USDT-SWAP', ordId: '1612345678901234567' });
    tv = null;
    const g = setup('bitget');
    g.http.on('GET', '/api/v2/mix/order/detail', { status: 400, json: { code: '40109', msg: 'The data of the order cannot be found', requestTime: 1717020000000, data: null } });
    expect(await g.venue.fetchOrderByClientId(BTC, 'wl7short2', { exchangeOrderId: '1188888888888888888' })).toBeNull();
    expect(g.http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', orderId: '1188888888888888888' });
    tv = null;
    const y = setup('bybit');
    const empty = { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [] }, retExtInfo: {}, time: 1717020000600 } };
    y.http.on('GET', '/v5/order/realtime', empty);
    y.http.on('GET', '/v5/order/history', empty);
    expect(await y.venue.fetchOrderByClientId(BTC, 'wl7long1', { exchangeOrderId: '1321003749386327552' })).toBeNull();
    expect(y.http.calls[0].query).toMatchObject({ orderId: '1321003749386327552', openOnly: '1' });
    expect(y.http.calls[1].query).toMatchObject({ orderId: '1321003749386327552' });
  });

  it('Bybit fetchOpenOrderIds: all USDT linear open orders (settleCoin), client ids listed', async () => {
    const { venue, http } = setup('bybit');
    http.on('GET', '/v5/order/realtime', { json: { retCode: 0, retMsg: 'OK', result: { nextPageCursor: '', category: 'linear', list: [{ ...bybitOrder('New'), orderLinkId: 'wlQQQQQQ5short1' }] }, retExtInfo: {}, time: 1717020000600 } });
    expect(await venue.fetchOpenOrderIds()).toEqual([{ symbol: BTC, clientOrderId: 'wlQQQQQQ5short1' }]);
    expect(http.calls[0].query).toMatchObject({ category: 'linear', settleCoin: 'USDT' });
  });

  it('a transport failure is not "not found": it throws', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/trade/order', { networkError: 'ECONNREFUSED' });
    expect((await caught(venue.fetchOrderByClientId(BTC, 'wl7-short-1'))).kind).toBe('network');
  });
});

// ---------------------------------------------------------------------------------------

describe('funding', () => {
  const premiumIndex = (symbol: string, nextFundingTime: number) => ({
    json: { symbol, markPrice: '60010.10000000', indexPrice: '60005.21234567', estimatedSettlePrice: '60001.30000000', lastFundingRate: '0.00010000', interestRate: '0.00010000', nextFundingTime, time: NOW },
  });
  const fundingInfo = { json: [{ symbol: 'LTCUSDT', adjustedFundingRateCap: '0.02000000', adjustedFundingRateFloor: '-0.02000000', fundingIntervalHours: 4, disclaimer: false }] };

  it('Binance: rate and next from premiumIndex; interval from fundingInfo (missing symbol = 8 h), cached', async () => {
    const { venue, http } = setup('binance');
    http.on('GET', '/fapi/v1/premiumIndex', (req) => premiumIndex(req.query['symbol'], Date.parse('2024-05-30T00:00:00Z')));
    http.on('GET', '/fapi/v1/fundingInfo', fundingInfo);
    const btc = await venue.fetchFundingInfo(BTC);
    expect(btc).toEqual({ venue: 'binance', symbol: BTC, rate: 0.0001, intervalHours: 8, nextFundingTime: Date.parse('2024-05-30T00:00:00Z'), asOf: NOW, scheduleSource: 'api' });
    const ltc = await venue.fetchFundingInfo(LTC);
    expect(ltc.intervalHours).toBe(4);
    expect(http.callsTo('GET', '/fapi/v1/fundingInfo')).toHaveLength(1);
    expect(http.callsTo('GET', '/fapi/v1/premiumIndex').map((c) => c.query['symbol'])).toEqual(['BTCUSDT', 'LTCUSDT']);
  });

  it('Binance: a next funding time already past is advanced by the interval', async () => {
    const { venue, http } = setup('binance');
    // premiumIndex answered just before 20:00 settled; we read it at 22:00 → next is 00:00 (8 h interval)
    http.on('GET', '/fapi/v1/premiumIndex', premiumIndex('BTCUSDT', Date.parse('2024-05-29T16:00:00Z')));
    http.on('GET', '/fapi/v1/fundingInfo', fundingInfo);
    const f = await venue.fetchFundingInfo(BTC);
    expect(f.nextFundingTime).toBe(Date.parse('2024-05-30T00:00:00Z'));
    expect(f.nextFundingTime!).toBeGreaterThan(NOW);
    expect(f.scheduleSource).toBe('api+advanced');
  });

  it('OKX: interval = nextFundingTime − fundingTime; next = fundingTime', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/public/funding-rate', {
      json: {
        code: '0',
        msg: '',
        data: [
          {
            fundingRate: '0.0000792386885340',
            fundingTime: String(Date.parse('2024-05-30T00:00:00Z')),
            impactValue: '20000',
            instId: 'BTC-USDT-SWAP',
            instType: 'SWAP',
            interestRate: '0.0001',
            maxFundingRate: '0.00375',
            method: 'current_period',
            minFundingRate: '-0.00375',
            nextFundingRate: '',
            nextFundingTime: String(Date.parse('2024-05-30T04:00:00Z')),
            premium: '0.0000578896',
            settFundingRate: '0.0000361',
            settState: 'settled',
            ts: String(NOW),
          },
        ],
      },
    });
    const f = await venue.fetchFundingInfo(BTC);
    expect(http.calls[0].query).toEqual({ instId: 'BTC-USDT-SWAP' });
    expect(f).toMatchObject({ venue: 'okx', rate: 0.000079238688534, intervalHours: 4, nextFundingTime: Date.parse('2024-05-30T00:00:00Z'), scheduleSource: 'api' });
  });

  it('Bybit: interval from fundingIntervalHour, else the instrument fundingInterval (minutes)', async () => {
    const { venue, http } = setup('bybit');
    const ticker = (extra: Record<string, string>) => ({
      json: {
        retCode: 0,
        retMsg: 'OK',
        result: {
          category: 'linear',
          list: [{ symbol: 'BTCUSDT', lastPrice: '60000.00', indexPrice: '60001.26', markPrice: '60000.50', fundingRate: '0.0001', nextFundingTime: String(Date.parse('2024-05-30T00:00:00Z')), openInterest: '55555', bid1Price: '60000', ask1Price: '60000.1', ...extra }],
        },
        retExtInfo: {},
        time: NOW,
      },
    });
    http.on('GET', '/v5/market/tickers', ticker({ fundingIntervalHour: '1', fundingCap: '0.005' }), ticker({}));
    const a = await venue.fetchFundingInfo(BTC);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', category: 'linear' });
    expect(a).toMatchObject({ venue: 'bybit', rate: 0.0001, intervalHours: 1, nextFundingTime: Date.parse('2024-05-30T00:00:00Z') });
    const b = await venue.fetchFundingInfo(BTC);
    expect(b.intervalHours).toBe(8); // instrument fundingInterval "480"
  });

  it('Bitget: interval from fundingRateInterval, next from nextUpdate (advanced when stale)', async () => {
    const { venue, http } = setup('bitget');
    http.on('GET', '/api/v2/mix/market/current-fund-rate', {
      json: { code: '00000', msg: 'success', requestTime: NOW, data: [{ symbol: 'BTCUSDT', fundingRate: '0.000068', fundingRateInterval: '4', nextUpdate: String(Date.parse('2024-05-29T20:00:00Z')), minFundingRate: '-0.003', maxFundingRate: '0.003' }] },
    });
    const f = await venue.fetchFundingInfo(BTC);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', productType: 'USDT-FUTURES' });
    expect(f).toMatchObject({ venue: 'bitget', rate: 0.000068, intervalHours: 4, nextFundingTime: Date.parse('2024-05-30T00:00:00Z'), scheduleSource: 'api+advanced' });
  });

  it('fetchFundingHistory (Binance): startTime/endTime, points inside the window, ascending', async () => {
    const { venue, http } = setup('binance');
    const since = Date.parse('2024-05-29T00:00:00Z');
    const until = Date.parse('2024-05-29T16:00:00Z');
    http.on('GET', '/fapi/v1/fundingRate', {
      json: [
        { symbol: 'BTCUSDT', fundingTime: since, fundingRate: '0.00010000', markPrice: '60000.1' },
        { symbol: 'BTCUSDT', fundingTime: since + 8 * 3600_000, fundingRate: '-0.00002500', markPrice: '60100.1' },
        { symbol: 'BTCUSDT', fundingTime: until, fundingRate: '0.00005000', markPrice: '60200.1' },
      ],
    });
    const pts = await venue.fetchFundingHistory(BTC, since, until);
    expect(http.calls[0].query).toMatchObject({ symbol: 'BTCUSDT', startTime: String(since), endTime: String(until), limit: '1000' });
    expect(pts).toEqual([
      { ts: since, rate: 0.0001 },
      { ts: since + 8 * 3600_000, rate: -0.000025 },
      { ts: until, rate: 0.00005 },
    ]);
  });

  it('fetchFundingHistory (OKX): window bounded by before/after; realised rates', async () => {
    const { venue, http } = setup('okx');
    const since = Date.parse('2024-05-29T00:00:00Z');
    const until = Date.parse('2024-05-29T16:00:00Z');
    http.on('GET', '/api/v5/public/funding-rate-history', {
      json: {
        code: '0',
        msg: '',
        data: [
          { fundingRate: '0.0001', fundingTime: String(since + 8 * 3600_000), instId: 'BTC-USDT-SWAP', instType: 'SWAP', method: 'current_period', realizedRate: '0.00009' },
          { fundingRate: '0.0002', fundingTime: String(since), instId: 'BTC-USDT-SWAP', instType: 'SWAP', method: 'current_period', realizedRate: '0.00019' },
        ],
      },
    });
    const pts = await venue.fetchFundingHistory(BTC, since, until);
    expect(http.calls[0].query).toMatchObject({ instId: 'BTC-USDT-SWAP', before: String(since - 1), after: String(until + 1), limit: '100' });
    expect(pts).toEqual([
      { ts: since, rate: 0.00019 },
      { ts: since + 8 * 3600_000, rate: 0.00009 },
    ]);
  });

  it('fetchFundingHistory (Bybit): 200 rows a page newest first, paged backward by endTime until the window is covered (hourly funding over 10 days)', async () => {
    const { venue, http } = setup('bybit');
    const H = 3600_000;
    const since = Date.parse('2024-05-20T00:00:00Z');
    const until = since + 240 * H; // 241 hourly settlements: two pages
    const all = Array.from({ length: 241 }, (_, i) => since + i * H);
    http.on('GET', '/v5/market/funding/history', (req) => {
      const lo = Number(req.query['startTime']);
      const hi = Number(req.query['endTime']);
      const limit = Number(req.query['limit']);
      const rows = all.filter((t) => t >= lo && t <= hi).reverse().slice(0, limit);
      return { json: { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: rows.map((t) => ({ symbol: 'BTCUSDT', fundingRate: String((t - since) / H / 1e6), fundingRateTimestamp: String(t) })) }, time: NOW } };
    });
    const pts = await venue.fetchFundingHistory(BTC, since, until);
    const calls = http.calls.filter((c) => c.path.includes('/v5/market/funding/history'));
    expect(calls).toHaveLength(2);
    expect(calls[0].query).toMatchObject({ category: 'linear', symbol: 'BTCUSDT', limit: '200', endTime: String(until) });
    expect(Number(calls[1].query['endTime'])).toBe(all[241 - 200] - 1);
    expect(pts.map((p) => p.ts)).toEqual(all);
    expect(pts[240].rate).toBeCloseTo(0.00024, 12);
  });
});

// ---------------------------------------------------------------------------------------

describe('account', () => {
  it('OKX positions: signed base size from contracts × ctVal', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/account/positions', {
      json: {
        code: '0',
        msg: '',
        data: [
          {
            adl: '1',
            availPos: '',
            avgPx: '60000.5',
            cTime: '1717000000000',
            ccy: 'USDT',
            instId: 'BTC-USDT-SWAP',
            instType: 'SWAP',
            lever: '1',
            liqPx: '120000',
            markPx: '60010',
            mgnMode: 'cross',
            notionalUsd: '180.03',
            pos: '-3',
            posCcy: '',
            posId: '1',
            posSide: 'net',
            upl: '-0.0285',
            uTime: '1717020000000',
          },
        ],
      },
    });
    const ps = await venue.fetchPositions([BTC]);
    expect(ps).toEqual([{ venue: 'okx', symbol: BTC, sizeBase: '-0.03', entryPrice: '60000.5', unrealizedPnl: '-0.0285', ts: 1717000000000 }]);
  });

  it('Bybit setLeverage: "not modified" (110043) is success; other errors are typed', async () => {
    const { venue, http } = setup('bybit');
    http.on(
      'POST',
      '/v5/position/set-leverage',
      { json: { retCode: 110043, retMsg: 'Set leverage not modified', result: {}, retExtInfo: {}, time: NOW } },
      { json: { retCode: 10001, retMsg: 'params error: symbol invalid', result: {}, retExtInfo: {}, time: NOW } },
    );
    await expect(venue.setLeverage(BTC, 1)).resolves.toBeUndefined();
    expect(http.calls[0].json).toEqual({ symbol: 'BTCUSDT', buyLeverage: '1', sellLeverage: '1', category: 'linear' });
    expect((await caught(venue.setLeverage(BTC, 1))).kind).toBe('invalid');
  });

  it('OKX setLeverage: cross margin mode, lever 1', async () => {
    const { venue, http } = setup('okx');
    http.on('POST', '/api/v5/account/set-leverage', { json: { code: '0', msg: '', data: [{ instId: 'BTC-USDT-SWAP', lever: '1', mgnMode: 'cross', posSide: '' }] } });
    await venue.setLeverage(BTC, 1);
    expect(http.calls[0].json).toEqual({ lever: 1, mgnMode: 'cross', instId: 'BTC-USDT-SWAP' });
  });

  it('Binance setLeverage and Bitget setLeverage send what each needs', async () => {
    const b = setup('binance');
    b.http.on('POST', '/fapi/v1/leverage', { json: { leverage: 1, maxNotionalValue: '1000000', symbol: 'BTCUSDT' } });
    await b.venue.setLeverage(BTC, 1);
    expect(b.http.calls[0].form).toMatchObject({ symbol: 'BTCUSDT', leverage: '1' });
    const g = makeTestVenue('bitget');
    g.http.on('POST', '/api/v2/mix/account/set-leverage', { json: { code: '00000', msg: 'success', requestTime: NOW, data: { symbol: 'btcusdt', marginCoin: 'USDT', longLeverage: '1', shortLeverage: '1', crossMarginLeverage: '1', marginMode: 'crossed' } } });
    await g.venue.setLeverage(BTC, 1);
    expect(g.http.calls.map((c) => c.path)).toEqual(['/api/v2/mix/account/set-leverage']);
    expect(g.http.calls[0].json).toEqual({ symbol: 'BTCUSDT', leverage: '1', marginCoin: 'USDT', productType: 'USDT-FUTURES' });
  });

  it('OKX balance: USDT total and free', async () => {
    const { venue, http } = setup('okx');
    http.on('GET', '/api/v5/account/balance', {
      json: {
        code: '0',
        msg: '',
        data: [{ adjEq: '', totalEq: '1000.5', uTime: '1717020000000', details: [{ availBal: '900.25', availEq: '900.25', cashBal: '1000.5', ccy: 'USDT', eq: '1000.5', eqUsd: '1000.5', frozenBal: '100.25', ordFrozen: '0', upl: '0', uTime: '1717020000000' }] }],
      },
    });
    expect(await venue.fetchBalance()).toEqual({ venue: 'okx', currency: 'USDT', total: '1000.5', free: '900.25' });
  });
});

// ---------------------------------------------------------------------------------------

describe('client order ids', () => {
  it('our shape loses nothing when the dashes go, and stays readable', () => {
    expect(shapeClientOrderId('wl123-short-1')).toBe('wl123short1');
    expect(shapeClientOrderId(legClientOrderIdBase(9007199254740993n, 'long', 12))).toBe('wl9007199254740993long12');
    expect(shapeClientOrderId('wl123short1')).toBe('wl123short1');
  });
  it('is idempotent and always valid for all four exchanges', () => {
    const inputs = ['wl1-a-2', 'x'.repeat(80), 'wl-ünïcode-id', 'wl12-close-3', 'a_b-c.d', 'wl00000000000000000000000000001-long-1'];
    for (const s of inputs) {
      const id = shapeClientOrderId(s);
      expect(isValidClientOrderId(id)).toBe(true);
      expect(id.length).toBeLessThanOrEqual(32);
      expect(shapeClientOrderId(id)).toBe(id);
    }
  });
  it('with the installation prefix: ≤ 32 letters and digits on every venue, and decodable back', () => {
    const id = shapeClientOrderId(legClientOrderIdBase(123456789, 'closeshort', 12, 'QZKXAB'));
    expect(id).toBe('wlQZKXAB123456789closeshort12');
    expect(isValidClientOrderId(id)).toBe(true);
    expect(decodeClientOrderId(id)).toEqual({ manual: false, prefix: 'QZKXAB', id: '123456789', tag: 'closeshort', attempt: 12 });
    expect(decodeClientOrderId('wlmQZKXAB45openlong1')).toEqual({ manual: true, prefix: 'QZKXAB', id: '45', tag: 'openlong', attempt: 1 });
    expect(decodeClientOrderId('wl1short1')).toEqual({ manual: false, prefix: '', id: '1', tag: 'short', attempt: 1 });
    expect(decodeClientOrderId('somebot123')).toBeNull();
    expect(() => legClientOrderIdBase(1, 'short', 1, 'abc')).toThrow(RangeError);
  });

  it('different inputs that would collide after stripping get different ids', () => {
    expect(shapeClientOrderId('wl1a-2')).not.toBe(shapeClientOrderId('wl1-a2'));
    expect(shapeClientOrderId('x'.repeat(40) + '1')).not.toBe(shapeClientOrderId('x'.repeat(40) + '2'));
  });
  it('Venue.clientOrderId shapes the same way on every exchange', () => {
    for (const name of ['binance', 'okx', 'bybit', 'bitget'] as const) expect(makeTestVenue(name).venue.clientOrderId('wl5-long-2')).toBe('wl5long2');
  });
});

describe('factory', () => {
  it('credentials only from the environment variables named per exchange', () => {
    const env = { OKX_API_KEY: 'k', OKX_SECRET: 's', BYBIT_API_KEY: 'k', BYBIT_SECRET: 's', BITGET_API_KEY: 'k', BITGET_SECRET: 's' };
    expect(hasCredentials('okx', env)).toBe(false); // OKX_PASSWORD missing
    expect(missingCredentialVars('okx', env)).toEqual(['OKX_PASSWORD']);
    expect(configuredCcxtVenues(env)).toEqual(['bybit']);
    expect(CREDENTIAL_ENV.binance).toEqual({ apiKey: 'BINANCE_API_KEY', secret: 'BINANCE_SECRET' });
    const ex = createCcxtExchange('bybit', { env });
    expect(ex.apiKey).toBe('k');
    expect(createCcxtExchange('binance', { env }).apiKey).toBeFalsy();
  });
  it('configures each exchange as the venue needs', () => {
    expect(createCcxtExchange('binance', { env: {} }).id).toBe('binanceusdm');
    const y = createCcxtExchange('bybit', { env: {} });
    expect(y.options).toMatchObject({ defaultType: 'swap', enableUnifiedAccount: true, enableUnifiedMargin: false });
    expect((y.options as { fetchMarkets: { types: string[]; usePrivateInstrumentsInfo: boolean } }).fetchMarkets).toMatchObject({ types: ['linear'], usePrivateInstrumentsInfo: false });
    expect(createCcxtExchange('okx', { env: {} }).options).toMatchObject({ defaultType: 'swap' });
    expect(createCcxtExchange('bitget', { env: {} }).options).toMatchObject({ defaultType: 'swap', uta: false });
    expect(createCcxtExchange('bitget', { env: { BITGET_UTA: '1' } }).options).toMatchObject({ uta: true });
  });
  it('a venue never serialises its ccxt instance (credentials)', () => {
    const { venue } = makeTestVenue('okx');
    expect(JSON.stringify({ venue })).toBe('{"venue":{"venue":"okx","exchange":"okx"}}');
  });
});
