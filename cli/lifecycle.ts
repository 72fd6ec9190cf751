// Ordered shutdown on SIGINT/SIGTERM: things started last stop first, so the
// worker and server let go of connections before PostgreSQL stops.
import { log } from './log.ts';
import { expectConnectionLoss, hushedConnectionLosses, hushLoss } from '../db/pool.ts';

/**
 * A stop that resolves to a string says what it did instead of "stopped <name>" (empty:
 * nothing to say), e.g. a database another process owns is left running, not "stopped".
 */
const stack: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let stopping = false;

export function onShutdown(name: string, stop: () => Promise<unknown>) {
  stack.push({ name, stop });
}

export const isStopping = () => stopping;

export async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  // connections cut while things stop (Ctrl-C also reaches postgres) are expected
  // now: log them rather than let one turn a clean stop into exit code 1
  expectConnectionLoss();
  const late = (e: unknown) => void (hushLoss(e) || log(`during shutdown: ${(e as Error)?.message ?? String(e)}`));
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  while (stack.length) {
    const { name, stop } = stack.pop()!;
    try {
      const said = await stop();
      if (typeof said !== 'string') log(`stopped ${name}`);
      else if (said) log(said);
    } catch (e) {
      log(`stopping ${name} failed: ${(e as Error).message}`);
    }
  }
  const n = hushedConnectionLosses();
  if (n > 0) log(`${n} connection(s) closed by the stopping database (expected, not shown)`);
  process.exit(code);
}

export function handleSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      // Ctrl-C reaches every process of the group and the supervisor then asks its
      // children again: say it once
      if (!stopping) log(`${sig}: shutting down`);
      void shutdown(0);
    });
  }
}
