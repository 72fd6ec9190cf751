// Venue preflight against the REAL ccxt 4.5.84 classes (HTTP answered through
// fetchImplementation, bodies shaped as each exchange documents them) and the real SQL:
// a venue in hedge mode / isolated margin / with a skewed clock / with a withdrawal key
// fails, is recorded not tradeable, and trade_begin_open refuses it while the others trade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVenue } from './helpers/ccxt-mock.ts';
import type { HttpMock, TestVenue } from './helpers/ccxt-mock.ts';
import { freshDb } from './helpers/db.ts';
import { insertEvent } from './helpers/live.ts';
import type { TestDb } from './helpers/db.ts';
import { formatPreflightTable, preflightVenue } from '../workers/venues/preflight.ts';
import { checkClock } from '../workers/venues/preflight-ccxt.ts';
import type { PreflightOptions, VenuePreflight } from '../workers/venues/preflight.ts';
import { runPreflight } from '../cli/preflight.ts';
import { buildVenues } from '../workers/venues/registry.ts';
import { mapCcxtError } from '../workers/venues/ccxt-venue.ts';
import { InvalidNonce } from 'ccxt';
import type { CcxtVenueName } from '../workers/venues/ccxt-venue.ts';

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const OPTS: PreflightOptions = { symbols: [BTC, ETH], leverage: 1, maxClockSkewMs: 1000, allowWithdrawKeys: false };

interface Account {
  hedged?: boolean;
  isolated?: boolean;
  skewMs?: number;
  withdraw?: boolean;
  leverage?: number;
}

