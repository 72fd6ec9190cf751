// The one door from workers/ into PostgreSQL. Every SQL entry point the workers call
// has a module beside this one (graphile-worker's src/sql/*.ts style): its call text,
// a zod schema for its parameters and one for its result, and an async function
// taking a client and typed parameters. A renamed column or jsonb key, or a
// parameter of the wrong type, fails here with the call and the field named, instead
// of flowing on as `undefined`. test/sql-wrappers.test.ts checks that nothing under
// workers/ outside this folder calls `.query(`.
import { z } from 'zod';

/** pg's Pool, PoolClient and graphile-worker's helpers all fit */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** the job helpers' query as a client (graphile-worker's pool) */
export const jobClient = (h: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): SqlClient => ({
  query: (text, values) => h.query(text, values),
});

/** a client that takes a pooled connection per call (graphile-worker's withPgClient) */
export const perCallClient = (withPgClient: <T>(fn: (c: SqlClient) => Promise<T>) => Promise<T>): SqlClient => ({
  query: (text, values) => withPgClient((c) => c.query(text, values)),
});

export class SqlShapeError extends Error {
  constructor(call: string, what: 'parameters' | 'result', error: z.ZodError) {
    super(`${call}: ${what} do not match the declared shape: ${z.prettifyError(error)}`);
    this.name = 'SqlShapeError';
  }
}

export interface SqlCall<P extends z.ZodType, R extends z.ZodType> {
  /** the SQL function (for messages) */
  name: string;
  text: string;
  params: P;
  /** one row's shape */
  row: R;
  values: (p: z.output<P>) => unknown[];
}

function parse<S extends z.ZodType>(call: string, what: 'parameters' | 'result', schema: S, x: unknown): z.output<S> {
  const r = schema.safeParse(x);
  if (!r.success) throw new SqlShapeError(call, what, r.error);
  return r.data;
}

/** every row, each parsed */
export async function callRows<P extends z.ZodType, R extends z.ZodType>(c: SqlClient, s: SqlCall<P, R>, p: z.input<P>): Promise<z.output<R>[]> {
  const params = parse(s.name, 'parameters', s.params, p);
  const { rows } = await c.query(s.text, s.values(params));
  return parse(s.name, 'result', z.array(s.row), rows);
}

/** exactly one row, parsed */
export async function callRow<P extends z.ZodType, R extends z.ZodType>(c: SqlClient, s: SqlCall<P, R>, p: z.input<P>): Promise<z.output<R>> {
  const rows = await callRows(c, s, p);
  if (rows.length !== 1) throw new Error(`${s.name}: expected one row, got ${rows.length}`);
  return rows[0];
}

/** the `result` column of the one row a `select f(...) as result` returns */
export async function callValue<P extends z.ZodType, R extends z.ZodType>(
  c: SqlClient,
  s: Omit<SqlCall<P, R>, 'row'> & { result: R },
  p: z.input<P>,
): Promise<z.output<R>> {
  const params = parse(s.name, 'parameters', s.params, p);
  const { rows } = await c.query(s.text, s.values(params));
  if (rows.length !== 1) throw new Error(`${s.name}: expected one row, got ${rows.length}`);
  const row = rows[0];
  if (typeof row !== 'object' || row === null || !('result' in row)) throw new Error(`${s.name}: no result column`);
  return parse(s.name, 'result', s.result, row.result);
}

// ---- shared field shapes -------------------------------------------------------

/** bigint ids: pg returns int8 as a string, jsonb as a number */
export const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number);
/** a count of rows a function reports: int (a number) or bigint (a digit string) */
export const Count = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
/** a decimal as a string (money and quantities never go through floats on the way in) */
export const Decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'a decimal string');
/** numeric as pg returns it (a string), or a number from jsonb: for values only compared or displayed */
export const NumLike = z.union([z.number(), Decimal]).transform(Number);
