// watchlist.roll_partitions(): create partitions ahead, drop those past retention.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';

export const text = 'select watchlist.roll_partitions() as result';
export const Params = z.object({});
export const Result = z.object({ created: z.array(z.string()), dropped: z.array(z.string()) });

export const rollPartitions = (c: SqlClient): Promise<z.output<typeof Result>> =>
  callValue(c, { name: 'roll_partitions', text, params: Params, result: Result, values: () => [] }, {});
