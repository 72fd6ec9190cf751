// graphile-worker crontab (UTC). Jobs missed while down are not backfilled:
// partition rolling and event closing are idempotent "catch up now" jobs.
export const crontab = [
  '5 0 * * * roll_partitions ?max=3',
  '* * * * * close_stale_events ?max=1',
  '* * * * * collect_market ?max=1',
  '* * * * * monitor_trades ?max=1',
  '* * * * * convert_fees ?max=1',
  '*/3 * * * * reconcile ?max=1',
  '17 3 * * 1 fit_models ?max=1',
  '10 0 * * * daily_summary ?max=1',
  '*/5 * * * * compute_outcomes ?max=1',
  '*/5 * * * * data_upkeep ?max=1',
  '20 0 * * * apply_retention ?max=3',
].join('\n');