/** answer every preflight request of one exchange as its documentation shows, for this account */
function mockAccount(name: CcxtVenueName, http: HttpMock, a: Account = {}): void {
  const t = () => Date.now() + (a.skewMs ?? 0);
  const lev = a.leverage ?? 1;
  switch (name) {
    case 'binance':
      http.on('GET', '/fapi/v1/time', () => ({ json: { serverTime: t() } }));
      http.on('GET', '/sapi/v1/account/apiRestrictions', {
        json: { ipRestrict: true, createTime: 1698645219000, enableReading: true, enableFutures: true, enableSpotAndMarginTrading: false, enableWithdrawals: a.withdraw === true, enableInternalTransfer: false, enableMargin: false, permitsUniversalTransfer: false, enableVanillaOptions: false, enablePortfolioMarginTrading: false },
      });
      http.on('GET', '/fapi/v1/positionSide/dual', { json: { dualSidePosition: a.hedged === true } });
      // already cross: -4046; isolated with an open position: -4048 (cannot be changed)
      http.on('POST', '/fapi/v1/marginType', a.isolated
        ? { status: 400, json: { code: -4048, msg: 'Margin type cannot be changed if there exists position.' } }
        : { status: 400, json: { code: -4046, msg: 'No need to change margin type.' } });
      http.on('GET', '/fapi/v1/leverageBracket', {
        json: ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({ symbol, brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }] })),
      });
      http.on('GET', '/fapi/v1/symbolConfig', () => ({
        json: ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({ symbol, marginType: a.isolated ? 'ISOLATED' : 'CROSSED', isAutoAddMargin: 'false', leverage: lev, maxNotionalValue: '1000000' })),
      }));
      return;
    case 'okx': {
      const config = { code: '0', msg: '', data: [{ acctLv: '2', autoLoan: false, ctIsoMode: 'automatic', greeksType: 'PA', level: 'Lv1', levelTmp: '', mgnIsoMode: 'automatic', posMode: a.hedged ? 'long_short_mode' : 'net_mode', spotOffsetType: '', uid: '44705892343619584', label: 'wl', roleType: '0', traderInsts: [], spotRoleType: '0', spotTraderInsts: [], opAuth: '0', kycLv: '3', ip: '', perm: a.withdraw ? 'read_only,withdraw,trade' : 'read_only,trade', mainUid: '44705892343619584', liquidationGear: '-1', enableSpotBorrow: false, spotBorrowAutoRepay: false, type: '0', settleCcy: 'USDT', settleCcyList: ['USDT'] }] };
      http.on('GET', '/api/v5/public/time', () => ({ json: { code: '0', msg: '', data: [{ ts: String(t()) }] } }));
      http.on('GET', '/api/v5/account/config', { json: config });
      http.on('GET', '/api/v5/account/leverage-info', (req) => ({ json: { code: '0', msg: '', data: [{ instId: req.query['instId'], lever: String(lev), mgnMode: 'cross', posSide: 'net' }] } }));
      return;
    }
    case 'bybit':
      http.on('GET', '/v5/market/time', () => ({ json: { retCode: 0, retMsg: 'OK', result: { timeSecond: String(Math.floor(t() / 1000)), timeNano: `${t()}000000` }, retExtInfo: {}, time: t() } }));
      http.on('GET', '/v5/user/query-api', {
        json: { retCode: 0, retMsg: '', result: { id: '13770661', note: 'wl', apiKey: 'test-api-key', readOnly: 0, secret: '', permissions: { ContractTrade: ['Order', 'Position'], Spot: [], Wallet: a.withdraw ? ['AccountTransfer', 'SubMemberTransfer', 'Withdraw'] : ['AccountTransfer'], Options: [], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [] }, ips: ['*'], type: 1, deadlineDay: 83, expiredAt: '2026-12-01T00:00:00Z', createdAt: '2026-01-01T00:00:00Z', unified: 0, uta: 1, userID: 24617703, inviterID: 0, vipLevel: 'No VIP', mktMakerLevel: '0', affiliateID: 0 }, retExtInfo: {}, time: Date.now() },
      });
      // already one-way: 110025 "Position mode is not modified"; in hedge mode with a position: 110024
      http.on('POST', '/v5/position/switch-mode', a.hedged
        ? { json: { retCode: 110024, retMsg: 'You have an existing position, so position mode cannot be switched', result: {}, retExtInfo: {}, time: Date.now() } }
        : { json: { retCode: 110025, retMsg: 'Position mode is not modified', result: {}, retExtInfo: {}, time: Date.now() } });
      http.on('GET', '/v5/account/info', {
        json: { retCode: 0, retMsg: 'OK', result: { marginMode: a.isolated ? 'ISOLATED_MARGIN' : 'REGULAR_MARGIN', updatedTime: '1697078946000', unifiedMarginStatus: 4, dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0, isMasterTrader: false, spotHedgingStatus: 'OFF' }, retExtInfo: {}, time: Date.now() },
      });
      http.on('GET', '/v5/position/list', (req) => ({
        json: { retCode: 0, retMsg: 'OK', result: { category: 'linear', nextPageCursor: '', list: [{ positionIdx: 0, riskId: 1, riskLimitValue: '2000000', symbol: req.query['symbol'], side: '', size: '0', avgPrice: '0', positionValue: '0', tradeMode: 0, positionStatus: 'Normal', autoAddMargin: 0, adlRankIndicator: 0, leverage: String(lev), positionBalance: '0', markPrice: '60000', liqPrice: '', bustPrice: '', positionMM: '0', positionIM: '0', tpslMode: 'Full', takeProfit: '0', stopLoss: '0', trailingStop: '0', unrealisedPnl: '0', curRealisedPnl: '0', cumRealisedPnl: '0', seq: 1, isReduceOnly: false, createdTime: '1676538056258', updatedTime: '1697673600012' }] }, retExtInfo: {}, time: Date.now() },
      }));
      return;
    case 'bitget':
      http.on('GET', '/api/v2/public/time', () => ({ json: { code: '00000', msg: 'success', requestTime: t(), data: { serverTime: String(t()) } } }));
      http.on('GET', '/api/v2/spot/account/info', {
        json: { code: '00000', msg: 'success', requestTime: Date.now(), data: { userId: '1', inviterId: '0', ips: '127.0.0.1', authorities: a.withdraw ? ['coow', 'cpow', 'wwow'] : ['coow', 'cpow', 'stor'], parentId: 1, traderType: 'not_trader', channelCode: '', channel: '', regisTime: '1246566789345' } },
      });
      http.on('GET', '/api/v2/mix/account/account', (req) => ({
        json: { code: '00000', msg: 'success', requestTime: Date.now(), data: { marginCoin: 'USDT', locked: '0', available: '1000', crossedMaxAvailable: '1000', isolatedMaxAvailable: '1000', maxTransferOut: '1000', accountEquity: '1000', usdtEquity: '1000', btcEquity: '0.01', crossedRiskRate: '0', crossedMarginLeverage: lev, isolatedLongLever: 20, isolatedShortLever: 20, marginMode: a.isolated ? 'isolated' : 'crossed', posMode: a.hedged ? 'hedge_mode' : 'one_way_mode', unrealizedPL: '', coupon: '0', crossedUnrealizedPL: '', isolatedUnrealizedPL: '', symbol: String(req.query['symbol']).toLowerCase() } },
      }));
      http.on('POST', '/api/v2/mix/account/set-margin-mode', { json: { code: '40920', msg: 'Position or order exists, the margin mode cannot be adjusted', requestTime: Date.now(), data: null } });
      return;
  }
}

