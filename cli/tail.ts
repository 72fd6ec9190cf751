// `wl tail`: print every NOTIFY on the product's channels as it arrives.
// pg-listen reconnects on its own and re-LISTENs after a reconnect.
import type { Command } from 'commander';
import pgListen from 'pg-listen';
import { openDatabase } from '../db/connect.ts';
import { handleSignals, onShutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { formatNotice } from './tail-format.ts';

// pg-listen is CommonJS with `exports.default`: Node hands the function itself to a
// default import, while its typings describe the module object
const createSubscriber = pgListen as unknown as typeof pgListen.default;

export const CHANNELS = ['watchlist_signal', 'live_trade', 'live_trade_error'] as const;

export function registerTail(program: Command) {
  program
    .command('tail')
    .description(`print NOTIFY messages on ${CHANNELS.join(', ')}, one readable line each`)
    .option('--json', 'print each payload as sent (timestamp, channel, raw JSON)')
    .action(async (o: { json?: boolean }) => {
      handleSignals();
      const db = await openDatabase(log);
      onShutdown('postgres', db.stop);
      const sub = createSubscriber({ connectionString: db.url }, {
        retryLimit: Infinity,
        retryInterval: 500,
        retryTimeout: Infinity,
        parse: (s: string) => s,
      });
      sub.events.on('error', (e: Error) => log(`listener error: ${e.message}`));
      sub.events.on('reconnect', (attempt: number) => log(`reconnecting (attempt ${attempt})`));
      for (const ch of CHANNELS) {
        sub.notifications.on(ch, (payload: string) => {
          process.stdout.write(o.json ? `${new Date().toISOString()} ${ch} ${payload}\n` : `${formatNotice(ch, payload)}\n`);
        });
      }
      await sub.connect();
      for (const ch of CHANNELS) await sub.listenTo(ch);
      onShutdown('listener', () => sub.close());
      log(`listening on ${CHANNELS.join(', ')}`);
    });
}
