// The HTTP server: GraphQL (POST /graphql, websockets on the same path, Ruru at
// /graphiql in development) and the pages beside it. Pages are plain files; the
// two browser libraries they use are served from node_modules, so there is no
// build step.
import './env.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { postgraphile } from 'postgraphile';
import { grafserv } from 'postgraphile/grafserv/node';
import { makePreset, type PresetOptions } from './preset.ts';
import { hostPolicy, makeGuard, type HostPolicy } from './host-check.ts';
import { PAGE_HEADERS } from './csp.ts';
import { makeGraphqlPools, requestViewer } from './pools.ts';
import { makeAdmission } from './admission.ts';
import { makeAuthenticator } from './auth.ts';
import { isMetricsRequest, makeMetrics } from './metrics.ts';
import { DEMO_SETTINGS, demoNoteFigures } from '../workers/sim/demo.ts';

const require = createRequire(import.meta.url);
const pagesDir = path.join(import.meta.dirname, 'pages');
const lightweightCharts = path.join(path.dirname(require.resolve('lightweight-charts/package.json')), 'dist');
const graphqlWsDist = path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'dist');

const PAGES: Record<string, string> = {
  '/live_trading': 'live_trading.html',
  '/watchlist': 'watchlist.html',
  '/watchlist/db': 'watchlist_db.html',
  '/research': 'research.html',
  '/trades': 'trades.html',
  '/trade': 'trade.html',
  '/settings': 'settings.html',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** the file a static path maps to, or null; names are checked so no path escapes its folder */
function staticFile(urlPath: string): string | null {
  if (PAGES[urlPath]) return path.join(pagesDir, PAGES[urlPath]);
  let m = /^\/pages\/([a-z0-9_]+\.(?:js|css))$/.exec(urlPath);
  if (m) return path.join(pagesDir, m[1]);
  if (urlPath === '/vendor/lightweight-charts.mjs') return path.join(lightweightCharts, 'lightweight-charts.standalone.production.mjs');
  m = /^\/vendor\/graphql-ws\/([A-Za-z0-9_-]+\.js)$/.exec(urlPath);
  if (m) return path.join(graphqlWsDist, m[1]);
  return null;
}

async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const urlPath = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
  if (urlPath === '/') {
    res.writeHead(302, { Location: '/live_trading' }).end();
    return true;
  }
  if (urlPath === '/demo.json') {
    // `wl up --demo` runs its children with WL_SIM_DEMO=1: the pages explain what a demo shows
    // (with the settings the demo stored at start, workers/sim/demo.ts, which the note quotes)
    const demo = process.env.WL_SIM_DEMO === '1';
    const body = JSON.stringify(demo ? { demo, settings: DEMO_SETTINGS, ...demoNoteFigures() } : { demo });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', ...PAGE_HEADERS }).end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  const file = staticFile(urlPath);
  if (!file) return false;
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': file.includes('node_modules') ? 'public, max-age=3600' : 'no-cache',
      ...PAGE_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
  return true;
}

export interface RunningServer {
  port: number;
  /** http://host:port */
  url: string;
  stop(): Promise<void>;
}

export async function startServer(opts: PresetOptions & { port?: number; host?: string }): Promise<RunningServer> {
  // anonymous and trader requests on separate pools, anonymous ones limited per client
  const pools = opts.pool ? null : makeGraphqlPools(opts.url);
  const preset = makePreset(pools ? { ...opts, pool: pools.router, pgSubscriber: pools.subscriber } : opts);
  const viewerOf = makeAuthenticator(opts.traderToken ?? process.env.WL_TRADER_TOKEN);
  const admission = makeAdmission();
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const graphqlHandler = serv.createHandler();
  let policy: HostPolicy | null = null; // Host/Origin allow-list, known once listening (the OS may choose the port)
  const guard = makeGuard(() => policy);
  const metrics = makeMetrics(pools ? pools.anonymous : opts.pool!); // reads as wl_reader, like anonymous GraphQL
  const server = http.createServer((req, res) => {
    if (guard.http(req, res)) return;
    serveStatic(req, res).then(
      (done) => {
        if (done) return;
        const viewer = viewerOf(req.headers.authorization);
        if (viewer === 'anonymous' && !admission.admit(req, res)) return;
        if (isMetricsRequest(req)) return void metrics.handle(req, res).catch((e) => res.writeHead(500).end(String(e.message)));
        requestViewer.run(viewer, () => graphqlHandler(req, res));
      },
      (e) => {
        res.writeHead(500).end(String((e as Error).message));
      },
    );
  });
  // upgraded sockets leave the http server's bookkeeping: track them to close on stop
  const sockets = new Set<import('node:stream').Duplex>();
  const upgrade = await serv.getUpgradeHandler();
  if (upgrade) {
    server.on('upgrade', (req, socket, head) => {
      if (guard.upgrade(req, socket)) return;
      if (!serv.shouldHandleUpgrade(req, socket, head)) return void socket.destroy();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      upgrade(req, socket, head);
    });
  }
  await pgl.getSchema(); // fail at start-up, not on the first request
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 5678, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  policy = hostPolicy(port, host);
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pgl.release(); // releases the grafserv instance too, but not the pg services
      for (const svc of preset.pgServices ?? []) await svc.release?.();
      await pools?.end();
    },
  };
}