function venueWith(name: CcxtVenueName, a: Account = {}): TestVenue {
  const tv = makeTestVenue(name);
  mockAccount(name, tv.http, a);
  return tv;
}

const byCheck = (r: VenuePreflight) => Object.fromEntries(r.checks.map((c) => [c.check, c]));

describe('preflight per exchange (real ccxt, mocked HTTP)', () => {
  it.each(['binance', 'okx', 'bybit', 'bitget'] as const)('%s: a one-way, cross, in-sync account with a trade-only key passes', async (name) => {
    const tv = venueWith(name);
    const r = await preflightVenue(tv.venue, OPTS);
    expect(tv.http.unmatched.map((u) => `${u.method} ${u.url}`)).toEqual([]);
    expect(r.checks.map((c) => c.check)).toEqual(['clock', 'key_permissions', 'position_mode', 'margin_mode', 'leverage']);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r).toMatchObject({ venue: name, environment: 'live', ok: true });
  });

  it('Binance hedge mode fails position_mode; Binance isolated with a position fails margin_mode', async () => {
    const hedged = await preflightVenue(venueWith('binance', { hedged: true }).venue, OPTS);
    expect(hedged.ok).toBe(false);
    expect(byCheck(hedged)['position_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/hedge/) });
    expect(byCheck(hedged)['margin_mode'].ok).toBe(true);

    const iso = await preflightVenue(venueWith('binance', { isolated: true }).venue, OPTS);
    expect(byCheck(iso)['margin_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/BTC\/USDT:USDT.*-4048/) });
  });

  it('OKX with a clock 10 s off fails clock (and the offset is handed to ccxt for signing)', async () => {
    const tv = venueWith('okx', { skewMs: 10_000 });
    const r = await preflightVenue(tv.venue, OPTS);
    expect(byCheck(r)['clock']).toMatchObject({ ok: false, detail: expect.stringMatching(/ahead by (9|10)\d{3} ms.*limit 1000 ms/) });
    expect(Math.abs((tv.ex.options as Record<string, number>)['timeDifference'] + 10_000)).toBeLessThan(1000);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['clock']);
  });

  it('Bybit isolated account margin fails margin_mode; hedge mode with a position fails position_mode', async () => {
    const tv = venueWith('bybit', { isolated: true });
    const r = await preflightVenue(tv.venue, OPTS);
    expect(byCheck(r)['margin_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/isolated/) });
    // the position-mode request asked for one-way on USDT linear
    expect(tv.http.callsTo('POST', '/v5/position/switch-mode')[0].json).toMatchObject({ mode: 0, coin: 'USDT', category: 'linear' });
    const h = await preflightVenue(venueWith('bybit', { hedged: true }).venue, OPTS);
    expect(byCheck(h)['position_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/110024/) });
  });

  it('withdrawal-enabled keys fail on each venue unless the operator opts in', async () => {
    for (const name of ['binance', 'okx', 'bybit', 'bitget'] as const) {
      const r = await preflightVenue(venueWith(name, { withdraw: true }).venue, OPTS);
      expect(byCheck(r)['key_permissions'], name).toMatchObject({ ok: false, detail: expect.stringMatching(/can withdraw.*WL_ALLOW_WITHDRAW_KEYS/) });
      const allowed = await preflightVenue(venueWith(name, { withdraw: true }).venue, { ...OPTS, allowWithdrawKeys: true });
      expect(byCheck(allowed)['key_permissions'].ok, name).toBe(true);
    }
  });

  it('Bitget hedge mode fails position_mode; isolated that cannot be switched fails margin_mode', async () => {
    const r = await preflightVenue(venueWith('bitget', { hedged: true, isolated: true }).venue, OPTS);
    expect(byCheck(r)['position_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/hedge_mode/) });
    expect(byCheck(r)['margin_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/isolated.*40920/) });
  });

  it('leverage above the target is set down and confirmed; if it stays above, the check fails', async () => {
    const tv = venueWith('okx', { leverage: 10 });
    tv.http.on('POST', '/api/v5/account/set-leverage', { json: { code: '51000', msg: 'Parameter lever error', data: [] } });
    const r = await preflightVenue(tv.venue, OPTS);
    expect(byCheck(r)['leverage']).toMatchObject({ ok: false, detail: expect.stringMatching(/not confirmed ≤ 1x: BTC\/USDT:USDT 10x/) });
    expect(tv.http.callsTo('POST', '/api/v5/account/set-leverage').length).toBe(2);
  });

  it('a check whose request fails counts as failed, with the reason', async () => {
    const tv = makeTestVenue('binance');
    tv.http.on('GET', '/fapi/v1/time', { status: 503, text: 'Service Unavailable' });
    const r = await checkClock(tv.venue, 1000);
    expect(r).toMatchObject({ check: 'clock', ok: false, detail: expect.stringMatching(/could not check/) });
  });

  it('no traded symbol listed on the venue (markets not loaded): margin mode and leverage fail, not pass vacuously', async () => {
    const r = await preflightVenue(venueWith('okx').venue, { ...OPTS, symbols: ['NOPE/USDT:USDT'] });
    expect(byCheck(r)['margin_mode']).toMatchObject({ ok: false, detail: expect.stringMatching(/none of the traded symbols is listed/) });
    expect(byCheck(r)['leverage'].ok).toBe(false);
  });

  it('InvalidNonce (timestamp outside the receive window) is a rejection, not an unknown outcome', () => {
    const e = mapCcxtError('binance', new InvalidNonce('binanceusdm {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'), { op: 'createOrder' });
    expect(e.kind).toBe('invalid');
    expect(e.outcomeUnknown).toBe(false);
  });
});

describe('preflight recorded: a failing venue is not traded, the others go on', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  // one active trade per symbol: each signal its own symbol
  let n = 0;
  const signal = async (short: string, long: string) =>
    Number((await db.query(`insert into watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, status, created_at)
      values ($1, $2, $3, 'new', now()) returning id`, [`S${++n}/USDT:USDT`, short, long])).rows[0].id);

  it('wl preflight (in-process over mocked exchanges): table, failures recorded, trade_begin_open refuses the failing venues', async () => {
    await db.query(`insert into watchlist.strategy_config (key, value) values ('collect.symbols', '["BTC/USDT:USDT"]')
      on conflict (key) do update set value = excluded.value`);
    const venues = [venueWith('binance').venue, venueWith('okx').venue, venueWith('bybit', { hedged: true }).venue, venueWith('bitget', { skewMs: -5000 }).venue];
    const run = await runPreflight(db, { venues }, {});
    expect(run.ok).toBe(false);
    expect(run.failed).toEqual(['bybit', 'bitget']);
    expect(run.table).toMatch(/bybit\s+live\s+position_mode\s+FAILED/);
    expect(run.table).toMatch(/bitget\s+live\s+clock\s+FAILED\s+exchange behind by/);
    expect(run.table).toMatch(/binance\s+live\s+leverage\s+ok/);
    expect(run.table).toMatch(/binance: tradeable, okx: tradeable, bybit: NOT TRADED, bitget: NOT TRADED/);

    const { rows: t } = await db.query(`select v, watchlist.venue_tradeable(v) as ok from unnest(array['binance','okx','bybit','bitget']) v`);
    expect(Object.fromEntries(t.map((r) => [r.v, r.ok]))).toEqual({ binance: true, okx: true, bybit: false, bitget: false });
    const { rows: errs } = await db.query(`select venue, message, payload->>'check' as check from watchlist.live_trade_error where stage = 'preflight' order by venue`);
    expect(errs.map((e) => [e.venue, e.check])).toEqual([['bitget', 'clock'], ['bybit', 'position_mode']]);

    const bad = await signal('bybit', 'binance');
    const good = await signal('okx', 'binance');
    const refused = (await db.query('select watchlist.trade_begin_open($1) as r', [bad])).rows[0].r;
    expect(refused).toEqual({ action: 'noop', why: 'venue_preflight_failed' });
    const { rows: [s] } = await db.query('select status, reason, recheck from watchlist.live_trade_signal where id = $1', [bad]);
    expect(s).toMatchObject({ status: 'ignored', reason: 'venue_preflight_failed' });
    expect(s.recheck.short).toMatch(/position_mode: .*110024/);
    const { rows: sigErr } = await db.query(`select venue, message from watchlist.live_trade_error where signal_id = $1 and stage = 'preflight'`, [bad]);
    expect(sigErr).toHaveLength(1);
    expect(sigErr[0].venue).toBe('bybit');
    const go = (await db.query('select watchlist.trade_begin_open($1) as r', [good])).rows[0].r;
    expect(go.action).toBe('recheck');

    // fixed on the exchange and checked again: tradeable
    await runPreflight(db, { venues: [venueWith('bybit').venue] }, {});
    expect((await db.query(`select watchlist.venue_tradeable('bybit') as ok`)).rows[0].ok).toBe(true);
    expect((await db.query(`select watchlist.trade_begin_open($1) as r`, [await signal('bybit', 'binance')])).rows[0].r.action).toBe('recheck');
  });

  it('the gate gives no new signal on a venue that failed preflight; a pair of other venues is admitted', async () => {
    await db.query(`select watchlist.record_venue_preflight('bybit', 'live', '[{"check":"position_mode","ok":false,"detail":"hedge"}]')`);
    await db.query(`select watchlist.record_venue_preflight('okx', 'live', '[{"check":"clock","ok":true,"detail":"in sync"}]')`);
    await insertEvent(db, { symbol: 'G1/USDT:USDT', high: 'bybit', low: 'binance' });
    await insertEvent(db, { symbol: 'G2/USDT:USDT', high: 'okx', low: 'binance' });
    const { rows } = await db.query(`select symbol, status, reason from watchlist.live_trade_signal where symbol like 'G_/USDT:USDT' order by symbol`);
    expect(rows).toEqual([
      { symbol: 'G1/USDT:USDT', status: 'ignored', reason: 'venue_preflight_failed' },
      { symbol: 'G2/USDT:USDT', status: 'new', reason: null },
    ]);
  });

  it('at start-up (prune) rows of venues no longer configured go, so no stale failure or SANDBOX banner remains', async () => {
    await db.query(`select watchlist.record_venue_preflight('gone', 'sandbox', '[{"check":"clock","ok":false,"detail":"old"}]')`);
    await runPreflight(db, { venues: [venueWith('binance').venue] }, {}, { prune: true });
    const { rows } = await db.query('select distinct venue from watchlist.venue_preflight order by venue');
    expect(rows.map((r) => r.venue)).toEqual(['binance']);
  });

  it('paper venues pass; a paper venue given the hedge-mode fault fails preflight and rejects orders', async () => {
    const set = await buildVenues({ db, mode: 'paper', venues: ['binance', 'okx'], env: {} });
    set.faults.set('okx', { hedgeMode: true });
    const run = await runPreflight(db, set, {});
    expect(run.failed).toEqual(['okx']);
    expect(run.table).toMatch(/binance\s+paper\s+paper\s+ok/);
    expect(run.table).toMatch(/okx\s+paper\s+position_mode\s+FAILED\s+hedge mode/);
    const e = await set.get('okx').createMarketOrder({ symbol: BTC, side: 'buy', amountBase: '0.01', reduceOnly: false, clientOrderId: 'wlhedge1' }).catch((x) => x);
    expect(e).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/hedge mode/) });
    await set.close();
  });

  it('formatPreflightTable lines up one row per venue × check', () => {
    const t = formatPreflightTable([{ venue: 'okx', environment: 'sandbox', ok: false, checks: [{ check: 'clock', ok: true, detail: 'x' }, { check: 'leverage', ok: false, detail: 'why' }] }]);
    expect(t.split('\n')).toEqual([
      'venue  env      check     result  detail',
      '-----  -------  --------  ------  ------',
      'okx    sandbox  clock     ok      x',
      'okx    sandbox  leverage  FAILED  why',
      '',
      'okx: NOT TRADED',
    ]);
  });
});
