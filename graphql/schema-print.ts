// graphql/schema.graphql: the API as served, printed so API changes show in review.
// `npm run schema:print` rewrites it from a scratch database (embedded PostgreSQL in
// a temp folder, migrated, served over HTTP, introspected); test/graphql-schema.test.ts
// fails when the live schema differs from the file.
import { mkdtempSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'postgraphile/graphql';

export const SCHEMA_FILE = path.join(import.meta.dirname, 'schema.graphql');
export const SCHEMA_PRINT_COMMAND = 'npm run schema:print';

/** the introspection of a running server, as any GraphQL client sees it */
export async function introspect(serverUrl: string): Promise<IntrospectionQuery> {
  const res = await fetch(`${serverUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** SDL of the introspected schema, types and fields sorted so the file diffs cleanly */
export const printIntrospection = (i: IntrospectionQuery) =>
  `${printSchema(lexicographicSortSchema(buildClientSchema(i)))}\n`;

async function main() {
  const { startEmbedded } = await import('../db/embedded.ts');
  const { freePort } = await import('../db/free-port.ts');
  const { withDatabase } = await import('../db/config.ts');
  const { migrateDatabase } = await import('../db/migrate.ts');
  const { startServer } = await import('./server.ts');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-schema-print-'));
  chmodSync(dir, 0o755); // the postgres OS user (when run as root) must reach it
  const handle = await startEmbedded({ dataDir: path.join(dir, 'data'), port: await freePort(), persistent: false });
  try {
    const admin = new pg.Client({ connectionString: handle.url });
    await admin.connect();
    await admin.query('create database wl_schema_print');
    await admin.end();
    const url = withDatabase(handle.url, 'wl_schema_print');
    await migrateDatabase(url);
    const srv = await startServer({ url, port: 0, graphiql: false });
    try {
      writeFileSync(SCHEMA_FILE, printIntrospection(await introspect(srv.url)));
    } finally {
      await srv.stop();
    }
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
  } finally {
    await handle.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
