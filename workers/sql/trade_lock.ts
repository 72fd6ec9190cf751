// Session advisory locks by (namespace, id): one run of a trade (or manual order) holds its
// own for the whole job; the notifier's sender holds ('wl:notifier', 0) (workers/notify/notifier.ts).
import { z } from 'zod';
import { callValue, Id, type SqlClient } from './client.ts';

export const lockText = 'select pg_try_advisory_lock(hashtext($1), ($2::bigint % 2147483647)::int) as result';
export const unlockText = 'select pg_advisory_unlock(hashtext($1), ($2::bigint % 2147483647)::int) as result';
export const Params = z.object({ ns: z.string().min(1), id: Id });
export const Result = z.boolean();

export const tryTradeLock = (c: SqlClient, ns: string, id: number): Promise<boolean> =>
  callValue(c, { name: 'pg_try_advisory_lock', text: lockText, params: Params, result: Result, values: (x) => [x.ns, x.id] }, { ns, id });

export const tradeUnlock = (c: SqlClient, ns: string, id: number): Promise<boolean> =>
  callValue(c, { name: 'pg_advisory_unlock', text: unlockText, params: Params, result: Result, values: (x) => [x.ns, x.id] }, { ns, id });
