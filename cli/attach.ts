// Attach mode (sql/attach.sql): stored in the database as the setting ingest.attach,
// so the merge trigger and the scanner read it; `wl up --attach` / WL_ATTACH set it.
import pg from 'pg';
import { log } from './log.ts';
import { setConfig } from '../workers/sql/set_config.ts';

/** --attach or WL_ATTACH=1 turns it on, WL_ATTACH=0 off; neither leaves the stored mode as it is */
export function attachWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean | null {
  if (flag) return true;
  const v = env.WL_ATTACH?.trim().toLowerCase();
  if (v === undefined || v === '') return null;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`WL_ATTACH=${env.WL_ATTACH}: expected 1 or 0`);
}

/** store the wanted mode (if any) and print the mode in force for the start-up banner */
export async function applyAttachMode(url: string, flag: boolean | undefined): Promise<boolean> {
  const want = attachWanted(flag);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    if (want !== null) {
      await setConfig(c, 'ingest.attach', want, flag ? 'wl up --attach' : 'WL_ATTACH');
    }
    const { rows } = await c.query('select watchlist.attach_mode() as on');
    const on = rows[0].on === true;
    log(on
      ? 'mode: ATTACHED to an external watchlist writer: its events are traded; no raw rows or events are written here'
      : 'mode: standalone: the scanner writes raw rows and the SQL merge makes the events');
    return on;
  } finally {
    await c.end();
  }
}
