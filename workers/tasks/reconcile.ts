// Cron every few minutes and once at worker start: resume, refresh positions, flag drift.
import type { Task } from 'graphile-worker';
import { jobDb, wrap } from '../trade/db.ts';
import { reconcileOnce } from '../trade/reconcile-flow.ts';
import { allVenues } from '../trade/venues.ts';

export const reconcile: Task = async (_payload, helpers) => {
  const db = jobDb(helpers);
  const r = await reconcileOnce(wrap(db), await allVenues(db));
  helpers.logger.info(`reconcile: resumed ${JSON.stringify(r.resumed)}, flagged ${r.flagged}`);
};
