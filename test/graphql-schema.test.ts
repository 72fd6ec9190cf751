// The GraphQL API is designed, not dumped: default-deny exposure (`@api`, sql/api.sql),
// documented, printed in graphql/schema.graphql, and built without codec warnings.
// Everything is read over real HTTP from a server started here.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildClientSchema, parse, validate } from 'postgraphile/graphql';
import type { IntrospectionObjectType, IntrospectionInputObjectType, IntrospectionQuery, IntrospectionType } from 'postgraphile/graphql';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { SCHEMA_FILE, SCHEMA_PRINT_COMMAND, introspect, printIntrospection } from '../graphql/schema-print.ts';

let db: TestDb;
let srv: RunningServer;
let schema: IntrospectionQuery;
const startupOutput: string[] = [];

beforeAll(async () => {
  db = await freshDb();
  // everything the schema build writes (PostGraphile warns through console.warn)
  const capture = (...args: unknown[]) => void startupOutput.push(args.map(String).join(' '));
  const spies = [vi.spyOn(console, 'warn').mockImplementation(capture), vi.spyOn(console, 'error').mockImplementation(capture),
    vi.spyOn(console, 'log').mockImplementation(capture)];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    startupOutput.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    srv = await startServer({ url: db.url, port: 0, graphiql: false });
  } finally {
    process.stderr.write = write;
    for (const s of spies) s.mockRestore();
  }
  schema = await introspect(srv.url);
});

afterAll(async () => {
  await srv?.stop();
  await db?.close();
});

const typeNamed = (name: string) => schema.__schema.types.find((t) => t.name === name) as IntrospectionObjectType | undefined;
const fieldsOf = (name: string) => (typeNamed(name)?.fields ?? []).map((f) => f.name);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('default-deny exposure', () => {
  it('has no root field for internal functions or engine tables', () => {
    const query = fieldsOf('Query');
    expect(query.length).toBeGreaterThan(20);
    for (const internal of [
      'normCdf', 'slotsSum', 'slotsCount', 'partitionUpperBound', 'partitionName', 'monitorTargets', 'tradeUnresolvedOrders',
      'tradePrecheck', 'cfgNum', 'gateThresholds', 'qtyForNotional', 'predictBc', 'manualQueue', 'attachMode',
      'allEventMergeStates', 'allPairMinutes', 'allPairHours', 'allScanPairs', 'allScanRuns', 'allInstallations',
      'allKnownVenues', 'allPartitionPolicies', 'installationBySingleton', 'pairMinuteByPairIdAndTs',
    ]) expect(query, internal).not.toContain(internal);
    expect(fieldsOf('WatchSignalEvent')).not.toContain('gateAssess');
    expect(fieldsOf('WatchSignalEvent')).toContain('features');
  });

  it('exposes no watchlist function whose comment lacks @api, as a root field or a computed column', async () => {
    // a function whose first argument is a table row would be a field of that table's type,
    // named after the function without a <table>_ prefix (gate_assess → WatchSignalEvent.gateAssess)
    const { rows } = await db.query<{ proname: string; tbl: string | null; field: string | null; is_column: boolean }>(
      `select p.proname, t.typname as tbl,
              f.field, exists (select 1 from pg_attribute a where a.attrelid = t.typrelid and a.attname = f.field) as is_column
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       left join pg_type t on t.oid = p.proargtypes[0] and t.typrelid <> 0
       cross join lateral (select case when t.typname is null then null
                                       when p.proname like t.typname || '\\_%' then substr(p.proname, length(t.typname) + 2)
                                       else p.proname end as field) f
       where n.nspname = 'watchlist' and coalesce(obj_description(p.oid, 'pg_proc'), '') !~ '^(@[^\\n]*\\n)*@api($|\\s)'`,
    );
    // a rule taking the row (take_profit_pnl(live_trade_signal)) shares its field name with
    // the exposed <table>_<field> function that wraps it: that field is the tagged one's
    const { rows: tagged } = await db.query<{ tbl: string; proname: string }>(
      `select t.typname as tbl, p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         join pg_type t on t.oid = p.proargtypes[0] and t.typrelid <> 0
       where n.nspname = 'watchlist' and obj_description(p.oid, 'pg_proc') ~ '^(@[^\\n]*\\n)*@api($|\\s)'`,
    );
    const taggedField = new Set(tagged.map((t) => `${t.tbl}.${t.proname}`));
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.find((r) => r.proname === 'gate_assess')?.field).toBe('gate_assess');
    const roots = new Set([...fieldsOf('Query'), ...fieldsOf('Mutation')]);
    const upperCamel = (s: string) => camel(s).replace(/^./, (c) => c.toUpperCase());
    const leaked = rows.flatMap((r) => [
      ...(roots.has(camel(r.proname)) ? [camel(r.proname)] : []),
      ...(r.field && !r.is_column && !taggedField.has(`${r.tbl}.${r.tbl}_${r.field}`) && fieldsOf(upperCamel(r.tbl!)).includes(camel(r.field))
        ? [`${upperCamel(r.tbl!)}.${camel(r.field)}`] : []),
    ]);
    expect(leaked).toEqual([]);
  });

  it('offers exactly the trader levers as mutations, and no generated create/update/delete', () => {
    expect(fieldsOf('Mutation').sort()).toEqual(
      ['acknowledgeForeignActivity', 'expireManualOrders', 'forceEnter', 'manualTrade', 'requestClose', 'setConfig', 'setKillSwitch'],
    );
    expect(fieldsOf('Subscription').sort()).toEqual(['liveTrade', 'liveTradeError', 'watchlistSignal']);
  });

  it('prints no codec warning while building the schema', () => {
    const text = startupOutput.join('\n');
    expect(text).not.toContain('Could not build PgCodec');
    expect(text).not.toMatch(/Could not make (return )?codec/);
  });
});

