// Child processes for CLI tests: run `wl` on Node 24 and watch its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
export { freePort } from '../../db/free-port.ts';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const nodeBin = process.execPath; // vitest runs on the project's Node 24

/** `group`: its own process group, so `process.kill(-pid, 'SIGINT')` is a terminal's Ctrl-C (every process of it) */
export function spawnWl(args: string[], env: Record<string, string | undefined>, opts: { group?: boolean } = {}) {
  const child = spawn(nodeBin, [path.join(repoRoot, 'cli', 'wl.js'), ...args], {
    cwd: repoRoot,
    detached: opts.group ?? false,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    waitFor: (re: RegExp, ms = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          const m = out.match(re);
          if (m) return resolve(m[0]);
          if (child.exitCode !== null) return reject(new Error(`exited ${child.exitCode} before ${re}:\n${out}`));
          if (Date.now() - t0 > ms) return reject(new Error(`timeout waiting for ${re}:\n${out}`));
          setTimeout(tick, 100);
        };
        tick();
      }),
    exited: () => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (c) => resolve(c)))),
  };
}

/** pids of postgres processes serving a data directory */
export function postgresPidsFor(dataDir: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('postgres') && cmd.includes(dataDir)) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

export function onExit(child: ChildProcess) {
  return new Promise<void>((r) => (child.exitCode !== null ? r() : child.on('exit', () => r())));
}
