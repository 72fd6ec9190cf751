// Binance USDM and Bybit linear answered in their documented shapes, behind REAL ccxt
// classes (test/helpers/ccxt-mock.ts): books, balance, leverage, market orders with
// fills, look-ups and positions, from a small in-memory account per exchange. Enough to
// drive the whole open flow; each test bends one answer (a refused leverage, a partial
// IOC fill, a low balance, a 100 USDT minimum) and reads the recorded requests.
import { makeTestVenue, type RecordedRequest, type TestVenue } from './ccxt-mock.ts';

export interface FakeOpts {
  /** top of book; bids step down, asks step up by one tick, 10 levels of `depth` each */
  bid: number;
  ask: number;
  depth?: string;
  freeUsdt?: string;
  /** leverage the account is at (read back by fetchLeverage) */
  leverage?: number;
  /** set-leverage answers this error body (HTTP 400) instead of success */
  setLeverageError?: unknown;
  /** share of a non-reduce-only market order that fills; the rest is canceled (Bybit IOC) */
  fillRatio?: number;
  /** Binance: orders below this value are rejected with -4164 (reduce-only exempt) */
  minNotional?: number;
}

interface FakeOrder {
  id: string;
  cid: string;
  symbol: string; // native
  side: 'BUY' | 'SELL';
  qty: string;
  filled: string;
  price: string;
  reduceOnly: boolean;
  ts: number;
}

export interface FakeExchange extends TestVenue {
  orders: FakeOrder[];
  /** POSTs that would place an order */
  orderPosts(): RecordedRequest[];
  opts: FakeOpts;
}

const dp = (x: number) => Number(x.toFixed(8)).toString();

function levels(from: number, dir: number, size: string): [string, string][] {
  return Array.from({ length: 10 }, (_, i) => [dp(from + dir * i * 0.01), size]);
}

function fill(o: { qty: string; reduceOnly: boolean }, ratio: number | undefined, step: number): string {
  if (o.reduceOnly || ratio === undefined) return o.qty;
  return dp(Math.max(step, Math.floor((Number(o.qty) * ratio) / step + 1e-9) * step));
}

let nextId = 5_000_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT'];

