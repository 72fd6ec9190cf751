// watchlist.cfg_num(key): a numeric setting from the registry (sql/settings.sql).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.cfg_num($1) as result';
export const Params = z.object({ key: z.string().min(1) });
export const Result = z.number();

export const cfgNum = (c: SqlClient, key: string): Promise<number> =>
  callValue(c, { name: `cfg_num(${key})`, text, params: Params, result: Result, values: (x) => [x.key] }, { key });
