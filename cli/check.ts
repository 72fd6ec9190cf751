// `wl check data`: the plan's acceptance gates for backtesting (outcome coverage of due
// events, raw↔event join at the decision time, funding schedule missing rate, prediction
// coverage) as one table; exit 1 when a gate fails. `wl outcomes`: the outcome worker now,
// until no leg waits for its funding history. Thresholds are settings (check.*, outcome.*).
import type { Command } from 'commander';
import pg from 'pg';
import { openMigrated, openWithVenues } from './db.ts';
import { onShutdown, shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import type { Queryable } from '../workers/venues/paper-venue.ts';
import { textTable } from '../workers/text-table.ts';

export interface GateRow { gate: string; value: number | null; threshold: number; ok: boolean; n: number; detail: string }

export async function checkData(db: Queryable, now?: Date): Promise<{ ok: boolean; rows: GateRow[]; table: string }> {
  const { rows } = await db.query('select gate, value, threshold, ok, n::int as n, detail from watchlist.check_data($1)', [
    (now ?? new Date()).toISOString(),
  ]);
  const gates = rows as GateRow[];
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);
  const table = textTable(
    ['gate', 'value', 'threshold', 'n', 'result', 'what'],
    gates.map((g) => [g.gate, pct(g.value), pct(g.threshold), String(g.n), g.ok ? 'ok' : 'FAILED', g.detail]),
  );
  return { ok: gates.every((g) => g.ok), rows: gates, table };
}

export function registerCheck(program: Command) {
  const check = program.command('check').description('data checks');
  check
    .command('data')
    .description("the plan's acceptance gates (outcome coverage, raw↔event join, funding schedule, prediction coverage); exit 1 when one fails")
    .action(async () => {
      const db = await openMigrated();
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      onShutdown('pool', () => pool.end());
      const r = await checkData(pool);
      process.stdout.write(r.table + '\n');
      await shutdown(r.ok ? 0 : 1);
    });
  program
    .command('outcomes')
    .description('the outcome worker now, pass after pass until no leg waits for funding history (history from the configured venues, then every due outcome)')
    .action(async () => {
      const { pool, set } = await openWithVenues();
      const { runOutcomesUntilDone } = await import('../workers/tasks/compute_outcomes.ts');
      const r = await runOutcomesUntilDone(pool, set.venues, Date.now(), 100, (n, p) =>
        log(`outcomes pass ${n}: ${p.written} written, ${p.fetched} funding histories fetched, ${p.fetchErrors} failed`));
      process.stdout.write(`outcomes: ${r.written} written, ${r.fetched} funding histories fetched, ${r.fetchErrors} failed (${r.passes} passes)\n`);
      await shutdown(0);
    });
}
