// `wl up`'s children: the worker and the API server run as separate processes, so a
// flood of API requests or a crash in one never stops the other. A child that exits
// on its own is restarted with back-off (1 s doubling to 30 s; reset after a minute
// of running) and the exit is logged. Stopping sends SIGTERM and waits; a child that
// does not go in time is killed.
//
// The protocol over the IPC channel is two messages from the child: {type:'ready'}
// once it serves, and {type:'worker_pool', id} from the worker, so a restarted
// worker can unlock the jobs its dead predecessor held (graphile-worker would
// otherwise leave them locked for four hours).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../db/config.ts';
import { log } from './log.ts';
import { isStopping } from './lifecycle.ts';

export interface ChildSpec {
  name: string;
  /** wl arguments, e.g. ['worker'] */
  args: string[];
  /** extra environment (the connection string is passed here, never on the command line) */
  env: Record<string, string>;
}

const MIN_BACKOFF = 1000;
const MAX_BACKOFF = 30_000;
const STABLE_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const CLEAN_EXIT_GRACE_MS = 500;

export interface Supervised {
  /** resolves when the first start is ready; rejects if it exits before */
  ready: Promise<void>;
  /** how many times the child was restarted */
  restarts(): number;
  pid(): number | undefined;
  stop(): Promise<void>;
}

export function supervise(spec: ChildSpec): Supervised {
  let child: ChildProcess | null = null;
  let stopping = false;
  let backoff = MIN_BACKOFF;
  let restarts = 0;
  let timer: NodeJS.Timeout | null = null;
  let everReady = false;
  const deadPools: string[] = [];
  let currentPools: string[] = [];
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {}); // the caller awaits it; a late rejection is not unhandled

  const start = () => {
    timer = null;
    const startedAt = Date.now();
    currentPools = [];
    const c = spawn(process.execPath, [path.join(repoRoot, 'cli', 'wl.js'), ...spec.args], {
      cwd: process.cwd(),
      env: { ...process.env, ...spec.env, WL_SUPERVISED: '1', WL_UNLOCK_WORKER_POOLS: deadPools.join(',') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = c;
    c.on('message', (m: { type?: string; id?: string }) => {
      if (m?.type === 'ready') {
        deadPools.length = 0; // the new worker unlocked them
        if (!everReady) {
          everReady = true;
          resolveReady();
        }
      } else if (m?.type === 'worker_pool' && typeof m.id === 'string') currentPools.push(m.id);
    });
    c.on('error', (e) => log(`${spec.name}: ${e.message}`));
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopping || isStopping()) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!everReady) {
        rejectReady(new Error(`${spec.name} exited (${how}) before it was ready`));
        return;
      }
      if (Date.now() - startedAt > STABLE_MS) backoff = MIN_BACKOFF;
      restarts++;
      log(`${spec.name} exited (${how}); restarting in ${(backoff / 1000).toFixed(0)} s (restart ${restarts})`);
      timer = setTimeout(start, backoff);
      backoff = Math.min(MAX_BACKOFF, backoff * 2);
    };
    c.on('exit', (code, signal) => {
      child = null;
      deadPools.push(...currentPools);
      // Ctrl-C reaches the whole group: a child that stopped cleanly may be a moment ahead
      // of this process's own signal handler; look again before calling it a crash
      if (everReady && (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM')) {
        setTimeout(() => exited(code, signal), CLEAN_EXIT_GRACE_MS);
      } else exited(code, signal);
    });
  };
  start();

  return {
    ready,
    restarts: () => restarts,
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => {
        log(`${spec.name} did not stop in ${STOP_GRACE_MS / 1000} s: killing it`);
        c.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await gone;
      clearTimeout(t);
    },
  };
}

/** in a supervised child: tell the parent something (no-op when run alone) */
export function tellSupervisor(msg: { type: string; [k: string]: unknown }) {
  if (process.send && process.connected) process.send(msg);
}

/** in a supervised child: a parent that went away (SIGKILL) takes its children with it */
export function followSupervisor(stop: () => void) {
  if (process.env.WL_SUPERVISED === '1' && process.send) process.once('disconnect', stop);
}
