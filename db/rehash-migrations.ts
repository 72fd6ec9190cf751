// Dev tool: (re)write the `--! Previous` / `--! Hash` headers of committed
// migrations in order, using graphile-migrate's own hash. Run after editing a
// migration that no deployed database has applied yet: `npm run migrations:rehash`.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { calculateHash } = require('graphile-migrate/dist/hash.js') as {
  calculateHash: (body: string, previous: string | null) => string;
};

const dir = path.resolve(import.meta.dirname, '..', 'migrations', 'committed');
let previous: string | null = null;
for (const file of (await readdir(dir)).filter((f) => /^\d{6}.*\.sql$/.test(f)).sort()) {
  const full = path.join(dir, file);
  const text = await readFile(full, 'utf8');
  const body = text.replace(/^(--! [^\n]*\n)+\n?/, '');
  const hash = calculateHash(body, previous);
  const message = file.replace(/^\d{6}-?/, '').replace(/\.sql$/, '');
  const header = `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}${message ? `\n--! Message: ${message}` : ''}\n\n`;
  await writeFile(full, header + body.trimStart());
  previous = hash;
  console.log(`${file} ${hash}`);
}
