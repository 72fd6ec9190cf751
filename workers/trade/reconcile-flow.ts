// Reconcile pass: resume interrupted trades (their jobs find orders by client id),
// refresh venue_position and venue_balance from every venue, and let SQL flag what our fills do not explain
// and open orders another installation placed with our id convention.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';
import { reconcileResume } from '../sql/reconcile_resume.ts';
import { venuesAvailable } from '../sql/venue_available.ts';
import { recordVenuePositions } from '../sql/record_venue_positions.ts';
import { venueReport } from '../sql/venue_report.ts';
import { tradeError } from '../sql/trade_error.ts';
import { reconcilePositions } from '../sql/reconcile_positions.ts';
import { noteForeignOpenOrders } from '../sql/note_foreign_open_orders.ts';
import { recordVenueBalance } from '../sql/record_venue_balance.ts';

export async function reconcileOnce(q: Q, venues: Venue[]): Promise<{ resumed: unknown[]; flagged: number }> {
  const resumed = await reconcileResume(q);
  let flagged = 0;
  await Promise.all(
    venues.map(async (v) => {
      if (!(await venuesAvailable(q, [v.name])).has(v.name)) return;
      try {
        const ps = await v.fetchPositions();
        await recordVenuePositions(q, { venue: v.name, positions: ps, complete: true });
        await venueReport(q, { venue: v.name, ok: true });
      } catch (e) {
        await venueReport(q, { venue: v.name, ok: false, error: (e as Error).message });
        await tradeError(q, { stage: 'reconcile', venue: v.name, errorClass: 'FetchPositions', message: (e as Error).message });
        return;
      }
      flagged += await reconcilePositions(q, v.name);
      // the balance as the venue reports it, for the pages' balances and equity
      try {
        await recordVenueBalance(q, v.name, { ...(await v.fetchBalance()) });
      } catch (e) {
        await tradeError(q, { stage: 'reconcile', venue: v.name, errorClass: 'FetchBalance', message: (e as Error).message });
      }
      // open orders in our id convention with another installation's prefix: someone else trades this account
      if (v.fetchOpenOrderIds) {
        try {
          flagged += await noteForeignOpenOrders(q, { venue: v.name, orders: await v.fetchOpenOrderIds() });
        } catch (e) {
          await tradeError(q, { stage: 'reconcile', venue: v.name, errorClass: 'FetchOpenOrders', message: (e as Error).message });
        }
      }
    }),
  );
  return { resumed, flagged };
}
