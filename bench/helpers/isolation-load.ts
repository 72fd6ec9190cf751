// Load for the isolation bench and test: heavy anonymous GraphQL readers, each from its
// own loopback address (so per-client limits see ten clients, as ten browsers would
// be), and a trader toggling the kill switch while they run.
import http from 'node:http';
import type pg from 'pg';

/** a table big enough that sorting it on an unindexed column keeps a connection busy for a while */
export async function populateSnapshots(pool: pg.Pool, rows: number) {
  const symbols = Math.max(1, Math.ceil(rows / (1440 * 4)));
  await pool.query(`select watchlist.ensure_partitions('market_snapshot', now() - interval '2 days', now() + interval '1 day')`);
  // older than the minutes the worker collects, so the scanner never reads them
  await pool.query(
    `insert into watchlist.market_snapshot (ts, venue, symbol, bid, ask, bid_top, ask_top, mid, depth_ok, notional_usdt, funding_rate, collected_at)
     select date_trunc('minute', now()) - interval '1 hour' - (m || ' minutes')::interval, v, 'BENCH' || s || '/USDT:USDT',
            100 + random(), 101 + random(), 100, 101, 100.5 + random(), true, 50, random() / 1000, now()
     from generate_series(0, 1439) m, unnest(array['binance','okx','bybit','bitget']) v, generate_series(1, $1::int) s
     limit $2`,
    [symbols, rows],
  );
  await pool.query('analyze watchlist.market_snapshot');
}

export const HEAVY_QUERY = `{ allMarketSnapshots(first: 20, orderBy: [FUNDING_RATE_DESC]) { nodes { ts venue symbol fundingRate } } }`;
export const KILL_SWITCH = `mutation { setKillSwitch(input: { pLevel: 0, pNote: "isolation bench" }) { result } }`;

export function postGraphql(
  port: number,
  query: string,
  opts: { token?: string; localAddress?: string } = {},
): Promise<{ status: number; ms: number; body: string }> {
  const body = JSON.stringify({ query });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        localAddress: opts.localAddress,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let out = '';
        res.on('data', (d) => (out += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: out }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface AnonymousLoad {
  stop(): Promise<{ ok: number; refused: number; failed: number; ms: number[] }>;
}

/** `clients` readers, each sending HEAVY_QUERY back to back from 127.0.0.(10+i) */
export function anonymousLoad(port: number, clients = 10, query = HEAVY_QUERY): AnonymousLoad {
  let running = true;
  const stats = { ok: 0, refused: 0, failed: 0, ms: [] as number[] };
  const loops = Array.from({ length: clients }, async (_, i) => {
    while (running) {
      try {
        const r = await postGraphql(port, query, { localAddress: `127.0.0.${10 + i}` });
        if (r.status === 429) {
          stats.refused++;
          await new Promise((res) => setTimeout(res, 200));
        } else if (r.status === 200 && !r.body.includes('"errors"')) {
          stats.ok++;
          stats.ms.push(r.ms);
        } else stats.failed++;
      } catch {
        stats.failed++;
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

/** the trader's mutation every `everyMs` until stopped; latencies in ms */
export function traderLoop(port: number, token: string, everyMs = 500) {
  let running = true;
  const ms: number[] = [];
  const errors: string[] = [];
  const loop = (async () => {
    while (running) {
      const r = await postGraphql(port, KILL_SWITCH, { token }).catch((e) => ({ status: 0, ms: NaN, body: String(e) }));
      if (r.status === 200 && !r.body.includes('"errors"')) ms.push(r.ms);
      else errors.push(r.body.slice(0, 200));
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ms, errors };
    },
  };
}
