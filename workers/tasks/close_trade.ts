// close_trade {signal_id}: enqueued by the exit decision (sample trigger), a
// manual close or the kill switch, in the transaction that decided it.
import type { Task } from 'graphile-worker';
import { jobDb, withTradeLock } from '../trade/db.ts';
import { signalJob } from './payloads.ts';
import { closeSignal } from '../trade/close-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const close_trade: Task = async (payload, helpers) => {
  const signalId = signalJob.parse(payload).signal_id;
  const db = jobDb(helpers);
  const result = await withTradeLock(helpers, 'wl:trade', signalId, (q) => closeSignal(q, signalId, (n) => venueNamed(n, db)));
  helpers.logger.info(`close_trade ${signalId}: ${result ?? 'locked by another run'}`);
};
