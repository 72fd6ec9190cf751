// watchlist.scan(ts): the type B scanner over one minute's snapshots.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.scan($1::timestamptz) as result';
export const Params = z.object({ minute: z.string() });
/** a summary for logs; its keys are the scanner's own */
export const Result = z.record(z.string(), z.unknown()).nullable();

export const scan = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'scan', text, params: Params, result: Result, values: (x) => [x.minute] }, p);
