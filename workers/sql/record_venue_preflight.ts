// watchlist.record_venue_preflight(venue, environment, checks): one venue's preflight;
// whether the database now counts it tradeable.
import { z } from 'zod';
import { callValue, type SqlClient } from './client.ts';
import { jsonParam } from './venue-shapes.ts';

export const PreflightCheck = z.object({ check: z.string().min(1), ok: z.boolean(), detail: z.string() });
export const text = 'select watchlist.record_venue_preflight($1, $2, $3::jsonb) as result';
export const Params = z.object({ venue: z.string().min(1), environment: z.string(), checks: z.array(PreflightCheck).min(1) });
export const Result = z.boolean();

export const recordVenuePreflight = (c: SqlClient, p: z.input<typeof Params>): Promise<boolean> =>
  callValue(c, { name: 'record_venue_preflight', text, params: Params, result: Result,
    values: (x) => [x.venue, x.environment, jsonParam(x.checks)] }, p);
