// open_trade {signal_id}: enqueued by the gate in the event's transaction.
import type { Task } from 'graphile-worker';
import { withTradeLock } from '../trade/db.ts';
import { openSignal } from '../trade/open-flow.ts';
import { venueNamed } from '../trade/venues.ts';

export const open_trade: Task = async (payload, helpers) => {
  const p = payload as { signal_id: number; symbol?: string; short?: string; long?: string };
  const signalId = Number(p.signal_id);
  const db = { query: (t: string, p?: unknown[]) => helpers.query(t, p as any[]) };
  const result = await withTradeLock(helpers, 'wl:trade', signalId, (q) => openSignal(q, signalId, (n) => venueNamed(n, db), p));
  helpers.logger.info(`open_trade ${signalId}: ${result ?? 'locked by another run'}`);
};
