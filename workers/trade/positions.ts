// venue_position after an order: what the venue now reports for the symbol.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { recordVenuePositions } from '../sql/record_venue_positions.ts';
import { SqlShapeError } from '../sql/client.ts';

export async function refreshPosition(q: Q, v: Venue, symbol: string): Promise<void> {
  try {
    const ps = await v.fetchPositions([symbol]);
    await recordVenuePositions(q, {
      venue: v.name,
      positions: ps.length ? ps : [{ symbol, sizeBase: '0', entryPrice: null, unrealizedPnl: null }],
      complete: false,
    });
  } catch (e) {
    // a venue answer of the wrong shape is a bug to see at once (SQL's check raises 22023);
    // anything else, reconcile refreshes on its next pass
    if (e instanceof SqlShapeError || (e as { code?: string }).code === '22023') throw e;
  }
}
