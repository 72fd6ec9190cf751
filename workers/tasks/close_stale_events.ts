// Every minute: close events that have been quiet for more than M minutes.
import type { Task } from 'graphile-worker';
import { closeStaleEvents } from '../sql/close_stale_events.ts';

export const close_stale_events: Task = async (_payload, { withPgClient }) => {
  await withPgClient((c) => closeStaleEvents(c));
};
