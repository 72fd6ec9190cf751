// WL_VENUE_SANDBOX=1: each ccxt venue talks to its exchange's demo/testnet with the
// *_SANDBOX_* keys. Checked on the request ccxt actually sends (real classes, HTTP recorded
// through fetchImplementation): host, the demo header, and the key it is signed with.
import { describe, expect, it } from 'vitest';
import { HttpMock } from './helpers/ccxt-mock.ts';
import type { RecordedRequest } from './helpers/ccxt-mock.ts';
import { loadFixtureMarkets } from './fixtures/markets.ts';
import { createCcxtVenue, hasCredentials, isSandboxed, missingCredentialVars } from '../workers/venues/ccxt-factory.ts';
import type { CcxtVenueName } from '../workers/venues/ccxt-venue.ts';
import { environmentOf } from '../workers/venues/preflight.ts';
import { buildVenues } from '../workers/venues/registry.ts';

const BTC = 'BTC/USDT:USDT';

const ENV = {
  BINANCE_API_KEY: 'live-binance', BINANCE_SECRET: 'live-s',
  OKX_API_KEY: 'live-okx', OKX_SECRET: 'live-s', OKX_PASSWORD: 'live-p',
  BYBIT_API_KEY: 'live-bybit', BYBIT_SECRET: 'live-s',
  BITGET_API_KEY: 'live-bitget', BITGET_SECRET: 'live-s', BITGET_PASSWORD: 'live-p',
  BINANCE_SANDBOX_API_KEY: 'demo-binance', BINANCE_SANDBOX_SECRET: 'demo-s',
  OKX_SANDBOX_API_KEY: 'demo-okx', OKX_SANDBOX_SECRET: 'demo-s', OKX_SANDBOX_PASSWORD: 'demo-p',
  BYBIT_SANDBOX_API_KEY: 'demo-bybit', BYBIT_SANDBOX_SECRET: 'demo-s',
  BITGET_SANDBOX_API_KEY: 'demo-bitget', BITGET_SANDBOX_SECRET: 'demo-s', BITGET_SANDBOX_PASSWORD: 'demo-p',
};

const header = (r: RecordedRequest, name: string): string | undefined => Object.entries(r.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

const KEY_HEADER: Record<CcxtVenueName, string> = { binance: 'X-MBX-APIKEY', okx: 'OK-ACCESS-KEY', bybit: 'X-BAPI-API-KEY', bitget: 'ACCESS-KEY' };

/** one public (order book) and one signed (balance) request; the answers do not matter here */
async function requests(name: CcxtVenueName, env: Record<string, string>): Promise<{ pub: RecordedRequest; priv: RecordedRequest; sandboxed: boolean }> {
  const venue = createCcxtVenue(name, { env, enableRateLimit: false });
  venue.exchange.setMarkets(loadFixtureMarkets(name));
  const http = new HttpMock().on('GET', /.*/, { status: 200, json: {} }).on('POST', /.*/, { status: 200, json: {} }).install(venue.exchange);
  await venue.fetchOrderBook(BTC, 5).catch(() => {});
  await venue.fetchBalance().catch(() => {});
  const pub = http.calls[0];
  const priv = http.calls.find((c) => header(c, KEY_HEADER[name]) !== undefined)!;
  expect(priv, `${name}: a signed request`).toBeDefined();
  return { pub, priv, sandboxed: isSandboxed(venue.exchange) && environmentOf(venue) === 'sandbox' };
}

describe('sandbox: requests go to each exchange\'s documented test environment', () => {
  it('Binance: demo trading host demo-fapi.binance.com, sandbox key', async () => {
    const { pub, priv, sandboxed } = await requests('binance', { ...ENV, WL_VENUE_SANDBOX: '1' });
    expect(sandboxed).toBe(true);
    expect(pub.host).toBe('demo-fapi.binance.com');
    expect(priv.host).toBe('demo-fapi.binance.com');
    expect(header(priv, 'X-MBX-APIKEY')).toBe('demo-binance');
  });

  it('OKX: same host with x-simulated-trading: 1 on every request, sandbox key', async () => {
    const { pub, priv, sandboxed } = await requests('okx', { ...ENV, WL_VENUE_SANDBOX: '1' });
    expect(sandboxed).toBe(true);
    expect(pub.host).toBe('www.okx.com');
    expect(header(pub, 'x-simulated-trading')).toBe('1');
    expect(header(priv, 'x-simulated-trading')).toBe('1');
    expect(header(priv, 'OK-ACCESS-KEY')).toBe('demo-okx');
    expect(header(priv, 'OK-ACCESS-PASSPHRASE')).toBe('demo-p');
  });

  it('Bybit: testnet host api-testnet.bybit.com, sandbox key', async () => {
    const { pub, priv, sandboxed } = await requests('bybit', { ...ENV, WL_VENUE_SANDBOX: '1' });
    expect(sandboxed).toBe(true);
    expect(pub.host).toBe('api-testnet.bybit.com');
    expect(priv.host).toBe('api-testnet.bybit.com');
    expect(header(priv, 'X-BAPI-API-KEY')).toBe('demo-bybit');
  });

  it('Bitget: same host with PAPTRADING: 1, sandbox key', async () => {
    const { pub, priv, sandboxed } = await requests('bitget', { ...ENV, WL_VENUE_SANDBOX: '1' });
    expect(sandboxed).toBe(true);
    expect(pub.host).toBe('api.bitget.com');
    expect(header(pub, 'PAPTRADING')).toBe('1');
    expect(header(priv, 'PAPTRADING')).toBe('1');
    expect(header(priv, 'ACCESS-KEY')).toBe('demo-bitget');
  });

  it.each(['binance', 'okx', 'bybit', 'bitget'] as const)('%s without WL_VENUE_SANDBOX: live host, no demo header, live key', async (name) => {
    const { pub, priv, sandboxed } = await requests(name, ENV);
    expect(sandboxed).toBe(false);
    expect(pub.host).toBe({ binance: 'fapi.binance.com', okx: 'www.okx.com', bybit: 'api.bybit.com', bitget: 'api.bitget.com' }[name]);
    expect(header(priv, 'x-simulated-trading')).toBeUndefined();
    expect(header(priv, 'PAPTRADING')).toBeUndefined();
    expect(header(priv, KEY_HEADER[name])).toBe(`live-${name}`);
  });

  it('sandbox mode reads only the sandbox variables: live keys alone are not enough', async () => {
    const live = { BYBIT_API_KEY: 'k', BYBIT_SECRET: 's', WL_VENUE_SANDBOX: '1' };
    expect(hasCredentials('bybit', live)).toBe(false);
    expect(missingCredentialVars('bybit', live)).toEqual(['BYBIT_SANDBOX_API_KEY', 'BYBIT_SANDBOX_SECRET']);
    // auto mode: no sandbox key → the venue stays paper (nothing is sent with the live key)
    const set = await buildVenues({ db: { query: async () => ({ rows: [] }) } as never, venues: ['bybit'], mode: 'auto', env: live });
    expect(set.venues[0].constructor.name).toBe('PaperVenue');
    expect(set.sandbox).toBe(false);
    await set.close();
  });
});
