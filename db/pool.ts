// Pools and clients that survive the database going away. pg raises a dropped
// connection as an 'error' event on the pool (idle client) or on the client (checked
// out, between queries); with no listener Node turns that into an uncaught
// exception and the process dies. Every pool and client made here has both
// listeners; a query in flight still fails, and its caller decides.
import pg from 'pg';

const warn = (msg: string) => process.stderr.write(`${new Date().toISOString()} wl: ${msg}\n`);

// While the process stops (Ctrl-C reaches postgres too, which ends every connection
// with 57P01), a lost connection is expected: counted, not printed line by line.
// A signal can reach postgres before this process runs its handler, so a loss is
// printed only if no stop begins within LOSS_GRACE_MS (with the time it happened).
let stopping = false;
let hushed = 0;
const LOSS_GRACE_MS = 2000;
/** from now on connection losses are expected (shutdown): count them instead of printing each */
export function expectConnectionLoss(): void {
  stopping = true;
}
/** connection-loss messages dropped since expectConnectionLoss() */
export const hushedConnectionLosses = () => hushed;
/**
 * true when `e` is a connection loss: the caller prints nothing, and `print` runs after
 * LOSS_GRACE_MS unless a stop began meanwhile (then it is only counted)
 */
export function hushLoss(e: unknown, print?: () => void): boolean {
  if (!isConnectionLoss(e)) return false;
  if (stopping) {
    hushed++;
    return true;
  }
  if (!print) return false;
  setTimeout(() => (stopping ? hushed++ : print()), LOSS_GRACE_MS).unref();
  return true;
}
const warnLoss = (msg: string, e: unknown) => {
  const at = new Date().toISOString();
  if (!hushLoss(e, () => process.stderr.write(`${at} wl: ${msg}\n`))) warn(msg);
};

/** a pool whose idle and checked-out clients log connection errors instead of crashing the process */
export function makePool(name: string, config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  guardPool(name, pool);
  return pool;
}

/** add the error listeners to a pool made elsewhere */
export function guardPool(name: string, pool: pg.Pool): pg.Pool {
  pool.on('error', (e) => warnLoss(`${name} pool: idle connection lost: ${e.message}`, e));
  pool.on('connect', (c) => c.on('error', (e) => warnLoss(`${name} pool: connection lost: ${e.message}`, e)));
  return pool;
}

/** a single client with an error listener */
export function makeClient(name: string, config: pg.ClientConfig): pg.Client {
  const c = new pg.Client(config);
  c.on('error', (e) => warnLoss(`${name}: connection lost: ${e.message}`, e));
  return c;
}

// SQLSTATE classes and node errors that mean "the connection went, the server may be fine"
const LOSS_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const LOSS_TEXT = /Connection terminated|terminating connection|Client has encountered a connection error|Connection ended|server closed the connection|the database system is (starting up|shutting down)|ECONNRESET|ECONNREFUSED|timeout exceeded when trying to connect/i;

/** true when an error means a lost or refused connection (worth retrying), not a failed statement */
export function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (!err) return false;
  if (typeof err.code === 'string' && LOSS_CODES.has(err.code)) return true;
  return typeof err.message === 'string' && LOSS_TEXT.test(err.message);
}

/** run fn, retrying connection loss with back-off (attempts in total); other errors are thrown at once */
export async function retryOnConnectionLoss<T>(what: string, fn: () => Promise<T>, attempts = 8, firstDelayMs = 250): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isConnectionLoss(e)) throw e;
      const delay = Math.min(10_000, firstDelayMs * 2 ** (i - 1));
      warn(`${what}: ${(e as Error).message}; retrying in ${delay} ms (${i}/${attempts - 1})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
