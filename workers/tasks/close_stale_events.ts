// Every minute: close events that have been quiet for more than M minutes.
import type { Task } from 'graphile-worker';

export const close_stale_events: Task = async (_payload, { withPgClient }) => {
  await withPgClient((c) => c.query('select watchlist.close_stale_events()'));
};
