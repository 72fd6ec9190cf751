// open_trade {signal_id}: enqueued by the gate in the event's transaction.
import type { Task } from 'graphile-worker';
import { jobDb, withTradeLock } from '../trade/db.ts';
import { signalJob } from './payloads.ts';
import { openSignal } from '../trade/open-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const open_trade: Task = async (payload, helpers) => {
  const p = signalJob.parse(payload);
  const signalId = p.signal_id;
  const db = jobDb(helpers);
  const result = await withTradeLock(helpers, 'wl:trade', signalId, (q) => openSignal(q, signalId, (n) => venueNamed(n, db), p));
  helpers.logger.info(`open_trade ${signalId}: ${result ?? 'locked by another run'}`);
};
