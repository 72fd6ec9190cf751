// `wl report ic`: the IC/IR and backtest report (workers/research/report-ic.ts).
import type { Command } from 'commander';
import { makePool } from '../db/pool.ts';
import { openMigrated } from './db.ts';
import { shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { makeProgress } from './progress.ts';
import { parseHorizons, parseTypes } from './model.ts';
import { runReport } from '../research/report-ic.ts';

const positive = (name: string, s: string, int = false) => {
  const v = Number(s);
  if (!(v > 0) || (int && !Number.isInteger(v))) throw new Error(`${name} must be a positive ${int ? 'whole ' : ''}number, got ${s}`);
  return v;
};

export function registerReport(program: Command) {
  const report = program.command('report').description('research reports');
  report
    .command('ic')
    .description('Spearman IC/IR of each factor and pnl_hat per horizon, quantile returns and the gate replayed on outcomes: Markdown + CSV + SVG')
    .option('--days <d>', 'days of events before now', '7')
    .option('--horizons <list>', 'horizons in minutes', '60,240,480')
    .option('--signal-types <list>', 'signal types', 'B')
    .option('--bucket-min <m>', 'time bucket of decision times, minutes', '60')
    .option('--min-bucket-n <k>', 'leave out buckets with fewer events', '10')
    .option('--quantiles <q>', 'factor quantiles', '5')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (o: { days: string; horizons: string; signalTypes: string; bucketMin: string; minBucketN: string; quantiles: string; out: string }) => {
      const opts = {
        days: positive('--days', o.days),
        horizons: parseHorizons(o.horizons)!,
        signalTypes: parseTypes(o.signalTypes)!,
        bucketMin: positive('--bucket-min', o.bucketMin, true),
        minBucketN: positive('--min-bucket-n', o.minBucketN, true),
        quantiles: positive('--quantiles', o.quantiles, true),
        out: o.out,
      };
      const db = await openMigrated();
      const pool = makePool('report', { connectionString: db.url, max: 2 });
      try {
        const p = makeProgress('report ic', undefined, { unit: 'steps' });
        const r = await runReport(pool, { ...opts, progress: (done, total, note) => { p.setTotal(total); p.update(done, note); } });
        p.done();
        for (const s of r.strategy) {
          log(`horizon ${s.horizonMin}: ${s.trades} simulated trades of ${s.candidates} candidates, total pnl ${s.totalPnl.toFixed(4)}, max drawdown ${s.maxDrawdown.toFixed(4)}`);
        }
        process.stdout.write(r.files.join('\n') + '\n');
      } finally {
        await pool.end();
      }
      await shutdown(0);
    });
}
