// Database-rule tests (test/sql/<file>.test.ts, one per sql/<file>.sql): one cloned
// database per test file, each test inside BEGIN … ROLLBACK on one connection, called
// as the role that really calls the rule (`set local role`), never as the superuser.
// A missing grant therefore fails the test the way it would fail the worker or the API.
//
//   const { test, db } = sqlFile({ role: 'wl_writer' });
//   test('…', async ({ tx }) => { await tx.query('select watchlist.rule(…)'); });
//
// Each tx.query runs inside its own savepoint, so a statement the test expects to
// fail does not abort the rest of the test's transaction.
// Tests that need several sessions (concurrency, NOTIFY, which is delivered only on
// commit) cannot live in one transaction: `ownDb` gives such a test its own clone and
// sessions logged in as the real role.
import { afterAll, beforeAll, test as base, type TestAPI } from 'vitest';
import pg from 'pg';
import { freshDb, type TestDb } from './db.ts';

export type Role = 'wl_writer' | 'wl_reader' | 'wl_trader' | 'wl_owner';
/** 'setup' = the test's superuser, for fixture state no real caller writes (DDL, disabling a trigger) */
export type Caller = Role | 'setup';

type Query = pg.PoolClient['query'];

export interface Tx {
  /** one statement, in a savepoint; as the current role */
  query: Query;
  /** switch the calling role for the rest of the test */
  as(role: Caller): Promise<void>;
  /** run fn as another role, then switch back */
  asRole<T>(role: Caller, fn: () => Promise<T>): Promise<T>;
  /** the current role (what `current_user` says) */
  role(): Caller;
  /** remember the state now; rollback() returns to it (role included) */
  mark(): Promise<{ rollback(): Promise<void> }>;
}

const setRole = (role: Caller) => (role === 'setup' ? 'set local role none' : `set local role ${pg.escapeIdentifier(role)}`);

function makeTx(c: pg.PoolClient, initial: Caller): Tx {
  let current = initial;
  let n = 0;
  const query = (async (...args: unknown[]) => {
    const sp = `q${++n}`;
    await c.query(`savepoint ${sp}`);
    try {
      const r = await (c.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args);
      await c.query(`release savepoint ${sp}`);
      return r;
    } catch (e) {
      await c.query(`rollback to savepoint ${sp}`);
      throw e;
    }
  }) as Query;
  const tx: Tx = {
    query,
    async as(role) {
      await c.query(setRole(role));
      current = role;
    },
    async asRole(role, fn) {
      const before = current;
      await tx.as(role);
      try {
        return await fn();
      } finally {
        await tx.as(before);
      }
    },
    role: () => current,
    async mark() {
      const sp = `mark${++n}`;
      const role = current;
      await c.query(`savepoint ${sp}`);
      return {
        async rollback() {
          await c.query(`rollback to savepoint ${sp}`);
          current = role;
        },
      };
    },
  };
  return tx;
}

export interface SqlFile {
  /** vitest's test with a `tx` fixture: a rolled-back transaction as the file's role */
  test: TestAPI<{ tx: Tx }>;
  /** the file's database (committed state: what `setup` left; tests never commit) */
  db(): TestDb;
}

/**
 * One database for the test file, cloned from the migrated template.
 * role: who calls the rules under test (wl_writer for jobs and triggers the worker
 * fires, wl_trader / wl_reader for GraphQL paths). setup: committed state every test
 * starts from (runs as the superuser unless it switches role itself).
 */
export function sqlFile(opts: { role: Role; setup?: (db: TestDb) => Promise<void> }): SqlFile {
  let db: TestDb | undefined;
  beforeAll(async () => {
    db = await freshDb();
    await opts.setup?.(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  const test = base.extend<{ tx: Tx }>({
    // eslint-disable-next-line no-empty-pattern
    tx: async ({}, use) => {
      const c = await db!.pool.connect();
      try {
        await c.query('begin');
        await c.query(setRole(opts.role));
        await use(makeTx(c, opts.role));
      } finally {
        await c.query('rollback').catch(() => {});
        c.release();
      }
    },
  });
  return {
    test,
    db() {
      if (!db) throw new Error('sqlFile: the database exists only inside tests and hooks');
      return db;
    },
  };
}

export interface OwnDb extends TestDb {
  /** a new session logged in as the real role (`set role` at connect); close it with end() */
  connectAs(role: Role): Promise<pg.Client>;
  /** a pool whose sessions all run as the role */
  poolAs(role: Role, max?: number): pg.Pool;
}

/**
 * For the few rule tests that need several committed sessions (races, NOTIFY):
 * a database of their own, dropped afterwards, so nothing leaks into the file's
 * transaction tests.
 */
export async function ownDb<T>(fn: (db: OwnDb) => Promise<T>): Promise<T> {
  const db = await freshDb();
  const pools: pg.Pool[] = [];
  const own: OwnDb = Object.assign(db, {
    async connectAs(role: Role) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`set role ${pg.escapeIdentifier(role)}`);
      return c;
    },
    poolAs(role: Role, max = 10) {
      const p = new pg.Pool({ connectionString: db.url, max });
      p.on('connect', (c) => {
        c.query(`set role ${pg.escapeIdentifier(role)}`).catch(() => {});
      });
      p.on('error', () => {});
      pools.push(p);
      return p;
    },
  });
  try {
    return await fn(own);
  } finally {
    for (const p of pools) await p.end();
    await db.close();
  }
}
