// Cron, every minute: price fees charged in another coin (fills recorded by the open,
// flatten and close paths) in USDT; a trade that ended partial_failed gets its loss in USDT here.
import type { Task } from 'graphile-worker';
import { jobDb, wrap } from '../trade/db.ts';
import { convertFees } from '../trade/fees.ts';
import { venueNamed } from '../trade/venues.ts';

export const convert_fees: Task = async (_payload, helpers) => {
  const db = jobDb(helpers);
  const n = await convertFees(wrap(db), (name) => venueNamed(name, db), null);
  if (n) helpers.logger.info(`convert_fees: ${n} fee(s) converted to USDT`);
};
