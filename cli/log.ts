// Start-up and operator messages, one line each, to stderr, through pino:
// - WL_LOG_FORMAT=pretty (the default on a terminal): pino-pretty, colours and local time
// - WL_LOG_FORMAT=json: pino's JSON lines ({"level":30,"time":…,"name":"wl","msg":…}) for a log shipper
// - WL_LOG_FORMAT=plain (the default when stderr is not a terminal): `<ISO time> wl: <message>`,
//   the format scripts and the CLI tests read
// A terminal or pipe that went away (EPIPE) must not become an uncaught exception
// whose own log line fails again: writes to a closed stream are dropped.
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';

for (const s of [process.stdout, process.stderr]) s.on('error', () => {});

export type LogFormat = 'pretty' | 'json' | 'plain';

export function logFormat(env = process.env, tty = process.stderr.isTTY === true): LogFormat {
  const f = (env.WL_LOG_FORMAT ?? '').trim().toLowerCase();
  if (f === 'pretty' || f === 'json' || f === 'plain') return f;
  return tty ? 'pretty' : 'plain';
}

/** a stream that writes to stderr while it is writable (sync: a line logged just before exit is not lost) */
const stderrSink = {
  write(line: string) {
    if (process.stderr.writable) process.stderr.write(line);
  },
};

function makeLogger(format: LogFormat): pino.Logger {
  if (format === 'json') return pino({ name: 'wl', base: { name: 'wl', pid: process.pid } }, stderrSink);
  if (format === 'pretty') {
    // formatted in this thread (no transport worker): a line logged just before exit is printed
    const fmt = prettyFactory({ colorize: process.stderr.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
    return pino({ name: 'wl', base: { name: 'wl' } }, { write: (json: string) => stderrSink.write(fmt(json)) });
  }
  return pino(
    { name: 'wl', base: null, timestamp: false },
    { write: (json: string) => stderrSink.write(`${new Date().toISOString()} wl: ${(JSON.parse(json) as { msg: string }).msg}\n`) },
  );
}

export const logger = makeLogger(logFormat());

export const log = (msg: string) => {
  if (!process.stderr.writable) return;
  logger.info(msg);
};
