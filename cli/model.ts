// `wl model fit` / `wl model activate VERSION` / `wl model list`: the fitted models
// predict_bc uses (workers/research/model-fit.ts, sql/research.sql).
import type { Command } from 'commander';
import { makePool } from '../db/pool.ts';
import { openMigrated } from './db.ts';
import { shutdown } from './lifecycle.ts';
import { log } from './log.ts';
import { makeProgress } from './progress.ts';
import { fitModels } from '../research/model-fit.ts';

export const parseList = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
export function parseHorizons(s: string | undefined): number[] | undefined {
  const l = parseList(s);
  if (!l) return undefined;
  const h = l.map(Number);
  if (!h.every((x) => Number.isInteger(x) && x > 0 && x <= 7 * 24 * 60)) throw new Error(`--horizons: whole minutes in (0, 10080], got ${s}`);
  return h;
}
export function parseTypes(s: string | undefined): string[] | undefined {
  const l = parseList(s);
  if (l && !l.every((t) => ['A', 'B', 'C'].includes(t))) throw new Error(`--signal-type(s): A, B or C, got ${s}`);
  return l;
}

const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(4));

export function registerModel(program: Command) {
  const model = program.command('model').description('fitted pnl models: fit, activate, list');
  model
    .command('fit')
    .description('fit OLS of pnl_total on the five factors per horizon, validated on rolling time windows; records a versioned pnl_model row')
    .option('--signal-type <list>', 'signal types (default B)')
    .option('--horizons <list>', 'horizons in minutes (default: those with an active model)')
    .option('--days <d>', 'days of events (default setting model.fit_days)')
    .action(async (o: { signalType?: string; horizons?: string; days?: string }) => {
      const types = parseTypes(o.signalType);
      const horizons = parseHorizons(o.horizons);
      const days = o.days !== undefined ? Number(o.days) : undefined;
      if (days !== undefined && !(days > 0)) throw new Error('--days must be > 0');
      const db = await openMigrated();
      const pool = makePool('model-fit', { connectionString: db.url, max: 2 });
      try {
        const p = makeProgress('model fit', undefined, { unit: 'models' });
        const res = await fitModels(pool, {
          signalTypes: types, horizons, days, actor: `wl model fit (${process.env.USER ?? 'cli'})`,
          progress: (done, total, note) => {
            p.setTotal(total);
            p.update(done, note);
          },
        });
        p.done();
        for (const r of res) {
          process.stdout.write(
            `${r.signalType}/${r.horizonMin}m ${r.version} ${r.status} n=${r.n} n_test=${r.nTest} oos_r2=${fmt(r.oosR2)} ` +
              `oos_ic=${fmt(r.oosIc)} calibration_error=${fmt(r.calibError)} active_oos_r2=${fmt(r.activeOosR2)} ` +
              `${r.activated ? 'ACTIVATED' : 'not activated'}\n  ${r.note}\n`,
          );
        }
      } finally {
        await pool.end();
      }
      await shutdown(0);
    });
  model
    .command('activate <version>')
    .description('make a fitted version the active model (audited in pnl_model_activation)')
    .option('--signal-type <t>', 'only this signal type')
    .option('--horizon <m>', 'only this horizon')
    .option('--reason <text>', 'why (kept in the audit)', 'manual activation')
    .action(async (version: string, o: { signalType?: string; horizon?: string; reason: string }) => {
      const db = await openMigrated();
      const pool = makePool('model-activate', { connectionString: db.url, max: 1 });
      try {
        const { rows } = await pool.query('select * from watchlist.activate_model($1, $2, $3, $4, $5)', [
          version, `wl model activate (${process.env.USER ?? 'cli'})`, o.reason, o.signalType ?? null,
          o.horizon !== undefined ? Number(o.horizon) : null,
        ]);
        if (!rows.length) process.stdout.write(`${version} was already active\n`);
        for (const r of rows) process.stdout.write(`${r.signal_type}/${r.horizon_min}m: ${r.from_version ?? '(none)'} → ${r.to_version}\n`);
      } finally {
        await pool.end();
      }
      await shutdown(0);
    });
  model
    .command('list')
    .description('models per signal type and horizon, newest first')
    .action(async () => {
      const db = await openMigrated();
      const pool = makePool('model-list', { connectionString: db.url, max: 1 });
      try {
        const { rows } = await pool.query(`select signal_type, horizon_min, version, active, is_prior, fit_status, n_obs, n_test,
            oos_r2, oos_ic, calib_error, fitted_at from watchlist.pnl_model order by signal_type, horizon_min, fitted_at desc, id desc`);
        for (const r of rows) {
          process.stdout.write(
            `${r.signal_type}/${r.horizon_min}m ${r.version}${r.active ? ' ACTIVE' : ''}${r.is_prior ? ' prior' : ''} ${r.fit_status} ` +
              `n=${r.n_obs ?? '-'} n_test=${r.n_test ?? '-'} oos_r2=${fmt(r.oos_r2)} oos_ic=${fmt(r.oos_ic)} calibration_error=${fmt(r.calib_error)}\n`,
          );
        }
      } finally {
        await pool.end();
      }
      await shutdown(0);
    });
}
