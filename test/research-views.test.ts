// Predicted vs realised per live trade and its calibration summary (issue 11 item 5),
// and the /research page: served, and its GraphQL query answered over HTTP for an
// anonymous reader with the newest stored report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { seedEvents } from './helpers/research-fixture.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';

let db: TestDb;
let srv: RunningServer;
let events: number[];
const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 3_600_000);

beforeAll(async () => {
  db = await freshDb();
  const f = { raw_slope_3m: 0, raw_drift_ratio: 0.5, spread_log_short_over_long: 0.02, raw_crossings_1h: 2, raw_best_buy_high_sell_low: 0.02 };
  events = await seedEvents(db, [
    { start, symbol: 'AAA/USDT:USDT', factors: f, outcomes: { 240: 0.011, 60: 0.004 } },
    { start: new Date(start.getTime() + 60_000), symbol: 'BBB/USDT:USDT', factors: f, outcomes: { 240: -0.002 } },
    { start: new Date(start.getTime() + 120_000), symbol: 'CCC/USDT:USDT', factors: f, outcomes: {} },
  ]);
  await db.query(`update watchlist.future_outcome set pnl_spread = pnl_total - 0.001, pnl_funding = 0.001`);
  const ins = async (event: number, symbol: string, status: string, pnlHat: number, winProb: number, recheck: object | null) =>
    (await db.query(
      `insert into watchlist.live_trade_signal (event_id, symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
         status, notional_usdt, opened_at, closed_at, recheck)
       values ($1, $2, 240, $3, $4, 'binance', 'okx', $5, 50, $6, case when $5 = 'closed' then $6::timestamptz + interval '3 hours' end, $7)
       returning id`,
      [event, symbol, pnlHat, winProb, status, start, recheck && JSON.stringify(recheck)],
    )).rows[0].id as string;
  const a = await ins(events[0], 'AAA/USDT:USDT', 'closed', 0.015, 0.96, { pnl_hat: 0.014, win_prob: 0.955, model_version: 'fit-x' });
  const b = await ins(events[1], 'BBB/USDT:USDT', 'closed', 0.02, 0.97, null);
  await ins(events[2], 'CCC/USDT:USDT', 'open', 0.018, 0.95, { pnl_hat: 0.017, win_prob: 0.951, model_version: 'fit-x' });
  await db.query(`insert into watchlist.live_trade_signal (symbol, horizon_min, status, pnl_hat, win_prob) values ('DDD/USDT:USDT', 240, 'ignored', 0.001, 0.5)`);
  await db.query(
    `insert into watchlist.live_trade_exit (signal_id, reason, closed_at, realized_pnl_usdt, realized_pnl_frac, pnl_hat, funding_sources)
     values ($1, 'take_profit', now(), 0.6, 0.012, 0.014, '{"short": "account", "long": "account"}'),
            ($2, 'max_hold', now(), -0.15, -0.003, 0.02, '{"short": "account", "long": "account"}')`,
    [a, b],
  );
  srv = await startServer({ url: db.url, port: 0, graphiql: false });
});
afterAll(async () => {
  await srv?.stop();
  await db?.close();
});

describe('predicted vs realised', () => {
  it('one row per admitted trade: pnl_hat at admission and re-check, the outcome at the trade horizon, realised PnL', async () => {
    const { rows } = await db.query(`select * from watchlist.v_trade_predicted_vs_realised order by symbol`);
    expect(rows.map((r) => r.symbol)).toEqual(['AAA/USDT:USDT', 'BBB/USDT:USDT', 'CCC/USDT:USDT']);
    const [a, b, c] = rows;
    expect(a).toMatchObject({ pnl_hat_admission: 0.015, win_prob_admission: 0.96, pnl_hat_recheck: 0.014, win_prob_recheck: 0.955,
      model_version_recheck: 'fit-x', outcome_pnl_total: 0.011, outcome_pnl_funding: 0.001, realized_pnl_frac: 0.012, exit_reason: 'take_profit', pnl_complete: true });
    expect(a.outcome_pnl_spread).toBeCloseTo(0.01, 12);
    expect(a.realized_minus_predicted).toBeCloseTo(0.012 - 0.014, 12);
    // no re-check: the admission prediction is what it is measured against
    expect(b.pnl_hat_recheck).toBeNull();
    expect(b.outcome_pnl_total).toBe(-0.002);
    expect(b.realized_minus_predicted).toBeCloseTo(-0.003 - 0.02, 12);
    // still open, no outcome yet
    expect(c).toMatchObject({ status: 'open', pnl_hat_recheck: 0.017, outcome_pnl_total: null, realized_pnl_frac: null });
  });

  it('the calibration summary compares predicted and realised win rate per win_prob band', async () => {
    const { rows } = await db.query(`select * from watchlist.v_trade_calibration`);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect(Number(r.win_prob_from)).toBe(0.9);
    expect(r.trades).toBe(2);
    expect(r.mean_win_prob).toBeCloseTo((0.955 + 0.97) / 2, 12);
    expect(r.realized_win_rate).toBe(0.5);
    expect(r.mean_pnl_hat).toBeCloseTo((0.014 + 0.02) / 2, 12);
    expect(r.mean_realized_pnl_frac).toBeCloseTo((0.012 - 0.003) / 2, 12);
    expect(r.mean_outcome_pnl_total).toBeCloseTo((0.011 - 0.002) / 2, 12);
    expect(r.mean_error).toBeCloseTo((0.012 - 0.014 + -0.003 - 0.02) / 2, 12);
  });
});

describe('/research', () => {
  it('serves the page, and its query returns the newest report and the live calibration to an anonymous reader', async () => {
    const page = await fetch(`${srv.url}/research`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/pages/research.js');
    const js = await fetch(`${srv.url}/pages/research.js`);
    expect(js.status).toBe(200);
    await db.query(`insert into watchlist.research_report (params, summary, markdown, charts) values
      ('{"days": 1}', '{"events": 1}', '# old', '{}'), ('{"days": 7}', '{"events": 3}', '# new', '{"ic_mean": "<svg></svg>"}')`);
    const src = readFileSync(path.join(import.meta.dirname, '../graphql/pages/research.js'), 'utf8');
    const query = /const QUERY = `([^`]+)`/.exec(src)![1];
    const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = await res.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.reports.nodes).toHaveLength(1);
    expect(body.data.reports.nodes[0].params).toEqual({ days: 7 });
    expect(body.data.reports.nodes[0].charts.ic_mean).toBe('<svg></svg>');
    expect(body.data.calibration.nodes[0].trades).toBe(2);
  });
});
