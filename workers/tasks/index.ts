// Every graphile-worker task, by identifier. One file per task.
import type { TaskList } from 'graphile-worker';
import { roll_partitions } from './roll_partitions.ts';
import { close_stale_events } from './close_stale_events.ts';
import { collect_market } from './collect_market.ts';
import { open_trade } from './open_trade.ts';
import { close_trade } from './close_trade.ts';
import { monitor_trades } from './monitor_trades.ts';
import { reconcile } from './reconcile.ts';
import { manual_order } from './manual_order.ts';
import { convert_fees } from './convert_fees.ts';
import { fit_models } from './fit_models.ts';
import { daily_summary } from './daily_summary.ts';
import { compute_outcomes } from './compute_outcomes.ts';
import { data_upkeep } from './data_upkeep.ts';
import { apply_retention } from './apply_retention.ts';

export const taskList: TaskList = {
  roll_partitions,
  close_stale_events,
  collect_market,
  open_trade,
  close_trade,
  monitor_trades,
  reconcile,
  manual_order,
  convert_fees,
  fit_models,
  daily_summary,
  compute_outcomes,
  data_upkeep,
  apply_retention,
};
