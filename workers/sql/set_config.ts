// watchlist.set_config(key, value, note): one setting changed through the registry
// (checked against its type and range, audited with who and why). Returns the key stored.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select (watchlist.set_config($1, $2::jsonb, $3)).key as result';
export const Params = z.object({ key: z.string().min(1), value: z.unknown(), note: z.string().nullable() });
export const Result = z.string();

export const setConfig = (c: SqlClient, key: string, value: unknown, note: string | null): Promise<string> =>
  callValue(c, { name: `set_config(${key})`, text, params: Params, result: Result, values: (x) => [x.key, JSON.stringify(x.value), x.note] }, { key, value, note });
