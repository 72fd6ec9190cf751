// watchlist.installation_prefix(): this installation's client-order-id prefix (null before wl migrate).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.installation_prefix() as result';
export const Params = z.object({});
export const Result = z.string().nullable();

export const installationPrefix = (c: SqlClient): Promise<string | null> =>
  callValue(c, { name: 'installation_prefix', text, params: Params, result: Result, values: () => [] }, {});
