// Reconcile pass: resume interrupted trades (their jobs find orders by client id),
// refresh venue_position and venue_balance from every venue, and let SQL flag what our fills do not explain
// and open orders another installation placed with our id convention.
import type { Venue } from '../venues/types.ts';
import type { Q } from './db.ts';

export async function reconcileOnce(q: Q, venues: Venue[]): Promise<{ resumed: unknown[]; flagged: number }> {
  const resumed = await q.one('select watchlist.reconcile_resume()');
  let flagged = 0;
  await Promise.all(
    venues.map(async (v) => {
      if (!(await q.one('select watchlist.venue_available($1)', [v.name]))) return;
      try {
        const ps = await v.fetchPositions();
        await q.query('select watchlist.record_venue_positions($1, $2::jsonb, true)', [v.name, JSON.stringify(ps)]);
        await q.query('select watchlist.venue_report($1, true)', [v.name]);
      } catch (e) {
        await q.query('select watchlist.venue_report($1, false, $2)', [v.name, (e as Error).message]);
        await q.query(`select watchlist.trade_error(null, 'reconcile', $1, 'FetchPositions', $2)`, [v.name, (e as Error).message]);
        return;
      }
      flagged += Number(await q.one('select watchlist.reconcile_positions($1)', [v.name]));
      // the balance as the venue reports it, for the pages' balances and equity
      try {
        await q.query('select watchlist.record_venue_balance($1, $2::jsonb)', [v.name, JSON.stringify(await v.fetchBalance())]);
      } catch (e) {
        await q.query(`select watchlist.trade_error(null, 'reconcile', $1, 'FetchBalance', $2)`, [v.name, (e as Error).message]);
      }
      // open orders in our id convention with another installation's prefix: someone else trades this account
      if (v.fetchOpenOrderIds) {
        try {
          flagged += Number(await q.one('select watchlist.note_foreign_open_orders($1, $2::jsonb)', [v.name, JSON.stringify(await v.fetchOpenOrderIds())]));
        } catch (e) {
          await q.query(`select watchlist.trade_error(null, 'reconcile', $1, 'FetchOpenOrders', $2)`, [v.name, (e as Error).message]);
        }
      }
    }),
  );
  return { resumed, flagged };
}
