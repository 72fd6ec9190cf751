// The notifier's sender lock: a session advisory lock, so one worker process of a
// database sends the notifications (workers/notify/notifier.ts).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = "select pg_try_advisory_lock(hashtext('wl:notifier')) as result";
export const Params = z.object({});
export const Result = z.boolean();

export const tryNotifierLock = (c: SqlClient): Promise<boolean> =>
  callValue(c, { name: 'notifier lock', text, params: Params, result: Result, values: () => [] }, {});
