// Real graphile-worker against a test database, with paper venues sharing its ledger.
import { Logger, runOnce, run, type Runner } from 'graphile-worker';
import { taskList } from '../../workers/tasks/index.ts';
import { configureVenues, sharedVenues, closeSharedVenues, type VenueSet } from '../../workers/venues/registry.ts';
import type { TestDb } from './db.ts';
import type { SimOptions } from '../../workers/sim/market.ts';

export const quietLogger = new Logger(() => () => {});

export async function paperVenues(db: TestDb, sim?: Omit<SimOptions, 'seed'>): Promise<VenueSet> {
  await closeSharedVenues();
  configureVenues({ db: db.pool, mode: 'paper', venues: ['binance', 'okx', 'bybit', 'bitget'], sim });
  return sharedVenues();
}

/** run every job that is ready now (and those they enqueue), then return */
export async function drain(db: TestDb, rounds = 3) {
  for (let i = 0; i < rounds; i++) {
    await runOnce({ connectionString: db.url, taskList, logger: quietLogger, noPreparedStatements: false });
  }
}

export async function startRunner(db: TestDb): Promise<Runner> {
  return run({ connectionString: db.url, taskList, logger: quietLogger, concurrency: 8, pollInterval: 200, noHandleSignals: true, crontab: '' });
}

export { closeSharedVenues };
