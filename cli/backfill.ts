// `wl backfill --hours H`: simulated history, minute by minute, through the same path
// the live collector takes (collect → record_market_minute → scan), then event closing,
// so snapshots, raw signals, events and predictions all exist before the first live minute.
import type { Command } from 'commander';
import { makePool } from '../db/pool.ts';
import { openMigrated } from './db.ts';
import { shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { makeProgress } from './progress.ts';
import { buildVenues, venueNamesFromEnv } from '../workers/venues/registry.ts';
import { venueModesFor } from '../workers/venues/venue-modes.ts';
import { collectMinute } from '../workers/tasks/collect_market.ts';
import { ManualClock } from '../workers/sim/faults.ts';
/** the CLI's own reads (the paper ledger behind it is reached through workers/sql/) */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Queryable = { query(text: string, params?: unknown[]): Promise<{ rows: any[] }> };

export interface BackfillOptions {
  hours: number;
  /** last minute to fill (ms); default the current minute */
  until?: number;
  venues?: string[];
  seed?: number;
  /** restrict to these symbols (else strategy_config 'collect.symbols' / the default universe) */
  symbols?: string[];
  progress?: (msg: string) => void;
  /** minutes done of the total, after each minute (rate and ETA: cli/progress.ts) */
  onMinute?: (done: number, total: number) => void;
  /** environment deciding which venues are live (default process.env) */
  env?: Record<string, string | undefined>;
}

export interface BackfillSummary {
  minutes: number;
  snapshotRows: number;
  rawRows: number;
  events: number;
  errors: number;
  seconds: number;
  /** venues left out because they are not simulated (live, sandbox or shadow) */
  skipped: string[];
}

/**
 * The venues simulated history may be written for: paper under this environment and not
 * recorded as anything else by a running worker. A live or shadow venue's 1 h / 12 h
 * factors must come from its real market only.
 */
export async function simulatedVenues(db: Queryable, names: string[], env = process.env): Promise<{ paper: string[]; skipped: string[] }> {
  const plan = await venueModesFor(names, env);
  const { rows } = await db.query(
    `select venue from watchlist.venue_mode where mode <> 'paper' and venue = any ($1::text[])`,
    [names],
  );
  const real = new Set(rows.map((r: { venue: string }) => r.venue));
  const paper = plan.filter((p) => p.mode === 'paper' && !real.has(p.venue)).map((p) => p.venue);
  return { paper, skipped: names.filter((n) => !paper.includes(n)) };
}

export async function backfill(db: Queryable, opts: BackfillOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const until = Math.floor((opts.until ?? Date.now()) / 60_000) * 60_000;
  const from = until - Math.round(opts.hours * 60) * 60_000;
  const env = opts.env ?? process.env;
  const { paper, skipped } = await simulatedVenues(db, opts.venues ?? venueNamesFromEnv(env), env);
  if (skipped.length) opts.progress?.(`backfill: no simulated history for ${skipped.join(', ')} (not paper venues)`);
  if (paper.length === 0) return { minutes: 0, snapshotRows: 0, rawRows: 0, events: 0, errors: 0, seconds: 0, skipped };
  const clock = new ManualClock(from);
  const set = await buildVenues({ db, venues: paper, mode: 'paper', seed: opts.seed, clock, env });
  const iso = (t: number) => new Date(t).toISOString();
  // every partitioned table the minute path writes (snapshots, raw rows, the scanner's own)
  await db.query('select watchlist.ensure_partitions(table_name, $1, $2) from watchlist.partition_policy', [iso(from), iso(until)]);
  const { rows: hasClose } = await db.query(`select to_regprocedure('watchlist.close_stale_events(timestamptz)') is not null as ok`);
  let errors = 0;
  const total = (until - from) / 60_000 + 1;
  for (let t = from, i = 1; t <= until; t += 60_000, i++) {
    clock.set(t);
    const r = await collectMinute(db, set.venues, t, { symbols: opts.symbols });
    errors += r.errors;
    if (hasClose[0].ok) await db.query('select watchlist.close_stale_events($1)', [iso(t)]);
    opts.onMinute?.(i, total);
  }
  await set.close();
  const { rows } = await db.query(
    `select (select count(*) from watchlist.market_snapshot where ts between $1 and $2)::int as snapshots,
            (select count(*) from watchlist.watch_signal_raw where ts between $1 and $2)::int as raw,
            (select count(*) from watchlist.watch_signal_event where start_ts between $1 and $2)::int as events`,
    [iso(from), iso(until)],
  );
  return {
    minutes: total,
    snapshotRows: rows[0].snapshots,
    rawRows: rows[0].raw,
    events: rows[0].events,
    errors,
    seconds: (performance.now() - started) / 1000,
    skipped,
  };
}

export function registerBackfill(program: Command) {
  program
    .command('backfill')
    .description('fill simulated market history (snapshots → raw signals → events) for the last H hours')
    .option('--hours <h>', 'hours of history', '12')
    .option('--venues <list>', 'comma-separated simulated venues (default WL_VENUES or binance,okx,bybit,bitget)')
    .option('--symbols <list>', 'comma-separated symbols (default: strategy_config collect.symbols or the default universe)')
    .option('--seed <n>', 'simulator seed (default WL_SIM_SEED or 42; use the same seed as the running paper venues)')
    .action(async (o: { hours: string; venues?: string; symbols?: string; seed?: string }) => {
      const hours = Number(o.hours);
      if (!(hours > 0 && hours <= 24 * 14)) throw new Error('--hours must be in (0, 336]');
      const db = await openMigrated();
      const pool = makePool('backfill', { connectionString: db.url, max: 2 });
      const p = makeProgress('backfill', undefined, { unit: 'minutes' });
      try {
        const s = await backfill(pool, {
          hours,
          venues: o.venues?.split(',').map((x) => x.trim()),
          symbols: o.symbols?.split(',').map((x) => x.trim()),
          seed: o.seed !== undefined ? Number(o.seed) : undefined,
          progress: log,
          onMinute: (done, total) => {
            p.setTotal(total);
            p.update(done);
          },
        });
        p.done();
        log(
          `backfill done: ${s.minutes} minutes, ${s.snapshotRows} snapshot rows, ${s.rawRows} raw rows, ${s.events} events, ` +
            `${s.errors} venue errors in ${s.seconds.toFixed(1)} s`,
        );
      } finally {
        await pool.end();
      }
      await shutdown(0);
    });
}
