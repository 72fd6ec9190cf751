// The scanner's named steps (sql/scan.sql, factors_of in sql/factors.sql) cost no more than
// the one function they replaced because the planner inlines their per-row helpers
// (bench:scan:compare measures it; this pins the cause). A helper that stops being inlined
// shows up as its own name in the plan: an immutable SQL function whose body is only
// stable (jsonb_build_object) is not inlined, nor is a scalar SQL function with a FROM
// clause (factors, predictions), and each then runs as a query of its own per row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

const plan = async (sql: string) => {
  const { rows } = await db.query(`explain (verbose, costs off) ${sql}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
};

describe('scanner helpers are inlined', () => {
  it('the meta JSON helpers become jsonb_build_object in the plan', async () => {
    const p = await plan(`select watchlist.scan_raw_meta(s, s, now(), s.mid, s.mid, s.mid, '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
      watchlist.scan_exchange_json(s) from watchlist.scan_quote s`);
    expect(p).toContain('jsonb_build_object');
    for (const fn of ['scan_raw_meta', 'scan_leg_json', 'scan_exchange_json']) expect(p).not.toContain(fn);
  });

  it('factors and predictions per row are subqueries of the plan, not function calls', async () => {
    const p = await plan(`select fm.factors, fm.factors_missing, pd.pred from generate_series(1, 3) g(i)
      cross join lateral watchlist.factors_of('B', jsonb_build_object('rel_spread', g.i), jsonb_build_object('x', g.i)) fm
      cross join lateral watchlist.scan_predictions('B', '{60, 240}', fm.factors) pd`);
    expect(p).toContain('jsonb_object_agg');
    for (const fn of ['factors_of', 'scan_predictions']) expect(p).not.toContain(fn);
  });

  it('the quote filter compares the float8 prices without casting them back to numeric', async () => {
    const p = await plan(`select 1 from watchlist.scan_quote s
      where s.ts = now() and watchlist.scan_quote_usable(s.mid, s.bid, s.ask, s.book_ts, now())`);
    expect(p).not.toContain('scan_quote_usable');
    expect(p).not.toMatch(/double precision\)::numeric/);
  });
});
