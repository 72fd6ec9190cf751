// venue_position after an order: what the venue now reports for the symbol.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';

export async function refreshPosition(q: Q, v: Venue, symbol: string): Promise<void> {
  try {
    const ps = await v.fetchPositions([symbol]);
    await q.query('select watchlist.record_venue_positions($1, $2::jsonb, false)', [
      v.name,
      JSON.stringify(ps.length ? ps : [{ symbol, sizeBase: '0' }]),
    ]);
  } catch {
    // reconcile refreshes it on its next pass
  }
}