export function fakeBinance(opts: FakeOpts): FakeExchange {
  const tv = makeTestVenue('binance');
  const orders: FakeOrder[] = [];
  const { http } = tv;
  const orderJson = (o: FakeOrder) => ({
    orderId: Number(o.id), symbol: o.symbol, status: o.filled === o.qty ? 'FILLED' : 'EXPIRED', clientOrderId: o.cid,
    price: '0.00', avgPrice: o.price, origQty: o.qty, executedQty: o.filled, cumQty: o.filled, cumQuote: dp(Number(o.filled) * Number(o.price)),
    timeInForce: 'GTC', type: 'MARKET', reduceOnly: o.reduceOnly, closePosition: false, side: o.side, positionSide: 'BOTH',
    stopPrice: '0.00', workingType: 'CONTRACT_PRICE', priceProtect: false, origType: 'MARKET', updateTime: o.ts,
  });
  http.on('GET', '/fapi/v1/depth', () => ({
    json: { lastUpdateId: 1, E: Date.now(), T: Date.now(), bids: levels(opts.bid, -1, opts.depth ?? '100'), asks: levels(opts.ask, 1, opts.depth ?? '100') },
  }));
  http.on('GET', '/fapi/v3/account', () => ({
    json: {
      totalWalletBalance: opts.freeUsdt ?? '10000', availableBalance: opts.freeUsdt ?? '10000', positions: [],
      assets: [{ asset: 'USDT', walletBalance: opts.freeUsdt ?? '10000', unrealizedProfit: '0', marginBalance: opts.freeUsdt ?? '10000', maintMargin: '0', initialMargin: '0',
        positionInitialMargin: '0', openOrderInitialMargin: '0', crossWalletBalance: opts.freeUsdt ?? '10000', crossUnPnl: '0',
        availableBalance: opts.freeUsdt ?? '10000', maxWithdrawAmount: opts.freeUsdt ?? '10000', updateTime: 1717020000000 }],
    },
  }));
  http.on('POST', '/fapi/v1/leverage', (req) => {
    if (opts.setLeverageError) return { status: 400, json: opts.setLeverageError };
    opts.leverage = Number(req.form!['leverage']);
    return { json: { leverage: opts.leverage, maxNotionalValue: '1000000', symbol: req.form!['symbol'] } };
  });
  http.on('GET', '/fapi/v1/leverageBracket', () => ({
    json: SYMBOLS.map((symbol) => ({ symbol, notionalCoef: 1, brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] })),
  }));
  // without a symbol the endpoint lists every symbol (what ccxt asks for)
  http.on('GET', '/fapi/v1/symbolConfig', (req) => ({
    json: (req.query['symbol'] ? [req.query['symbol']] : SYMBOLS).map((symbol) => ({ symbol, marginType: 'CROSSED', isAutoAddMargin: 'false', leverage: opts.leverage ?? 1, maxNotionalValue: '1000000' })),
  }));
  http.on('POST', '/fapi/v1/order', (req) => {
    const f = req.form!;
    const value = Number(f['quantity']) * (f['side'] === 'BUY' ? opts.ask : opts.bid);
    if (opts.minNotional && f['reduceOnly'] !== 'true' && value < opts.minNotional) {
      return { status: 400, json: { code: -4164, msg: `Order's notional must be no smaller than ${opts.minNotional} (unless you choose reduce only).` } };
    }
    const o: FakeOrder = {
      id: String(nextId++), cid: f['newClientOrderId'], symbol: f['symbol'], side: f['side'] as 'BUY' | 'SELL', qty: f['quantity'], filled: '0',
      price: String(f['side'] === 'BUY' ? opts.ask : opts.bid), reduceOnly: f['reduceOnly'] === 'true', ts: Date.now(),
    };
    o.filled = fill(o, opts.fillRatio, 0.001);
    orders.push(o);
    return { json: orderJson(o) };
  });
  http.on('GET', '/fapi/v1/order', (req) => {
    const o = orders.find((x) => x.id === req.query['orderId'] || x.cid === req.query['origClientOrderId']);
    return o ? { json: orderJson(o) } : { status: 400, json: { code: -2013, msg: 'Order does not exist.' } };
  });
  http.on('GET', '/fapi/v1/userTrades', (req) => ({
    json: orders.filter((o) => o.id === req.query['orderId'] && Number(o.filled) > 0).map((o) => ({
      buyer: o.side === 'BUY', commission: dp(Number(o.filled) * Number(o.price) * 0.0004), commissionAsset: 'USDT', id: Number(o.id) + 1, maker: false,
      orderId: Number(o.id), price: o.price, qty: o.filled, quoteQty: dp(Number(o.filled) * Number(o.price)), realizedPnl: '0', side: o.side,
      positionSide: 'BOTH', symbol: o.symbol, time: o.ts,
    })),
  }));
  http.on('GET', '/fapi/v3/positionRisk', () => ({ json: [] }));
  return { ...tv, orders, opts, orderPosts: () => http.callsTo('POST', '/fapi/v1/order') };
}

