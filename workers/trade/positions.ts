// venue_position after an order: what the venue now reports for the symbol.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { recordVenuePositions } from '../sql/record_venue_positions.ts';

export async function refreshPosition(q: Q, v: Venue, symbol: string): Promise<void> {
  let ps;
  try {
    ps = await v.fetchPositions([symbol]);
  } catch {
    return; // reconcile refreshes it on its next pass
  }
  await recordVenuePositions(q, {
    venue: v.name,
    positions: ps.length ? ps : [{ symbol, sizeBase: '0', entryPrice: null, unrealizedPnl: null }],
    complete: false,
  });
}
