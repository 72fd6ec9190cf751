// The red-team attacks on the API's edges (issue 9, items 1 and 7), each against a
// real PostGraphile server over HTTP and websockets started here: cost limits
// (fragment bomb, aliases, omitted `first`, node budget), Host / Origin checks,
// the pages' Content-Security-Policy, and Ruru only on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { limitsFromEnv } from '../graphql/limits.ts';
import { operationCost } from '../graphql/cost.ts';
import { buildSchema, parse, type OperationDefinitionNode } from 'postgraphile/graphql';

const DEFAULT_PAGE = limitsFromEnv({}).defaultPage;
let db: TestDb;
let srv: RunningServer;
let signalId: string;

type GqlResult = { status: number; ms: number; bytes: number; data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const t0 = performance.now();
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t0, bytes: text.length, ...JSON.parse(text) };
}

/** a raw HTTP request, so Host and Origin are exactly what an attacker's browser would send */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, method: 'GET', headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** the status a websocket handshake with `origin` gets: 101 when upgraded, else the refusal's */
function handshakeStatus(origin: string | undefined, server = srv): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Protocol': 'graphql-transport-ws',
      ...(origin ? { Origin: origin } : {}),
    };
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/graphql', headers });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode!);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

/** a graphql-ws socket (Node's WebSocket, which takes headers) sending `origin`: run `query`, resolve its first payload */
function wsQuery(origin: string | undefined, query: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const init = { protocols: ['graphql-transport-ws'], headers: origin ? { origin } : {} };
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/graphql`, init as unknown as string[]);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      else if (m.type === 'next' || m.type === 'error') {
        resolve(m.payload);
        ws.close();
      }
    };
    ws.onclose = (e) => reject(new Error(`closed ${e.code}`));
  });
}

beforeAll(async () => {
  db = await freshDb();
  const { rows } = await db.query(
    `insert into watchlist.live_trade_signal (symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
       status, notional_usdt, entry_spread, opened_at)
     values ('ETH/USDT:USDT', 240, 0.02, 0.96, 'okx', 'binance', 'open', 50, 0.025, now() - interval '1 day')
     returning id`,
  );
  signalId = rows[0].id;
  // more rows than the default page
  await db.query(
    `insert into watchlist.live_trade_spread_sample (signal_id, ts, spread, pnl_est)
     select $1, now() - (g || ' minutes')::interval, 0.02, 0.001 from generate_series(0, 3 * $2::int) g`,
    [signalId, DEFAULT_PAGE],
  );
  // no graphiql option: the default (no WL_DEV_GRAPHIQL) is what is tested
  delete process.env.WL_DEV_GRAPHIQL;
  srv = await startServer({ url: db.url, port: 0 });
});

afterAll(async () => {
  await srv?.stop();
  await db?.close();
});

describe('GraphQL cost limits', () => {
  it('refuses a 22-level fragment bomb (each fragment spreads the next twice) fast, before planning', async () => {
    const frags = [];
    for (let i = 0; i < 22; i++) frags.push(`fragment F${i} on LiveTradeSignal { ...F${i + 1} ...F${i + 1} }`);
    frags.push('fragment F22 on LiveTradeSignal { rowId symbol }');
    const query = `{ allLiveTradeSignals(first: 1) { nodes { ...F0 } } } ${frags.join(' ')}`;
    expect(query.length).toBeLessThan(1200);
    const r = await gql(query);
    expect(r.ms).toBeLessThan(1000);
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0].extensions?.code).toBe('COST_LIMIT');
    expect(r.errors?.[0].message).toMatch(/Query cost .* exceeds the budget of \d+ nodes/);
    // the process is not blocked: a small query answers at once
    const ok = await gql('{ viewerRole }');
    expect(ok.data.viewerRole).toBe('wl_reader');
    expect(ok.ms).toBeLessThan(1000);
  });

  it('gives a connection without first/last the default page, not the whole table', async () => {
    const r = await gql('{ allLiveTradeSpreadSamples { totalCount nodes { rowId } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.allLiveTradeSpreadSamples.totalCount).toBe(3 * DEFAULT_PAGE + 1);
    expect(r.data.allLiveTradeSpreadSamples.nodes).toHaveLength(DEFAULT_PAGE);
    // a nested (relation) connection too, and `last` alone still works
    const nested = await gql(
      `query($id: BigInt!) { liveTradeSignalByRowId(rowId: $id) { liveTradeSpreadSamplesBySignalId { nodes { rowId } } } }`,
      { id: signalId },
    );
    expect(nested.data.liveTradeSignalByRowId.liveTradeSpreadSamplesBySignalId.nodes).toHaveLength(DEFAULT_PAGE);
    const last = await gql('{ allLiveTradeSpreadSamples(last: 5, orderBy: ROW_ID_ASC) { nodes { rowId } } }');
    expect(last.errors).toBeUndefined();
    expect(last.data.allLiveTradeSpreadSamples.nodes).toHaveLength(5);
    // `first: $n` with $n unset is also the default page
    const v = await gql('query($n: Int) { allLiveTradeSpreadSamples(first: $n) { nodes { rowId } } }');
    expect(v.data.allLiveTradeSpreadSamples.nodes).toHaveLength(DEFAULT_PAGE);
    // a setof function's connection (first but no last argument), with and without first
    for (const args of ['', ', first: 5', ', first: $n']) {
      const f = await gql(`query${args.includes('$n') ? '($n: Int)' : ''} { pairSpreadSeries(pSymbol: "BTC/USDT:USDT", pShortVenue: "okx", pLongVenue: "binance"${args}) { nodes { spread } } }`);
      expect(f.errors, args + JSON.stringify(f.errors)).toBeUndefined();
      expect(f.data.pairSpreadSeries.nodes).toEqual([]);
    }
    const explicit = await gql('{ allLiveTradeSpreadSamples(first: 250) { nodes { rowId } } }');
    expect(explicit.data.allLiveTradeSpreadSamples.nodes).toHaveLength(250);
  });

  it('bounds 20 aliases of a connection without first to the default page each', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => `a${i}: allLiveTradeSpreadSamples { nodes { rowId ts spread pnlEst } }`);
    const r = await gql(`{ ${parts.join('\n')} }`);
    expect(r.errors).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(r.data[`a${i}`].nodes.length).toBeLessThanOrEqual(DEFAULT_PAGE);
    expect(r.bytes).toBeLessThan(20 * DEFAULT_PAGE * 200);
  });

  it('refuses too many aliases', async () => {
    const parts = Array.from({ length: 200 }, (_, i) => `a${i}: viewerRole`);
    const r = await gql(`{ ${parts.join(' ')} }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('ALIAS_LIMIT');
    expect(r.errors?.[0].message).toMatch(/200 aliases; the limit is \d+/);
  });

  it('refuses a query over the node budget (nested pages multiply), with variables counted', async () => {
    const q = `query($n: Int) { allLiveTradeSignals(first: $n) { nodes { liveTradeSpreadSamplesBySignalId(first: $n) { nodes { rowId ts spread } } } } }`;
    const big = await gql(q, { n: 2000 });
    expect(big.status).toBe(400);
    expect(big.errors?.[0].extensions?.code).toBe('COST_LIMIT');
    expect(big.data).toBeUndefined();
    const small = await gql(q, { n: 10 });
    expect(small.errors).toBeUndefined();
    expect(small.data.allLiveTradeSignals.nodes[0].liveTradeSpreadSamplesBySignalId.nodes).toHaveLength(10);
  });

  it('still refuses first/last above the maximum page and answers introspection, but not a nested introspection bomb', async () => {
    const r = await gql('{ allLiveTradeSpreadSamples(first: 1000000) { nodes { rowId } } }');
    expect(r.errors?.[0].message).toMatch(/first\/last must be between/);
    const intro = await gql('{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }');
    expect(intro.errors).toBeUndefined();
    const bomb = await gql('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
    expect(bomb.status).toBe(400); // graphql-js's MaxIntrospectionDepthRule
    expect(bomb.errors?.[0].message).toMatch(/introspection depth/);
  });

  it('keeps the pages\' own queries inside the budget (the samples query goes in batches of 10 trades)', async () => {
    // @ts-expect-error a browser module without type declarations
    const { samplesQuery } = await import('../graphql/pages/live_queries.js');
    const ids = Array.from({ length: 30 }, (_, i) => Number(signalId) + i);
    const ten = await gql(samplesQuery(ids.slice(0, 10)));
    expect(ten.errors).toBeUndefined();
    expect(ten.data[`t${signalId}`].nodes).toHaveLength(3 * DEFAULT_PAGE + 1);
    const thirty = await gql(samplesQuery(ids));
    expect(thirty.errors?.[0].extensions?.code).toBe('COST_LIMIT');
  });

  it('replaces a response above the byte limit by an error', async () => {
    const small = await startServer({ url: db.url, port: 0, poolMax: 2, limits: { maxResponseBytes: 5_000 } });
    try {
      const res = await fetch(`${small.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ allLiveTradeSpreadSamples(first: 300) { nodes { rowId ts spread pnlEst } } }' }),
      });
      const text = await res.text();
      expect(text.length).toBeLessThan(1000);
      const body = JSON.parse(text);
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0].extensions.code).toBe('RESPONSE_LIMIT');
      expect(body.errors[0].message).toMatch(/exceeds the limit of 5000/);
    } finally {
      await small.stop();
    }
  });

  it('applies the same budget to operations over the websocket', async () => {
    const frags = Array.from({ length: 22 }, (_, i) => `fragment F${i} on LiveTradeSignal { ...F${i + 1} ...F${i + 1} }`);
    const payload = await wsQuery(undefined, `{ allLiveTradeSignals(first: 1) { nodes { ...F0 } } } ${frags.join(' ')} fragment F22 on LiveTradeSignal { rowId }`);
    const errors = Array.isArray(payload) ? payload : payload.errors;
    expect(errors?.[0].message).toMatch(/exceeds the budget/);
  });
});

describe('cost measurement (no server)', () => {
  const schema = buildSchema(`
    type Query { rows(first: Int, last: Int): RowConnection! }
    type RowConnection { nodes: [Row!]! totalCount: Int! }
    type Row { id: Int! name: String! children(first: Int, last: Int): RowConnection! }
  `);
  const cost = (q: string, variables?: Record<string, unknown>) => {
    const doc = parse(q);
    const op = doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
    return operationCost(schema, doc, op, { defaultPage: 100, maxPage: 2000, variables });
  };

  it('measures a 60-level fragment chain in linear time (its cost doubles per level)', () => {
    const frags = Array.from({ length: 60 }, (_, i) => `fragment F${i} on Row { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const t0 = performance.now();
    const c = cost(`{ rows(first: 1) { nodes { ...F0 } } } ${frags} fragment F60 on Row { id }`);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(c.nodes).toBeGreaterThanOrEqual(2 ** 60);
  });

  it('multiplies by first/last, the default page when omitted, and the variables given', () => {
    // a field counts 1, plus its selection once per row: rows { totalCount, nodes × page { … } }
    expect(cost('{ rows(first: 10) { totalCount nodes { id name } } }').nodes).toBe(1 + 1 + (1 + 10 * 2));
    expect(cost('{ rows { nodes { id } } }').nodes).toBe(1 + (1 + 100 * 1));
    expect(cost('query($n: Int) { rows(first: $n) { nodes { id children(last: 5) { nodes { id } } } } }', { n: 3 }).nodes).toBe(
      1 + (1 + 3 * (1 + (1 + (1 + 5 * 1)))),
    );
    expect(cost('query($n: Int) { rows(first: $n) { nodes { id } } }', { n: 99999 }).nodes).toBe(1 + (1 + 2000)); // capped at the max page
    expect(cost('{ a: rows(first: 1) { nodes { b: id } } }')).toMatchObject({ aliases: 2, depth: 3 });
  });

  it('refuses a malformed limit in the environment by name', () => {
    expect(() => limitsFromEnv({ WL_GQL_MAX_NODES: 'ten' })).toThrow(/WL_GQL_MAX_NODES/);
    expect(() => limitsFromEnv({ WL_GQL_DEFAULT_PAGE: '5000' })).toThrow(/WL_GQL_DEFAULT_PAGE must not exceed/);
    expect(limitsFromEnv({ WL_GQL_MAX_NODES: '500' }).maxNodes).toBe(500);
  });
});

describe('Host and Origin', () => {
  it('refuses a request naming another Host (DNS rebinding)', async () => {
    const evil = await rawGet('/live_trading', { Host: `evil.example:${srv.port}` });
    expect([403, 421]).toContain(evil.status);
    expect(evil.body).not.toMatch(/<html/i);
    const evilGql = await rawGet('/graphql?query=%7BviewerRole%7D', { Host: 'evil.example' });
    expect([403, 421]).toContain(evilGql.status);
    for (const host of [`localhost:${srv.port}`, `127.0.0.1:${srv.port}`, `[::1]:${srv.port}`]) {
      expect((await rawGet('/live_trading', { Host: host })).status).toBe(200);
    }
  });

  it('refuses a websocket from another origin (another port too) and accepts the same origin', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${srv.port + 1}`, 'null']) {
      expect(await handshakeStatus(origin), origin).toBe(403);
      await expect(wsQuery(origin, '{ viewerRole }'), origin).rejects.toThrow(/closed/);
    }
    for (const origin of [`http://127.0.0.1:${srv.port}`, `http://localhost:${srv.port}`, undefined]) {
      expect(await handshakeStatus(origin), origin).toBe(101);
      const payload = await wsQuery(origin, '{ viewerRole }');
      expect(payload.data.viewerRole).toBe('wl_reader');
    }
  });

  it('admits the hosts listed in WL_ALLOWED_HOSTS', async () => {
    const prev = process.env.WL_ALLOWED_HOSTS;
    process.env.WL_ALLOWED_HOSTS = 'trading.lan, 10.0.0.7:8080';
    const other = await startServer({ url: db.url, port: 0, poolMax: 2 });
    try {
      const get = (host: string) =>
        new Promise<number>((resolve, reject) => {
          http.request({ host: '127.0.0.1', port: other.port, path: '/live_trading', headers: { Host: host }, setHost: false }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on('error', reject).end();
        });
      expect(await get(`trading.lan:${other.port}`)).toBe(200);
      expect(await get('trading.lan')).toBe(200); // a bare name: any port (a reverse proxy's Host has none)
      expect(await get('10.0.0.7:8080')).toBe(200);
      expect(await get(`10.0.0.7:${other.port}`)).toBe(421);
      expect(await get(`evil.example:${other.port}`)).toBe(421);
      expect(await handshakeStatus(`http://trading.lan:${other.port}`, other)).toBe(101);
      expect(await handshakeStatus(`http://elsewhere.lan:${other.port}`, other)).toBe(403);
    } finally {
      if (prev === undefined) delete process.env.WL_ALLOWED_HOSTS;
      else process.env.WL_ALLOWED_HOSTS = prev;
      await other.stop();
    }
  });
});

describe('pages: CSP, and Ruru only on request', () => {
  it('serves the pages with a Content-Security-Policy that allows only this origin', async () => {
    for (const p of ['/live_trading', '/watchlist', '/watchlist/db', '/pages/common.js']) {
      const r = await fetch(srv.url + p);
      expect(r.status).toBe(200);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('has no Ruru by default, and serves it with WL_DEV_GRAPHIQL=1', async () => {
    expect((await fetch(srv.url + '/graphiql')).status).toBe(404);
    process.env.WL_DEV_GRAPHIQL = '1';
    const dev = await startServer({ url: db.url, port: 0, poolMax: 2 });
    try {
      const r = await fetch(dev.url + '/graphiql');
      expect(r.status).toBe(200);
      expect(await r.text()).toMatch(/ruru/i);
    } finally {
      delete process.env.WL_DEV_GRAPHIQL;
      await dev.stop();
    }
  });
});
