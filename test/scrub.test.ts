// Issue 9 item 8: error text stored or served never carries a signed URL or key
// material. ccxt puts the signed request URL (`…&signature=<hmac>`) in the message of
// some errors (here: Binance answering a signed GET with a 502 page). The JS wrapper
// masks it before anything is logged; the tables mask it whatever path an error takes.
// The tables' own masking (sql/scrub.sql) is tested in test/sql/scrub.test.ts.
import { describe, expect, it } from 'vitest';
import { makeTestVenue } from './helpers/ccxt-mock.ts';
import { scrubSecrets } from '../workers/venues/scrub.ts';

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
});
