// Dev tool: (re)write the `--! Previous` / `--! Hash` / `--! Message` headers of the
// committed migrations in order, with graphile-migrate's own hash, so the chain is
// valid again after a migration that no deployed database has applied yet was
// edited, renumbered or merged from another branch (graphile-migrate's commit only
// chains a new file onto the last one; it has no re-chain). Files already in chain
// stay byte-identical.
//   npm run migrations:rehash           rewrite what is out of chain
//   npm run migrations:check            exit 1 naming the files that are out of chain
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { calculateHash } = require('graphile-migrate/dist/hash.js') as {
  calculateHash: (body: string, previous: string | null) => string;
};

export const COMMITTED_DIR = path.resolve(import.meta.dirname, '..', 'migrations', 'committed');

/** each committed migration with the header it should have; `changed` lists those whose file differs */
export async function rehashMigrations(dir = COMMITTED_DIR, opts: { write: boolean } = { write: true }) {
  const changed: string[] = [];
  let previous: string | null = null;
  for (const file of (await readdir(dir)).filter((f) => /^\d{6}.*\.sql$/.test(f)).sort()) {
    const full = path.join(dir, file);
    const text = await readFile(full, 'utf8');
    const body = text.replace(/^(--! [^\n]*\n)+\n?/, '');
    const hash = calculateHash(body, previous);
    // graphile-migrate's commit writes the message as given (`--message "add x"`); keep it
    const message = /^(?:--! [^\n]*\n)*?--! Message: ([^\n]*)\n/.exec(text)?.[1] ?? file.replace(/^\d{6}-?/, '').replace(/\.sql$/, '');
    const header = `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}${message ? `\n--! Message: ${message}` : ''}\n\n`;
    const next = header + body.trimStart();
    if (next !== text) {
      changed.push(file);
      if (opts.write) await writeFile(full, next);
    }
    previous = hash;
  }
  return changed;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  const changed = await rehashMigrations(COMMITTED_DIR, { write: !check });
  if (check && changed.length) {
    console.error(`out of chain: ${changed.join(', ')} (npm run migrations:rehash rewrites their headers)`);
    process.exit(1);
  }
  console.log(changed.length ? `${check ? 'would rewrite' : 'rewrote'}: ${changed.join(', ')}` : 'every committed migration is in chain');
}
