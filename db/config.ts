// Where the database is: DATABASE_URL, or the embedded cluster in .data/.
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');

export const config = {
  databaseUrl: process.env.DATABASE_URL || null,
  dataDir: process.env.WL_DATA_DIR || path.join(repoRoot, '.data', 'pg'),
  embeddedPort: Number(process.env.WL_PG_PORT || 54329),
  embeddedDbName: 'watchlist',
  httpPort: Number(process.env.PORT || 5678),
};

/** same server, another database name */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

/** connection string with the password masked, for logs */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
