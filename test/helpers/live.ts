// Live-loop test helpers: events shaped like the scanner's, config, job queue reads.
import type { TestDb } from './db.ts';

// events and models are built by the shared fixture builder
export { eventFeatures, insertEvent, type EventOpts } from './fixtures.ts';
import { fixedModel as fixtureModel, type Q } from './fixtures.ts';

export async function setConfig(db: Q, key: string, value: unknown) {
  await db.query('select watchlist.set_config($1, $2::jsonb, $3)', [key, JSON.stringify(value), 'test']);
}

export async function signals(db: Q) {
  return (await db.query('select * from watchlist.live_trade_signal order by id')).rows;
}

export async function jobs(db: Q, task?: string) {
  return (
    await db.query(`select j.*, t.identifier as task from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where $1::text is null or t.identifier = $1 order by j.id`, [task ?? null])
  ).rows;
}

/** a model with a known prediction, so the re-check's pnl_hat is under the test's control */
export async function fixedModel(db: TestDb, pnlHat: number) {
  await fixtureModel(db, pnlHat);
}

export async function enqueue(db: TestDb, task: string, payload: unknown = {}) {
  await db.query('select watchlist.enqueue($1, $2::json)', [task, JSON.stringify(payload)]);
}
