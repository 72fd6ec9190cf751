// `wl preflight`: check every configured venue's account before money moves (position mode,
// margin mode, leverage, clock, key permissions), record the result (a failing venue is
// not traded) and print one table. Exit 1 when a venue fails. `wl up` and `wl worker` run
// the same at start (runPreflight).
import type { Command } from 'commander';
import type { Queryable } from '../workers/venues/paper-venue.ts';
import type { VenueSet } from '../workers/venues/registry.ts';
import { DEFAULT_SYMBOLS } from '../workers/sim/universe.ts';
import { openWithVenues } from './db.ts';
import { shutdown } from './lifecycle.ts';
import { log } from './log.ts';

export interface PreflightRun {
  ok: boolean;
  table: string;
  failed: string[];
}

/** preflight every venue of the set, record each, log the failures; the other venues go on */
export async function runPreflight(
  db: Queryable,
  set: Pick<VenueSet, 'venues'>,
  env: Record<string, string | undefined> = process.env,
  o: { prune?: boolean } = {},
): Promise<PreflightRun> {
  const pf = await import('../workers/venues/preflight.ts');
  // at start-up the set is every configured venue: forget venues no longer configured
  if (o.prune) await db.query('select watchlist.prune_venue_preflight($1::text[])', [set.venues.map((v) => v.name)]);
  const opts = await pf.preflightOptions(db, env, DEFAULT_SYMBOLS.map((s) => s.symbol));
  const results = await pf.preflightAll(set.venues, opts);
  const failed: string[] = [];
  for (const r of results) {
    const tradeable = await pf.recordPreflight(db, r);
    if (!tradeable) {
      failed.push(r.venue);
      const why = r.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`).join('; ');
      log(`preflight: ${r.venue} (${r.environment}) NOT TRADED: ${why}`);
    }
  }
  return { ok: failed.length === 0, table: pf.formatPreflightTable(results), failed };
}

export function registerPreflight(program: Command) {
  program
    .command('preflight')
    .description('check each venue account (position mode, margin mode, leverage, clock, key permissions); exit 1 when one fails')
    .option('--venues <list>', 'exchanges to check (default WL_VENUES or binance,okx,bybit,bitget)')
    .option('--sandbox', "the exchanges' demo/testnet with the *_SANDBOX_* keys (WL_VENUE_SANDBOX=1)")
    .action(async (o: { venues?: string; sandbox?: boolean }) => {
      if (o.venues) process.env.WL_VENUES = o.venues;
      if (o.sandbox) process.env.WL_VENUE_SANDBOX = '1';
      const { pool, set } = await openWithVenues();
      if (set.sandbox) log('SANDBOX: venues are the exchanges\' demo/testnet environments');
      const r = await runPreflight(pool, set);
      process.stdout.write(r.table + '\n');
      await shutdown(r.ok ? 0 : 1);
    });
}
