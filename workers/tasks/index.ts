// Every graphile-worker task, by identifier. One file per task.
import type { TaskList } from 'graphile-worker';
import { roll_partitions } from './roll_partitions.ts';
import { close_stale_events } from './close_stale_events.ts';
import { collect_market } from './collect_market.ts';

export const taskList: TaskList = {
  roll_partitions,
  close_stale_events,
  collect_market,
};
