// The GraphQL API over real HTTP and websockets, against a server started here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { MAX_DEPTH } from '../graphql/limits.ts';

const TOKEN = `t-${Math.random().toString(36).slice(2)}-trader`;
let db: TestDb;
let srv: RunningServer;
let signalId: string;

type GqlResult = { status: number; data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };

async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult> {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...(await res.json()) };
}

beforeAll(async () => {
  db = await freshDb();
  const { rows } = await db.query(
    `insert into watchlist.live_trade_signal (symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
       status, notional_usdt, entry_spread, opened_at)
     values ('ETH/USDT:USDT', 240, 0.02, 0.96, 'okx', 'binance', 'open', 50, 0.025, now() - interval '2 hours')
     returning id`,
  );
  signalId = rows[0].id;
  await db.query(
    `insert into watchlist.live_trade_spread_sample (signal_id, ts, spread, pnl_est)
     select $1, now() - (g || ' minutes')::interval, 0.025 - 0.0001 * (120 - g), 0.0001 * (120 - g) - 0.002
     from generate_series(0, 120) g`,
    [signalId],
  );
  srv = await startServer({ url: db.url, port: 0, traderToken: TOKEN, graphiql: false });
});

afterAll(async () => {
  await srv?.stop();
  await db?.close();
});

