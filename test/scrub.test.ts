// Issue 9 item 8: error text stored or served never carries a signed URL or key
// material. ccxt puts the signed request URL (`…&signature=<hmac>`) in the message of
// some errors (here: Binance answering a signed GET with a 502 page). The JS wrapper
// masks it before anything is logged; the tables mask it whatever path an error takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { makeTestVenue } from './helpers/ccxt-mock.ts';
import { scrubSecrets } from '../workers/venues/scrub.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
});

const SIGNED =
  'binance GET https://fapi.binance.com/fapi/v1/order?symbol=BTCUSDT&origClientOrderId=wl1long1&timestamp=1717020000000&recvWindow=10000&signature=9f1c2d3e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff 502 Bad Gateway';

describe('credentials never reach error text', () => {
  it('a real ccxt error carrying the signed URL is masked by the venue wrapper', async () => {
    const { venue, http } = makeTestVenue('binance');
    http.on('GET', '/fapi/v1/order', { status: 502, text: '<html>502 Bad Gateway</html>' });
    const e = (await venue.fetchOrderByClientId('BTC/USDT:USDT', 'wl1-long-1').then(
      () => null,
      (x: unknown) => x,
    )) as Error & { payload?: { message: string }; cause?: Error };
    expect(e).toBeTruthy();
    // the request ccxt actually sent was signed: the point of the test is that its URL is in ccxt's message
    const sent = http.calls.find((c) => c.path === '/fapi/v1/order')!;
    expect(sent.query.signature).toMatch(/^[0-9a-f]{64}$/);
    for (const text of [e.message, e.payload!.message, e.cause!.message, String(e.cause!.stack)]) {
      expect(text).not.toContain(sent.query.signature);
      expect(text).not.toMatch(/signature=(?!\*\*\*)/);
    }
    expect(e.message).toContain('signature=***');
  });

  it('the exact key values this process holds are masked wherever they appear', () => {
    process.env.TESTVENUE_API_KEY = 'AKIAexampleKEYvalue123';
    try {
      expect(scrubSecrets('rejected key AKIAexampleKEYvalue123 for ip 1.2.3.4')).toBe('rejected key *** for ip 1.2.3.4');
    } finally {
      delete process.env.TESTVENUE_API_KEY;
    }
  });

  it('every way into the error tables masks signed URLs and key-shaped values', async () => {
    // trade_error (the JS flows' entry point)
    await db.query(`select watchlist.trade_error(null, 'open', 'binance', 'ExchangeNotAvailable', $1, $2::jsonb)`, [
      SIGNED,
      JSON.stringify({ message: SIGNED, headers: { 'X-MBX-APIKEY': 'abcdefgh12345678' }, sign: 12345678 }),
    ]);
    // the collector's own insert
    await db.query(`select watchlist.record_market_minute(now(), '[]'::jsonb, $1::jsonb)`, [
      JSON.stringify([{ venue: 'okx', error_class: 'NetworkError', message: `okx GET https://www.okx.com/api/v5/x?a=1 OK-ACCESS-KEY: k-123456789 OK-ACCESS-SIGN: c2lnbmF0dXJl OK-ACCESS-PASSPHRASE: hunter22` }]),
    ]);
    // venue health
    await db.query(`select watchlist.venue_report('binance', false, $1)`, [SIGNED]);

    const { rows } = await db.query(`select message, payload::text as payload from watchlist.live_trade_error order by id`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const health = (await db.query(`select last_error from watchlist.venue_health where venue = 'binance'`)).rows[0].last_error as string;
    const all = [...rows.flatMap((r) => [r.message, r.payload]), health].join('\n');
    expect(all).not.toContain('9f1c2d3e4b5a6978');
    expect(all).not.toContain('abcdefgh12345678');
    expect(all).not.toContain('12345678,');
    expect(all).not.toContain('k-123456789');
    expect(all).not.toContain('c2lnbmF0dXJl');
    expect(all).not.toContain('hunter22');
    expect(all).toContain('signature=***');
    // what is not a secret stays readable
    expect(all).toContain('symbol=BTCUSDT');
    expect(all).toContain('502 Bad Gateway');
  });

  it('the SQL and JS scrubbers agree', async () => {
    const samples = [SIGNED, 'bybit {"retCode":10003,"retMsg":"API key is invalid."} apiKey=XYZ123456 &sign=deadbeef', 'plain message with no secrets'];
    for (const t of samples) {
      const { rows } = await db.query('select watchlist.scrub_secrets($1::text) as s', [t]);
      expect(rows[0].s).toBe(scrubSecrets(t));
    }
  });
});