export function fakeBybit(opts: FakeOpts): FakeExchange {
  const tv = makeTestVenue('bybit');
  const orders: FakeOrder[] = [];
  const { http } = tv;
  const ok = (result: unknown) => ({ json: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() } });
  const orderJson = (o: FakeOrder) => ({
    symbol: o.symbol, orderType: 'Market', orderLinkId: o.cid, orderId: o.id, cancelType: o.filled === o.qty ? 'UNKNOWN' : 'CancelByUser',
    avgPrice: o.price, orderStatus: o.filled === o.qty ? 'Filled' : 'PartiallyFilledCanceled', createType: 'CreateByUser',
    cumExecValue: dp(Number(o.filled) * Number(o.price)), rejectReason: 'EC_NoError', price: o.price, createdTime: String(o.ts),
    positionIdx: 0, timeInForce: 'IOC', leavesValue: '0', updatedTime: String(o.ts + 5), side: o.side === 'BUY' ? 'Buy' : 'Sell',
    cumExecFee: dp(Number(o.filled) * Number(o.price) * 0.00055), leavesQty: '0', closeOnTrigger: false, cumExecQty: o.filled,
    reduceOnly: o.reduceOnly, qty: o.qty,
  });
  const find = (q: Record<string, string>) => orders.filter((o) => (q['orderId'] ? o.id === q['orderId'] : q['orderLinkId'] ? o.cid === q['orderLinkId'] : true));
  http.on('GET', '/v5/market/orderbook', (req) =>
    ok({ s: req.query['symbol'], b: levels(opts.bid, -1, opts.depth ?? '100'), a: levels(opts.ask, 1, opts.depth ?? '100'), u: 1, seq: 1 }),
  );
  http.on('GET', '/v5/account/wallet-balance', () =>
    ok({ list: [{ accountType: 'UNIFIED', totalEquity: opts.freeUsdt ?? '10000', totalWalletBalance: opts.freeUsdt ?? '10000', totalAvailableBalance: opts.freeUsdt ?? '10000',
      coin: [{ coin: 'USDT', equity: opts.freeUsdt ?? '10000', walletBalance: opts.freeUsdt ?? '10000', availableToWithdraw: '', locked: '0', totalPositionIM: '0', totalOrderIM: '0', unrealisedPnl: '0' }] }] }),
  );
  http.on('POST', '/v5/position/set-leverage', (req) => {
    if (opts.setLeverageError) return { json: opts.setLeverageError };
    opts.leverage = Number((req.json as any).buyLeverage);
    return ok({});
  });
  http.on('GET', '/v5/position/list', (req) =>
    ok({ category: 'linear', nextPageCursor: '', list: [{ symbol: req.query['symbol'], leverage: String(opts.leverage ?? 1), size: '0', side: '', positionIdx: 0, tradeMode: 0, avgPrice: '0', markPrice: String(opts.bid), unrealisedPnl: '', cumRealisedPnl: '0', createdTime: '1', updatedTime: '1', positionStatus: 'Normal' }] }),
  );
  http.on('POST', '/v5/order/create', (req) => {
    const b = req.json as Record<string, string | boolean>;
    const o: FakeOrder = {
      id: String(nextId++), cid: String(b['orderLinkId']), symbol: String(b['symbol']), side: b['side'] === 'Buy' ? 'BUY' : 'SELL', qty: String(b['qty']), filled: '0',
      price: String(b['side'] === 'Buy' ? opts.ask : opts.bid), reduceOnly: b['reduceOnly'] === true, ts: Date.now(),
    };
    o.filled = fill(o, opts.fillRatio, 0.01);
    orders.push(o);
    return ok({ orderId: o.id, orderLinkId: o.cid });
  });
  // without openOnly the realtime endpoint lists active orders only; market orders end at once
  http.on('GET', '/v5/order/realtime', (req) => ok({ nextPageCursor: '', category: 'linear', list: Number(req.query['openOnly'] ?? 0) >= 1 ? find(req.query).map(orderJson) : [] }));
  http.on('GET', '/v5/order/history', (req) => ok({ nextPageCursor: '', category: 'linear', list: find(req.query).map(orderJson) }));
  http.on('GET', '/v5/execution/list', (req) =>
    ok({ nextPageCursor: '', category: 'linear', list: find(req.query).filter((o) => Number(o.filled) > 0).map((o) => ({
      symbol: o.symbol, orderType: 'Market', orderLinkId: o.cid, side: o.side === 'BUY' ? 'Buy' : 'Sell', orderId: o.id, leavesQty: '0', execTime: String(o.ts + 1),
      feeCurrency: '', isMaker: false, execFee: dp(Number(o.filled) * Number(o.price) * 0.00055), feeRate: '0.00055', execId: `e-${o.id}`, execPrice: o.price,
      orderQty: o.qty, orderPrice: o.price, execValue: dp(Number(o.filled) * Number(o.price)), execType: 'Trade', execQty: o.filled, seq: Number(o.id),
    })) }),
  );
  return { ...tv, orders, opts, orderPosts: () => http.callsTo('POST', '/v5/order/create') };
}
