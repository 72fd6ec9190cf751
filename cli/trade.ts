// `wl trade ...`: the trader's levers from a terminal, through the same SQL
// functions (and so the same audit, job and error path) as the page.
//   wl trade open-long  --venue okx --symbol BTC/USDT:USDT --usdt 20
//   wl trade close-short --venue okx --symbol BTC/USDT:USDT
//   wl trade close --signal 42            (close a hedged trade)
//   wl trade kill-switch 1 --note "maintenance"
// A worker (`wl up` / `wl worker`) sends the order; this waits for its outcome.
import type { Command } from 'commander';
import pg from 'pg';
import { openDatabase } from '../db/connect.ts';
import { handleSignals, onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  handleSignals();
  const db = await openDatabase(log);
  onShutdown('postgres', db.stop);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`select set_config('wl.actor', $1, false)`, [`cli:${process.env.USER ?? 'unknown'}`]);
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function waitManual(c: pg.Client, id: number, seconds: number) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const { rows } = await c.query(
      `select m.status, m.notional_usdt, m.client_order_id, m.error, o.filled_qty, o.avg_price, o.fee, o.fee_currency
       from watchlist.manual_order m left join watchlist.live_trade_order o on o.id = m.order_id where m.id = $1`, [id]);
    const r = rows[0];
    if (r.status === 'filled' || r.status === 'failed' || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

export function registerTrade(program: Command) {
  const trade = program.command('trade').description('manual orders, closing a trade, the kill switch');
  for (const action of ['open-long', 'open-short', 'close-long', 'close-short']) {
    trade
      .command(action)
      .description(`${action.replace('-', ' ')} one leg at a USDT notional (20 by default; 50 when 20 is under the venue minimum)`)
      .requiredOption('--venue <name>', 'binance | okx | bybit | bitget')
      .option('--symbol <symbol>', 'unified perp symbol', 'BTC/USDT:USDT')
      .option('--usdt <n>', 'notional in USDT', '20')
      .option('--wait <seconds>', 'wait this long for a worker to send it', '30')
      .action(async (o: { venue: string; symbol: string; usdt: string; wait: string }) => {
        const r = await withClient(async (c) => {
          const { rows } = await c.query('select watchlist.manual_trade($1, $2, $3, $4::numeric) as id', [o.venue, o.symbol, action.replace('-', '_'), o.usdt]);
          const id = Number(rows[0].id);
          log(`manual order ${id} queued: ${action} ${o.symbol} on ${o.venue}, ${o.usdt} USDT`);
          return { id, ...(await waitManual(c, id, Number(o.wait))) };
        });
        if (r.status === 'filled') {
          log(`filled: ${r.filled_qty} @ ${r.avg_price} (notional ${r.notional_usdt} USDT, fee ${r.fee} ${r.fee_currency ?? ''}, client id ${r.client_order_id})`);
        } else if (r.status === 'failed') {
          log(`failed: ${r.error}`);
        } else {
          log(`still ${r.status} after ${o.wait}s: is a worker running (wl up / wl worker)?`);
        }
        await shutdown(r.status === 'failed' ? 1 : 0);
      });
  }
  trade
    .command('close')
    .description('close a hedged trade (both legs, reduce-only)')
    .requiredOption('--signal <id>', 'live_trade_signal id')
    .action(async (o: { signal: string }) => {
      const exitId = await withClient(async (c) => (await c.query(`select watchlist.request_close($1::bigint, 'manual') as x`, [o.signal])).rows[0].x);
      log(`closing trade ${o.signal} (exit ${exitId})`);
      await shutdown(0);
    });
  trade
    .command('kill-switch <level>')
    .description('0 off, 1 no new entries, 2 no new entries and close every open trade')
    .option('--note <text>', 'why (audited)')
    .action(async (level: string, o: { note?: string }) => {
      await withClient((c) => c.query('select watchlist.set_kill_switch($1::int, $2)', [level, o.note ?? null]));
      log(`kill switch set to ${level}`);
      await shutdown(0);
    });
}
