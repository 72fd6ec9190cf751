// `wl up --demo`: the whole loop (signals, trades opening, take-profit exits, a
// max-hold exit) within minutes, on paper venues and a database of its own. Everything
// a demo changes is here, once: the simulated market's pace (read by the venue
// registry, hence by the worker and the backfill), the settings the demo stores through
// the settings registry, and the hours of history it backfills (both cli/run.ts).
// test/demo-take-profit.test.ts runs the loop on exactly these.
import type { SimOptions } from './market.ts';
import type { SqlClient } from '../sql/client.ts';
import { setConfig } from '../sql/set_config.ts';

type Env = Record<string, string | undefined>;

/**
 * The demo market. At the normal pace a dislocation holds 5–30 min and reverts with
 * τ 60–240 min, about six per day over the universe: a ten-minute demo would see
 * none close. Here one in each (venue, symbol, hour), at a random minute with a random
 * size (1–4 %) and direction, held about a minute and reverting with τ 2–7 min (an
 * exponential reversion still, never a step), so several trades open within minutes
 * and most reach take-profit within a few more.
 */
export const DEMO_MARKET: Readonly<Omit<SimOptions, 'seed'>> = Object.freeze({ dislocationPerHour: 1, reversionScale: 0.03 });

/**
 * Settings the demo stores in its own database (audited as `wl up --demo`, shown on
 * /settings). Take-profit at half the predicted PnL (the prediction is for a 4-hour
 * horizon, the demo's reversions take minutes); a 15-minute max hold, so a trade whose
 * spread does not come back is seen leaving too; a daily cap a busy demo does not hit.
 */
export const DEMO_SETTINGS: Readonly<Record<string, number>> = Object.freeze({
  'trade.take_profit_ratio': 0.5,
  'trade.max_hold_hours': 0.25,
  'trade.daily_cap': 500,
});

/**
 * Hours of history a demo's first start backfills (WL_BACKFILL_HOURS overrides): the
 * Type B factors read the last hour (1 h windows, scan.min_points_1h), and 12 h of the
 * busy demo market would keep the user waiting over a minute before the first live minute.
 */
export const DEMO_BACKFILL_HOURS = 2;

/** the simulator options for this environment: the demo market under WL_SIM_DEMO=1 */
export function demoMarket(env: Env): Omit<SimOptions, 'seed'> {
  return env['WL_SIM_DEMO'] === '1' ? { ...DEMO_MARKET } : {};
}

/** store the demo's settings through the registry (validated and audited like any change) */
export async function applyDemoSettings(db: SqlClient): Promise<void> {
  for (const [key, value] of Object.entries(DEMO_SETTINGS)) await setConfig(db, key, value, 'wl up --demo');
}

/** the figures the pages' DEMO note quotes (/demo.json), so the page names no setting */
export function demoNoteFigures(): { takeProfitPct: number; maxHoldMinutes: number } {
  return {
    takeProfitPct: Math.round(DEMO_SETTINGS['trade.take_profit_ratio'] * 100),
    maxHoldMinutes: Math.round(DEMO_SETTINGS['trade.max_hold_hours'] * 60),
  };
}

/** one log line: what the demo set */
export function describeDemoSettings(): string {
  return Object.entries(DEMO_SETTINGS).map(([k, v]) => `${k} = ${v}`).join(', ');
}
