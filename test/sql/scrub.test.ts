// sql/scrub.sql: error text stored never carries a signed URL or key material,
// whatever path an error takes into the tables. The jobs write errors (wl_writer).
import { describe, expect } from 'vitest';
import { sqlFile } from '../helpers/sql-test.ts';
import { scrubSecrets } from '../../workers/venues/scrub.ts';

const { test } = sqlFile({ role: 'wl_writer' });
const it = test;

const SIGNED =
  'binance GET https://fapi.binance.com/fapi/v1/order?symbol=BTCUSDT&origClientOrderId=wl1long1&timestamp=1717020000000&recvWindow=10000&signature=9f1c2d3e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff 502 Bad Gateway';

describe('credentials never reach error text', () => {
  it('every way into the error tables masks signed URLs and key-shaped values', async ({ tx }) => {
    // trade_error (the JS flows' entry point)
    await tx.query(`select watchlist.trade_error(null, 'open', 'binance', 'ExchangeNotAvailable', $1, $2::jsonb)`, [
      SIGNED,
      JSON.stringify({ message: SIGNED, headers: { 'X-MBX-APIKEY': 'abcdefgh12345678' }, sign: 12345678 }),
    ]);
    // the collector's own insert
    await tx.query(`select watchlist.record_market_minute(now(), '[]'::jsonb, $1::jsonb)`, [
      JSON.stringify([{ venue: 'okx', error_class: 'NetworkError', message: `okx GET https://www.okx.com/api/v5/x?a=1 OK-ACCESS-KEY: k-123456789 OK-ACCESS-SIGN: c2lnbmF0dXJl OK-ACCESS-PASSPHRASE: hunter22` }]),
    ]);
    // venue health
    await tx.query(`select watchlist.venue_report('binance', false, $1)`, [SIGNED]);

    const { rows } = await tx.query(`select message, payload::text as payload from watchlist.live_trade_error order by id`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const health = (await tx.query(`select last_error from watchlist.venue_health where venue = 'binance'`)).rows[0].last_error as string;
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

  it('the SQL and JS scrubbers agree', async ({ tx }) => {
    const samples = [SIGNED, 'bybit {"retCode":10003,"retMsg":"API key is invalid."} apiKey=XYZ123456 &sign=deadbeef', 'plain message with no secrets'];
    for (const t of samples) {
      const { rows } = await tx.query('select watchlist.scrub_secrets($1::text) as s', [t]);
      expect(rows[0].s).toBe(scrubSecrets(t));
    }
  });
});
