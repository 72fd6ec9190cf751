// watchlist.record_venue_positions(venue, positions, complete): positions as the venue
// reports them (PositionsJson; SQL checks the same shape). complete: symbols not listed are flat.
import { z } from 'zod';
import { callRows, type SqlClient } from './client.ts';
import { jsonParam, PositionsJson } from './venue-shapes.ts';

export const text = 'select watchlist.record_venue_positions($1, $2::jsonb, $3)';
export const Params = z.object({ venue: z.string(), positions: PositionsJson, complete: z.boolean() });

export async function recordVenuePositions(c: SqlClient, p: z.input<typeof Params>): Promise<void> {
  await callRows(c, { name: 'record_venue_positions', text, params: Params, row: z.unknown(), values: (x) => [x.venue, jsonParam(x.positions), x.complete] }, p);
}
