// graphile-worker's log lines, in its own format, except the connection losses of a stop
// (Ctrl-C reaches postgres too: every cron, fetch and LISTEN loop would report its 57P01).
import { Logger } from 'graphile-worker';
import { hushLoss } from '../db/pool.ts';

type Scope = { label?: string; workerId?: string; taskIdentifier?: string; jobId?: string };

export const workerLogger = new Logger((scope: Scope) => (level, message, meta) => {
  if (level === 'debug' && !process.env.GRAPHILE_LOGGER_DEBUG) return;
  const who = scope.workerId ? `(${scope.workerId}${scope.taskIdentifier ? `: ${scope.taskIdentifier}` : ''}${scope.jobId ? `{${scope.jobId}}` : ''})` : '';
  const line = `[${scope.label || 'core'}${who}] ${level.toUpperCase()}: ${message}`;
  const print = () => (level === 'error' ? console.error(line) : level === 'warning' ? console.warn(line) : console.log(line));
  if ((level === 'error' || level === 'warning') && hushLoss((meta as { error?: unknown } | undefined)?.error ?? { message }, print)) return;
  print();
});