describe('GraphQL over HTTP', () => {
  it('answers an anonymous query as wl_reader, with computed columns of a trade', async () => {
    const r = await gql(
      `query($id: BigInt!) {
        viewerRole
        liveTradeSignalByRowId(rowId: $id) {
          symbol status currentSpread currentPnlEst heldSeconds takeProfitPnl takeProfitSpread
          latestSample { spread }
        }
      }`,
      { id: signalId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.viewerRole).toBe('wl_reader');
    const t = r.data.liveTradeSignalByRowId;
    expect(t.symbol).toBe('ETH/USDT:USDT');
    // newest sample is g = 0: spread 0.025 - 0.012, pnl 0.012 - 0.002
    expect(t.currentSpread).toBeCloseTo(0.013, 9);
    expect(t.latestSample.spread).toBeCloseTo(0.013, 9);
    expect(t.currentPnlEst).toBeCloseTo(0.01, 9);
    expect(t.heldSeconds).toBeGreaterThanOrEqual(7200);
    expect(t.heldSeconds).toBeLessThan(7200 + 120);
    expect(t.takeProfitPnl).toBeCloseTo(0.8 * 0.02, 9);
    // the exact exit threshold (issue 12 item 9): the spread at which the newest sample's
    // pnl_est would reach take-profit, with that sample's fees and funding: 0.013 + 0.01 − 0.016
    expect(t.takeProfitSpread).toBeCloseTo(0.013 + 0.01 - 0.016, 9);
  });

  it('gives an open event its current feature summaries as a computed column', async () => {
    await db.query(`select watchlist.ensure_partitions('watch_signal_raw', now() - interval '1 day', now())`);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
    for (const [m, sp] of [[0, 0.02], [1, 0.03], [2, 0.01]]) {
      await db.query(`insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange, spread_rel, meta)
        values ($1, 'multi', 'FEAT/USDT:USDT', 'B', true, 'okx', 'bybit', $2, '{}')`, [new Date(t0 + m * 60_000).toISOString(), sp]);
    }
    const r = await gql(`{ allWatchSignalEvents(condition: {symbol: "FEAT/USDT:USDT"}) { nodes { status features } } }`);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const [e] = r.data.allWatchSignalEvents.nodes;
    expect(e.status).toBe('open');
    expect(e.features.spread_rel).toMatchObject({ first: 0.03, last: 0.01, min: 0.01, max: 0.03, n: 2 });
  });

  it('filters (indexed columns and computed columns) and orders connections', async () => {
    const cut = (await db.query(`select ts from watchlist.live_trade_spread_sample order by ts desc offset 9 limit 1`)).rows[0].ts as Date;
    const r = await gql(
      `query($id: BigInt!, $cut: Datetime!) {
        allLiveTradeSpreadSamples(filter: { signalId: { equalTo: $id }, ts: { greaterThanOrEqualTo: $cut } }, orderBy: TS_ASC, first: 100) {
          totalCount nodes { ts pnlEst }
        }
        open: allLiveTradeSignals(filter: { currentPnlEst: { greaterThan: 0.005 }, status: { in: ["opening", "open", "closing"] } }) { totalCount }
        none: allLiveTradeSignals(filter: { currentPnlEst: { greaterThan: 0.5 } }) { totalCount }
      }`,
      { id: signalId, cut: cut.toISOString() },
    );
    expect(r.errors).toBeUndefined();
    const c = r.data.allLiveTradeSpreadSamples;
    expect(c.totalCount).toBe(10);
    const ts = c.nodes.map((n: { ts: string }) => Date.parse(n.ts));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(c.nodes.at(-1).pnlEst).toBeCloseTo(0.01, 9);
    expect(r.data.open.totalCount).toBe(1);
    expect(r.data.none.totalCount).toBe(0);
  });

  it('serves a pair\'s minute spread as log(short / long) from the scanner\'s pair_minute series', async () => {
    for (const h of [0, 1]) await db.query(`select watchlist.ensure_pair_minute_hour(now() - make_interval(hours => $1))`, [h]);
    const { rows } = await db.query(
      `insert into watchlist.scan_pair (symbol, venue_a, venue_b, first_ts) values ('BTC/USDT:USDT', 'binance', 'okx', now()) returning id`,
    );
    await db.query(
      `insert into watchlist.pair_minute (pair_id, ts, s)
       select $1, date_trunc('minute', now()) - (k || ' minutes')::interval, 0.001 * k from generate_series(1, 3) k`,
      [rows[0].id],
    );
    const q = `query($short: String!, $long: String!) {
      pairSpreadSeries(pSymbol: "BTC/USDT:USDT", pShortVenue: $short, pLongVenue: $long) { nodes { spread } }
    }`;
    const asA = await gql(q, { short: 'binance', long: 'okx' }); // s = ln(mid_binance / mid_okx)
    const asB = await gql(q, { short: 'okx', long: 'binance' });
    expect(asA.data.pairSpreadSeries.nodes.map((n: { spread: number }) => n.spread)).toEqual([0.003, 0.002, 0.001]);
    expect(asB.data.pairSpreadSeries.nodes.map((n: { spread: number }) => n.spread)).toEqual([-0.003, -0.002, -0.001]);
  });

  it('refuses a mutation from an anonymous request (PostgreSQL denies it), and writes nothing', async () => {
    const before = await db.query('select count(*)::int n from watchlist.strategy_config_audit');
    const r = await gql(`mutation { setConfig(input: { pKey: "kill_switch", pValue: "1", pNote: "anon" }) { clientMutationId } }`);
    expect(r.data?.setConfig ?? null).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('42501');
    expect(r.errors?.[0].message).toMatch(/permission denied/);
    const after = await db.query('select count(*)::int n from watchlist.strategy_config_audit');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('treats a wrong token as anonymous', async () => {
    const r = await gql('{ viewerRole }', {}, TOKEN + 'x');
    expect(r.data.viewerRole).toBe('wl_reader');
    const ok = await gql('{ viewerRole }', {}, TOKEN);
    expect(ok.data.viewerRole).toBe('wl_trader');
  });

  it('lets the trader change config, audited with the GraphQL actor', async () => {
    const r = await gql(
      `mutation { setConfig(input: { pKey: "trade.max_active", pValue: 7, pNote: "from test" }) { result { key value } } }`,
      {},
      TOKEN,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.setConfig.result).toEqual({ key: 'trade.max_active', value: 7 });
    const { rows } = await db.query(`select changed_by, note from watchlist.strategy_config_audit where key = 'trade.max_active' order by id desc limit 1`);
    expect(rows[0]).toEqual({ changed_by: 'graphql:trader', note: 'from test' });
  });

  it('refuses an over-deep query before running it', async () => {
    // each level: allLiveTradeSignals > nodes > liveTradeOrdersBySignalId > nodes > liveTradeSignalBySignalId > …
    let sel = 'rowId';
    for (let i = 0; i < 6; i++) sel = `liveTradeOrdersBySignalId { nodes { liveTradeSignalBySignalId { ${sel} } } }`;
    const r = await gql(`{ allLiveTradeSignals { nodes { ${sel} } } }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].message).toMatch(new RegExp(`exceeds the limit of ${MAX_DEPTH}`));
    expect(r.data).toBeUndefined();
  });

  it('caps first/last', async () => {
    const r = await gql('{ allLiveTradeSpreadSamples(first: 1000000) { nodes { rowId } } }');
    expect(r.errors?.[0].message).toMatch(/first\/last must be between/);
    expect(r.data.allLiveTradeSpreadSamples).toBeNull();
  });

  it('keeps the trader token out of the schema', async () => {
    const r = await gql('{ __schema { types { name description fields { name description } } } }');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });
});

describe('pages and static files beside /graphql', () => {
  it('serves the pages and the two browser libraries, and nothing outside them', async () => {
    for (const p of ['/live_trading', '/watchlist', '/watchlist/db']) {
      const r = await fetch(srv.url + p);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
    }
    for (const p of ['/vendor/lightweight-charts.mjs', '/vendor/graphql-ws/client.js', '/pages/common.js', '/pages/common.css']) {
      expect((await fetch(srv.url + p)).status).toBe(200);
    }
    for (const p of ['/pages/..%2F..%2Fpackage.json', '/vendor/graphql-ws/..%2Fpackage.json', '/pages/auth.ts', '/graphiql']) {
      expect((await fetch(srv.url + p)).status).toBe(404); // graphiql: off in this server
    }
  });
});

describe('the live trading page', () => {
  it("its main query answers the attach mode the page shows (ingest.attach)", async () => {
    // @ts-expect-error a browser module without type declarations
    const { MAIN_QUERY } = await import('../graphql/pages/live_queries.js');
    const off = await gql(MAIN_QUERY);
    expect(off.errors).toBeUndefined();
    expect(off.data.attach.value).toBe(false);
    await db.query(`select watchlist.set_config('ingest.attach', 'true', 'test')`);
    expect((await gql(MAIN_QUERY)).data.attach.value).toBe(true);
    await db.query(`select watchlist.set_config('ingest.attach', 'false', 'test')`);
  });
});

describe('trader functions as mutations', () => {
  it('manualTrade: refused anonymously; as the trader it enqueues a manual_order job and writes an audit row', async () => {
    const m = `mutation($v: String!) { manualTrade(input: { pVenue: $v, pSymbol: "BTC/USDT:USDT", pAction: "open_long", pNotionalUsdt: "20" }) { result } }`;
    const anon = await gql(m, { v: 'okx' });
    expect(anon.errors?.[0].extensions?.code).toBe('42501');
    expect((await db.query(`select count(*)::int n from watchlist.manual_order`)).rows[0].n).toBe(0);

    const r = await gql(m, { v: 'okx' }, TOKEN);
    expect(r.errors).toBeUndefined();
    const id = r.data.manualTrade.result;
    expect(id).toMatch(/^\d+$/);
    const order = await db.query(`select venue, symbol, action, notional_usdt::text, status from watchlist.manual_order where id = $1`, [id]);
    expect(order.rows[0]).toEqual({ venue: 'okx', symbol: 'BTC/USDT:USDT', action: 'open_long', notional_usdt: '20', status: 'new' });
    const jobs = await db.query(
      `select j.key, pj.payload from graphile_worker.jobs j join graphile_worker._private_jobs pj using (id)
       where j.task_identifier = 'manual_order'`,
    );
    expect(jobs.rows).toHaveLength(1);
    expect(String(jobs.rows[0].payload.manual_order_id)).toBe(String(id));
    const audit = await db.query(`select actor, action, args from watchlist.trader_action order by id desc limit 1`);
    expect(audit.rows[0].actor).toBe('graphql:trader');
    expect(audit.rows[0].action).toMatch(/manual/);
  });

  it('requestClose and setKillSwitch run for the trader only', async () => {
    const anon = await gql(`mutation { setKillSwitch(input: { pLevel: 1, pNote: "anon" }) { result } }`);
    expect(anon.errors?.[0].extensions?.code).toBe('42501');
    const ks = await gql(`mutation { setKillSwitch(input: { pLevel: 1, pNote: "test" }) { result } }`, {}, TOKEN);
    expect(ks.errors).toBeUndefined();
    expect((await db.query(`select value from watchlist.strategy_config where key = 'kill_switch'`)).rows[0].value).toBe(1);
    await gql(`mutation { setKillSwitch(input: { pLevel: 0 }) { result } }`, {}, TOKEN);

    const rc = await gql(`mutation($id: BigInt!) { requestClose(input: { pSignalId: $id, pReason: "manual" }) { result } }`, { id: signalId }, TOKEN);
    expect(rc.errors).toBeUndefined();
    const exit = await db.query(`select signal_id::text, reason from watchlist.live_trade_exit where id = $1`, [rc.data.requestClose.result]);
    expect(exit.rows[0]).toEqual({ signal_id: String(signalId), reason: 'manual' });
    const audit = await db.query(`select action from watchlist.trader_action where actor = 'graphql:trader' order by id`);
    expect(audit.rows.map((a) => a.action).join(' ')).toMatch(/close/);
  });
});

describe('subscriptions', () => {
  it('delivers a NOTIFY on live_trade to a websocket subscriber within a second', async () => {
    const client = createClient({ url: srv.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0 });
    const sentAt = new Map<number, number>();
    try {
      const got = new Promise<{ latency: number; event: any }>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription { liveTrade { type signalId status payload liveTradeSignal { symbol } } }' },
          {
            next: (msg) => {
              const e = (msg.data as any)?.liveTrade;
              if (e?.payload?.seq != null) resolve({ latency: Date.now() - sentAt.get(e.payload.seq)!, event: e });
              else if (msg.errors) reject(new Error(JSON.stringify(msg.errors)));
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      // the server LISTENs asynchronously after the subscribe message: notify until one arrives
      let seq = 0;
      const timer = setInterval(() => {
        const s = seq++;
        sentAt.set(s, Date.now());
        void db.query(`select pg_notify('live_trade', json_build_object('type', 'signal_status', 'signal_id', $1::bigint, 'status', 'open', 'seq', $2::int)::text)`, [signalId, s]);
      }, 100);
      const { latency, event } = await Promise.race([
        got,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event within 5s')), 5000)),
      ]).finally(() => clearInterval(timer));
      expect(latency).toBeLessThan(1000);
      expect(event.type).toBe('signal_status');
      expect(event.signalId).toBe(String(signalId));
      expect(event.status).toBe('open');
      expect(event.liveTradeSignal).toEqual({ symbol: 'ETH/USDT:USDT' });
    } finally {
      await client.dispose();
    }
  });

  it('runs subscriptions with the role of the websocket credential', async () => {
    // a mutation over the websocket with the trader token in connectionParams
    const client = createClient({
      url: srv.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${TOKEN}` },
    });
    try {
      const role = await new Promise<string>((resolve, reject) => {
        client.subscribe({ query: '{ viewerRole }' }, { next: (m) => resolve((m.data as any).viewerRole), error: reject, complete: () => {} });
      });
      expect(role).toBe('wl_trader');
    } finally {
      await client.dispose();
    }
  });
});
