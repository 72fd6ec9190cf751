// watchlist.record_venue_modes(requested, modes): how each venue of the running worker trades.
import { z } from 'zod';
import { callRows, type SqlClient } from './client.ts';
import { jsonParam } from './venue-shapes.ts';

export const VenueModeRow = z.strictObject({ venue: z.string(), mode: z.string(), markets_loaded: z.boolean() });
export const text = 'select watchlist.record_venue_modes($1, $2::jsonb)';
export const Params = z.object({ requested: z.string(), modes: z.array(VenueModeRow) });

export async function recordVenueModes(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'record_venue_modes', text, params: Params, row: z.unknown(), values: (x) => [x.requested, jsonParam(x.modes)] }, p);
}
