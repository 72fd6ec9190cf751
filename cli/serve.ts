// `wl serve`: the GraphQL API and pages alone (`wl up` starts them with everything else).
import type { Command } from 'commander';
import { config } from '../db/config.ts';
import { startServer as startHttp, type RunningServer } from '../graphql/server.ts';
import { graphiqlFromEnv } from '../graphql/preset.ts';
import { openAs } from './db.ts';
import { onShutdown, shutdown } from './lifecycle.ts';
import { followSupervisor, tellSupervisor } from './supervise.ts';
import { log } from './log.ts';

/** Start GraphQL + pages on `port` (PORT, default 5678), stopped on shutdown; logs the URLs. */
export async function startServer(opts: { url: string; port?: number; host?: string }): Promise<RunningServer> {
  const srv = await startHttp({ url: opts.url, port: opts.port ?? config.httpPort, host: opts.host ?? process.env.HOST ?? '127.0.0.1' });
  onShutdown('http', srv.stop);
  const trader = process.env.WL_TRADER_TOKEN ? 'trader token set (WL_TRADER_TOKEN)' : 'no WL_TRADER_TOKEN: read-only';
  log(`GraphQL ${srv.url}/graphql (${trader})${graphiqlFromEnv() ? `, Ruru ${srv.url}/graphiql (WL_DEV_GRAPHIQL=1)` : ''}`);
  log(`pages ${srv.url}/live_trading ${srv.url}/trades ${srv.url}/watchlist ${srv.url}/settings ${srv.url}/watchlist/db ${srv.url}/research`);
  if (['0.0.0.0', '::'].includes(opts.host ?? process.env.HOST ?? '') && !process.env.WL_ALLOWED_HOSTS) {
    log('HOST binds every address, but only loopback names are answered: list the names you browse by in WL_ALLOWED_HOSTS');
  }
  return srv;
}

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('GraphQL API (/graphql, websockets) and the pages (/live_trading, /trades, /trade, /watchlist, /settings, /watchlist/db, /research) on PORT')
    .option('-p, --port <port>', 'HTTP port (default PORT or 5678)')
    .action(async (o: { port?: string }) => {
      const { url } = await openAs('graphql');
      await startServer({ url, port: o.port ? Number(o.port) : undefined });
      followSupervisor(() => void shutdown(0));
      tellSupervisor({ type: 'ready' });
    });
}
