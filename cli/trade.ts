// `wl trade ...`: the trader's levers from a terminal, through the same SQL
// functions (and so the same audit, job and error path) as the page.
//   wl trade open-long  --venue okx --symbol BTC/USDT:USDT --usdt 20
//   wl trade close-short --venue okx --symbol BTC/USDT:USDT
//   wl trade close --signal 42            (close a hedged trade)
//   wl trade enter --symbol ETH/USDT:USDT --short okx --long binance   (force-enter a watchlist pair)
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

const TERMINAL = ['filled', 'failed', 'expired'];

/**
 * Wait for the order's end: its time to live (trade.manual_ttl_s) plus a margin for an
 * order a worker is sending, or `--wait` seconds. An order still unsent then is ended
 * in SQL (expired), so it can never run later.
 */
async function waitManual(c: pg.Client, id: number, waitSeconds?: number) {
  const read = async () =>
    (
      await c.query(
        `select m.status, m.notional_usdt, m.client_order_id, m.error, o.filled_qty, o.avg_price, o.fee, o.fee_currency,
                extract(epoch from m.expires_at - m.created_at)::int as ttl_s,
                extract(epoch from m.expires_at - now()) * 1000 as left_ms
         from watchlist.manual_order m left join watchlist.live_trade_order o on o.id = m.order_id where m.id = $1`,
        [id],
      )
    ).rows[0];
  let r = await read();
  const until = Date.now() + (waitSeconds !== undefined ? waitSeconds * 1000 : Math.max(0, Number(r.left_ms)) + 10_000);
  while (!TERMINAL.includes(r.status) && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 250));
    r = await read();
  }
  if (r.status === 'new') {
    await c.query('select watchlist.expire_manual_orders()');
    r = await read();
  }
  return r;
}

const SETTLED = ['open', 'closing', 'closed', 'ignored', 'failed', 'partial_failed'];

/** wait for a forced entry to leave new/opening; the newest error row says why when it did not open */
async function waitEntered(c: pg.Client, id: number, waitSeconds: number) {
  const read = async () =>
    (
      await c.query(
        `select s.status, s.reason,
                (select e.message from watchlist.live_trade_error e where e.signal_id = s.id order by e.id desc limit 1) as error
         from watchlist.live_trade_signal s where s.id = $1`,
        [id],
      )
    ).rows[0];
  let r = await read();
  const until = Date.now() + waitSeconds * 1000;
  while (!SETTLED.includes(r.status) && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 250));
    r = await read();
  }
  return r as { status: string; reason: string | null; error: string | null };
}

export function registerTrade(program: Command) {
  const trade = program.command('trade').description('manual orders, force-entering a pair, closing a trade, the kill switch');
  for (const action of ['open-long', 'open-short', 'close-long', 'close-short']) {
    trade
      .command(action)
      .description(`${action.replace('-', ' ')} one leg at a USDT notional (20 by default; 50 when 20 is under the venue minimum)`)
      .requiredOption('--venue <name>', 'binance | okx | bybit | bitget')
      .option('--symbol <symbol>', 'unified perp symbol', 'BTC/USDT:USDT')
      .option('--usdt <n>', 'notional in USDT', '20')
      .option('--wait <seconds>', 'give up waiting after this long (default: the order\'s time to live, trade.manual_ttl_s, plus 10 s)')
      .action(async (o: { venue: string; symbol: string; usdt: string; wait?: string }) => {
        const r = await withClient(async (c) => {
          const { rows } = await c.query('select watchlist.manual_trade($1, $2, $3, $4::numeric) as id', [o.venue, o.symbol, action.replace('-', '_'), o.usdt]);
          const id = Number(rows[0].id);
          log(`manual order ${id} queued: ${action} ${o.symbol} on ${o.venue}, ${o.usdt} USDT`);
          return { id, ...(await waitManual(c, id, o.wait === undefined ? undefined : Number(o.wait))) };
        });
        if (r.status === 'filled') {
          log(`filled: ${r.filled_qty} @ ${r.avg_price} (notional ${r.notional_usdt} USDT, fee ${r.fee} ${r.fee_currency ?? ''}, client id ${r.client_order_id})`);
        } else if (r.status === 'failed') {
          log(`failed: ${r.error}`);
        } else if (r.status === 'expired') {
          log(`expired: ${r.error}. Is a worker running (wl up / wl worker)?`);
        } else if (r.status === 'new') {
          log(`not sent yet after ${o.wait}s (it expires ${r.ttl_s}s after it was placed unless a worker sends it): watch it with wl tail`);
        } else {
          log(`sent, outcome not known yet (${r.status}, client id ${r.client_order_id}): reconcile resolves it by client order id; watch with wl tail`);
        }
        await shutdown(r.status === 'filled' ? 0 : 1);
      });
  }
  trade
    .command('enter')
    .description("force-enter a hedged trade on a watchlist pair (freqtrade's forceenter): the prediction thresholds, cooldown and daily cap are skipped; the re-check on live books, the pre-send checks and the audit are not")
    .requiredOption('--symbol <symbol>', 'unified perp symbol with an open event, e.g. ETH/USDT:USDT')
    .requiredOption('--short <venue>', 'the venue to sell on (the watchlist\'s short leg)')
    .requiredOption('--long <venue>', 'the venue to buy on (the watchlist\'s long leg)')
    .option('--note <text>', 'why (audited)')
    .option('--wait <seconds>', 'wait this long for the worker to open it (default 60)', '60')
    .action(async (o: { symbol: string; short: string; long: string; note?: string; wait: string }) => {
      const r = await withClient(async (c) => {
        let id: number;
        try {
          id = Number((await c.query('select watchlist.force_enter($1, $2, $3, $4) as id', [o.symbol, o.short, o.long, o.note ?? null])).rows[0].id);
        } catch (e) {
          return { refused: (e as Error).message };
        }
        log(`T#${id} ${o.symbol} short ${o.short} / long ${o.long}: queued (open_trade re-checks it on live books)`);
        return { id, ...(await waitEntered(c, id, Number(o.wait))) };
      });
      if (r.refused !== undefined) {
        log(r.refused);
        return void (await shutdown(1));
      }
      const why = r.reason ? ` (${r.reason}${r.error ? `: ${r.error}` : ''})` : '';
      log(`T#${r.id} ${o.symbol} short ${o.short} / long ${o.long}: ${r.status}${why}`);
      await shutdown(r.status === 'open' ? 0 : 1);
    });
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
