// watchlist.record_worker_venues(worker, venues): the venues this worker runs and the
// markets each loaded (the gate and manual_trade refuse what no process can execute).
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';
import { jsonParam } from './venue-shapes.ts';

export const WorkerVenue = z.strictObject({ venue: z.string(), mode: z.string(), markets_loaded: z.boolean(), symbols: z.array(z.string()) });
export const text = 'select watchlist.record_worker_venues($1, $2::jsonb) as result';
export const Params = z.object({ worker: z.string(), venues: z.array(WorkerVenue) });
export const Result = z.number().int();

export const recordWorkerVenues = (c: SqlClient, p: z.input<typeof Params>): Promise<number> =>
  callValue(c, { name: 'record_worker_venues', text, params: Params, result: Result, values: (x) => [x.worker, jsonParam(x.venues)] }, p);