describe('what the pages send', () => {
  const pagesDir = path.join(import.meta.dirname, '..', 'graphql', 'pages');

  it('every GraphQL document in the pages validates against the served schema', async () => {
    const served = buildClientSchema(schema);
    // static documents: template literals that start like an operation and interpolate nothing
    const docs = readdirSync(pagesDir).filter((f) => f.endsWith('.js')).flatMap((f) =>
      [...readFileSync(path.join(pagesDir, f), 'utf8').matchAll(/[`'](\s*(?:query|mutation|subscription)\b[^`']*|\{ *[a-zA-Z][^`']*\})[`']/g)]
        .map((m) => ({ where: f, doc: m[1] }))
        .filter((d) => d.doc.includes('{') && !d.doc.includes('${')));
    // the page's module itself (a browser module: imported by URL, untyped)
    const live = (await import(pathToFileURL(path.join(pagesDir, 'live_queries.js')).href)) as Record<string, unknown> & {
      samplesQuery(ids: number[]): string;
    };
    for (const [name, doc] of Object.entries(live)) if (typeof doc === 'string') docs.push({ where: `live_queries.js ${name}`, doc });
    docs.push({ where: 'live_queries.js samplesQuery', doc: live.samplesQuery([1, 2]) });
    expect(docs.length).toBeGreaterThanOrEqual(12);
    const invalid = docs.flatMap(({ where, doc }) => validate(served, parse(doc)).map((e) => `${where}: ${e.message}`));
    expect(invalid).toEqual([]);
  });

  it('the DB browser finds each table it pages through, with its filter and order types', () => {
    for (const type of ['WatchSignalRaw', 'WatchSignalEvent', 'FutureOutcome', 'WatchlistOutcome']) {
      expect(typeNamed(type), type).toBeDefined();
      expect(typeNamed(`${type}Filter`), `${type}Filter`).toBeDefined();
      expect(typeNamed(`${type}OrderBy`), `${type}OrderBy`).toBeDefined();
    }
  });
});

describe('documentation', () => {
  const own = (t: IntrospectionType) => !t.name.startsWith('__');

  it('describes at least 90 % of the exposed types and fields', () => {
    let described = 0;
    let total = 0;
    const missing: string[] = [];
    for (const t of schema.__schema.types.filter(own)) {
      total++;
      if (t.description) described++;
      else missing.push(t.name);
      const fields = (t as IntrospectionObjectType).fields ?? (t as IntrospectionInputObjectType).inputFields ?? [];
      for (const f of fields) {
        total++;
        if (f.description) described++;
        else missing.push(`${t.name}.${f.name}`);
      }
    }
    expect(described / total, `undescribed (first 40 of ${missing.length}): ${missing.slice(0, 40).join(', ')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('describes every root field, mutation, subscription, and every field of a table or view type', () => {
    const undescribed: string[] = [];
    for (const name of ['Query', 'Mutation', 'Subscription']) {
      for (const f of typeNamed(name)!.fields) if (!f.description) undescribed.push(`${name}.${f.name}`);
    }
    const rowTypes = schema.__schema.types.filter(
      (t) => t.kind === 'OBJECT' && (t as IntrospectionObjectType).interfaces?.some((i) => i.name === 'Node') && t.name !== 'Query',
    ) as IntrospectionObjectType[];
    expect(rowTypes.length).toBeGreaterThan(20);
    for (const t of rowTypes) {
      if (!t.description) undescribed.push(t.name);
      for (const f of t.fields) if (!f.description) undescribed.push(`${t.name}.${f.name}`);
    }
    expect(undescribed).toEqual([]);
  });
});

describe('graphql/schema.graphql', () => {
  it('is the schema the server serves', () => {
    const live = printIntrospection(schema);
    const file = readFileSync(SCHEMA_FILE, 'utf8');
    if (live !== file) {
      expect.fail(`graphql/schema.graphql differs from the schema the server serves: run \`${SCHEMA_PRINT_COMMAND}\` and commit the file (the diff is the API change to review)`);
    }
  });
});
