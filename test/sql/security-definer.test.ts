// Issue 10 item 4: a SECURITY DEFINER function runs with its owner's rights, so it pins
// search_path, and pg_temp comes last: otherwise PostgreSQL searches the caller's temp
// schema FIRST, and a caller could shadow a table or function the definer uses
// (PostgreSQL docs, "Writing SECURITY DEFINER Functions Safely").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
});

describe('security definer functions', () => {
  it('every one in watchlist and paper pins search_path with pg_temp last', async () => {
    const { rows } = await db.query(`
      select p.oid::regprocedure::text as fn,
        (select c from unnest(p.proconfig) c where c like 'search_path=%') as sp
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('watchlist', 'paper') and p.prosecdef
      order by 1`);
    expect(rows.length).toBeGreaterThan(40);
    const bad = rows.filter((r) => !/^search_path=.*,\s*pg_temp$/.test(r.sp ?? '')).map((r) => `${r.fn}: ${r.sp}`);
    expect(bad).toEqual([]);
  });
});
