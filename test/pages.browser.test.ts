// The pages in headless Chromium (Debian's chromium, driven by playwright-core)
// against a real server, database, graphile-worker runner and paper venues.
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Runner } from 'graphile-worker';
import { freshDb, type TestDb } from './helpers/db.ts';
import { closeSharedVenues, paperVenues, startRunner } from './helpers/worker.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { icMeanSpec, renderSvg } from '../research/charts.ts';
import { insertEvent } from './helpers/live.ts';
import { DEMO_SETTINGS } from '../workers/sim/demo.ts';

const CHROMIUM = process.env.WL_CHROMIUM || '/usr/bin/chromium';
// without Chromium every page test is skipped with this message (CI, where .ci/run installs it, fails instead)
const NO_CHROMIUM = existsSync(CHROMIUM)
  ? null
  : `page tests SKIPPED: ${CHROMIUM} missing. Install Debian's chromium: sudo apt-get install chromium (or run .ci/browser-deps.sh)`;
if (NO_CHROMIUM) {
  if (process.env.CI) throw new Error(NO_CHROMIUM);
  console.warn(NO_CHROMIUM);
  describe('Chromium', () => vitestIt.skip(NO_CHROMIUM, () => {}));
}
const it = (NO_CHROMIUM ? vitestIt.skip : vitestIt) as typeof vitestIt;
const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'test-artifacts');
const TOKEN = `browser-${Math.random().toString(36).slice(2)}`;
// a loaded 2-core machine: the first paint can take seconds
const POLL = { timeout: 15_000, interval: 100 };

let db: TestDb;
let srv: RunningServer;
let runner: Runner;
let browser: Browser;

async function open(p: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(srv.url + p);
  return page;
}
const problemsOf = (page: Page) => (page as Page & { problems?: string[] }).problems ?? [];
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (NO_CHROMIUM) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await freshDb();
  for (const t of ['watch_signal_raw', 'market_snapshot']) {
    await db.query(`select watchlist.ensure_partitions($1, now() - interval '13 hours', now() + interval '1 day')`, [t]);
  }
  // an open trade two hours old with a sample a minute, and an ignored signal
  const { rows } = await db.query(
    `insert into watchlist.live_trade_signal (symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
       status, notional_usdt, entry_spread, opened_at, created_at)
     values ('ETH/USDT:USDT', 240, 0.018, 0.96, 'okx', 'binance', 'open', 50, 0.021, now() - interval '2 hours', now() - interval '2 hours')
     returning id`,
  );
  await db.query(
    `insert into watchlist.live_trade_spread_sample (signal_id, ts, spread, pnl_est)
     select $1, now() - (g || ' minutes')::interval, 0.021 - 0.00005 * (120 - g), 0.00005 * (120 - g) - 0.002 from generate_series(0, 120) g`,
    [rows[0].id],
  );
  await db.query(
    `insert into watchlist.live_trade_signal (symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange, status, reason)
     values ('XRP/USDT:USDT', 240, 0.009, 0.9, 'bybit', 'okx', 'ignored', 'below_threshold')`,
  );
  // 25 raw minutes for the browser to page through
  await db.query(
    `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, spread_rel, leg_a_exchange, leg_b_exchange)
     select date_trunc('minute', now()) - (g || ' minutes')::interval, 'multi', 'SOL/USDT:USDT', 'B', 0.008 + g * 1e-5, 'bybit', 'bitget'
     from generate_series(24, 0, -1) g`,
  );
  // mids of the two venues for the 12h chart (no scanner pair_minute series here, so the snapshot fallback)
  await db.query(
    `insert into watchlist.market_snapshot (ts, venue, symbol, mid)
     select date_trunc('minute', now()) - (g || ' minutes')::interval, v.venue, 'SOL/USDT:USDT',
            case when v.venue = 'bybit' then 181 + sin(g / 60.0) else 180 end
     from generate_series(0, 719) g, (values ('bybit'), ('bitget')) v(venue)`,
  );
  srv = await startServer({ url: db.url, port: 0, traderToken: TOKEN, graphiql: false });
  await paperVenues(db);
  runner = await startRunner(db);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await closeSharedVenues();
  await srv?.stop();
  await db?.close();
});

describe('/live_trading', () => {
  it('shows the seeded trade, its chart, and disables the buttons without the credential', async () => {
    const page = await open('/live_trading');
    const row = page.locator('#active tbody tr', { hasText: 'ETH/USDT:USDT' });
    await expect.poll(() => row.count(), POLL).toBe(1);
    const text = await row.innerText();
    expect(text).toContain('okx');
    expect(text).toContain('binance');
    expect(text).toContain('180.0 bps'); // predicted pnl 0.018
    expect(text).toContain('144.0 bps'); // take-profit 0.8 × 0.018
    expect(text).toMatch(/open/);
    const canvas = page.locator('#charts canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(100);
    await expect.poll(() => page.locator('#signals tbody tr', { hasText: 'below_threshold' }).count(), POLL).toBe(1);
    for (const label of ['BTC open long 20U', 'BTC open short 20U', 'BTC close long 20U', 'BTC close short 20U']) {
      expect(await page.getByRole('button', { name: label }).isDisabled()).toBe(true);
    }
    expect(await page.locator('#active button.close-trade').isDisabled()).toBe(true);
    expect(await page.locator('#role').innerText()).toBe('read-only');
    await shot(page, 'live_trading');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('with the trader credential, "BTC open long 20U" produces a paper position that shows on the page', async () => {
    const page = await open('/live_trading');
    await page.fill('#trader-token', TOKEN);
    await page.click('#token-save');
    const button = page.getByRole('button', { name: 'BTC open long 20U' });
    await expect.poll(() => button.isEnabled(), POLL).toBe(true);
    expect(await page.locator('#role').innerText()).toBe('trader');
    await page.selectOption('#venue', 'binance');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await button.click();
    await expect.poll(() => page.locator('#manual-result').innerText(), POLL).toMatch(/accepted \(manual order #\d+\)/);
    expect(dialogs[0]).toMatch(/BTC open long 20U on binance/);
    // the worker fills it on the paper venue; the page learns of it through the live_trade subscription
    const pos = page.locator('#positions tbody tr', { hasText: 'BTC/USDT:USDT' });
    // the order's fills (what the DB expects) can land a moment before the venue's
    // position is re-read, and the page shows that moment as a mismatch: wait for both
    const venueReports = async () => ((await pos.count()) === 1 ? Number((await pos.locator('td').nth(2).innerText()) || 0) : 0);
    // generous: under a full parallel suite on 2 cores the job and the re-read queue behind other files
    await expect.poll(venueReports, { timeout: 45_000, interval: 200 }).toBeGreaterThan(0);
    const cells = await pos.locator('td').allInnerTexts();
    expect(cells[0]).toBe('binance');
    const venueSize = Number(cells[2]);
    expect(Number(cells[3])).toBe(venueSize); // DB expects what the venue reports
    expect(await pos.getAttribute('class')).not.toBe('mismatch');
    await expect.poll(async () => (await db.query(`select status from watchlist.manual_order`)).rows[0].status, POLL).toBe('filled');
    // 20 USDT of BTC rounded down to the amount step (or the 50 USDT fallback when 20 is under the venue minimum)
    const { rows } = await db.query(`select p.size_base::float8 s, m.notional_usdt::float8 n, o.avg_price::float8 px
      from watchlist.venue_position p, watchlist.manual_order m join watchlist.live_trade_order o on o.id = m.order_id
      where p.venue = 'binance' and p.symbol = 'BTC/USDT:USDT'`);
    expect(rows[0].s).toBeCloseTo(venueSize, 8);
    expect([20, 50]).toContain(rows[0].n);
    expect(rows[0].s * rows[0].px).toBeLessThanOrEqual(rows[0].n * 1.001);
    expect(rows[0].s * rows[0].px).toBeGreaterThan(rows[0].n * 0.5);
    await expect.poll(() => page.locator('#manual-orders tbody tr', { hasText: 'filled' }).count(), POLL).toBe(1);
    const audit = await db.query(`select actor from watchlist.trader_action where action = 'manual_trade'`);
    expect(audit.rows).toEqual([{ actor: 'graphql:trader' }]);
    await shot(page, 'live_trading_trader');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('/watchlist/db', () => {
  it('pages through raw rows, 10 at a time, and filters', async () => {
    const page = await open('/watchlist/db');
    const info = page.locator('#page-info');
    await expect.poll(() => info.innerText(), POLL).toBe('rows 1–10 of 25 · page 1 of 3');
    expect(await page.locator('#rows tbody tr').count()).toBe(10);
    const firstTs = await page.locator('#rows tbody tr').first().locator('td').nth(1).innerText();
    await page.click('#next');
    await expect.poll(() => info.innerText(), POLL).toBe('rows 11–20 of 25 · page 2 of 3');
    expect(await page.locator('#rows tbody tr').first().locator('td').nth(1).innerText()).not.toBe(firstTs);
    await page.click('#next');
    await expect.poll(() => info.innerText(), POLL).toBe('rows 21–25 of 25 · page 3 of 3');
    expect(await page.locator('#next').isDisabled()).toBe(true);
    // a filter: spread above the 20th row's value leaves the 5 widest minutes
    await page.click('#add-filter');
    await page.selectOption('[data-role=field]', 'spreadRel');
    await page.selectOption('[data-role=op]', 'greaterThan');
    await page.fill('[data-role=value]', (0.008 + 19.5e-5).toFixed(6));
    await page.click('#apply');
    await expect.poll(() => info.innerText(), POLL).toBe('rows 1–5 of 5 · page 1 of 1');
    await shot(page, 'watchlist_db');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('/watchlist', () => {
  it('lists the flagged pair and draws its 12h chart', async () => {
    const page = await open('/watchlist');
    await expect.poll(() => page.locator('#watchlist tbody tr', { hasText: 'SOL/USDT:USDT' }).count(), POLL).toBe(1);
    await page.locator('#pair-chart canvas').first().waitFor();
    await expect.poll(() => page.locator('#chart-title').textContent(), POLL).toMatch(/short bybit \/ long bitget .* (719|720) minutes$/);
    const events = await page.locator('#pair-events tbody tr').allInnerTexts();
    expect(events.join('\n')).toMatch(/open/);
    await shot(page, 'watchlist');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('browser edges: CSP and another origin', () => {
  it('the pages run under their Content-Security-Policy: an injected inline script does not run', async () => {
    const page = await open('/watchlist/db');
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toMatch(/^rows /);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.body.append(s);
    });
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    expect(problemsOf(page).join('\n')).toMatch(/Content Security Policy/);
    await page.close();
  });

  it('a page served from another port cannot read trades over the websocket', async () => {
    // the attacker's page: same machine, another port, so another origin
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html><script>
        window.result = new Promise((resolve) => {
          const ws = new WebSocket('ws://127.0.0.1:${srv.port}/graphql', 'graphql-transport-ws');
          ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
          ws.onmessage = (e) => {
            const m = JSON.parse(e.data);
            if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ allLiveTradeSignals { nodes { symbol } } }' } }));
            if (m.type === 'next') resolve('read: ' + JSON.stringify(m.payload));
          };
          ws.onclose = (e) => resolve('closed ' + e.code);
        });
      </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<string> }).result);
      expect(result).not.toMatch(/ETH\/USDT/);
      expect(result).toMatch(/^closed/);
    } finally {
      await page.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});

describe('/research', () => {
  it('shows the newest report: its tables and its SVG charts as images, within the CSP', async () => {
    const ic = [{ horizon_min: 240, factor: 'spread_log_short_over_long', buckets: 2, events: 10, mean_ic: 0.9, std_ic: 0.1414, ir: 6.364, t_stat: 9, hit_rate: 1 }];
    const svg = await renderSvg(icMeanSpec(ic));
    await db.query(
      `insert into watchlist.research_report (params, summary, markdown, charts) values ($1, $2, '# r', $3)`,
      [JSON.stringify({ horizons: [240], signal_types: ['B'], bucket_min: 60, min_bucket_n: 5 }),
       JSON.stringify({ ic_summary: ic, quantiles: [], strategy: [{ horizonMin: 240, candidates: 10, trades: 7, winRate: 6 / 7, meanPnl: 0.00286, totalPnl: 0.02, maxDrawdown: 0.001 }], models: [], events: 10 }),
       JSON.stringify({ ic_mean: svg })],
    );
    const page = await open('/research');
    const row = page.locator('#ic-summary tbody tr', { hasText: 'spread_log_short_over_long' });
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(await row.innerText()).toContain('0.9000');
    expect(await page.locator('#strategy tbody tr').innerText()).toContain('85.7');
    const img = page.locator('#charts-ic img').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), POLL).toBeGreaterThan(100);
    expect(await page.locator('nav a.active').innerText()).toBe('Research');
    await shot(page, 'research');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('venue banners', () => {
  it('every page says SANDBOX when venues run on demo/testnet, and names a venue that failed preflight', async () => {
    await db.query(`select watchlist.record_venue_preflight('binance', 'sandbox', '[{"check":"clock","ok":true,"detail":"in sync"}]')`);
    await db.query(`select watchlist.record_venue_preflight('okx', 'sandbox', '[{"check":"position_mode","ok":false,"detail":"hedge (dual-side) mode"}]')`);
    try {
      for (const p of ['/live_trading', '/watchlist', '/watchlist/db']) {
        const page = await open(p);
        await expect.poll(() => page.locator('#sandbox-banner').count(), POLL).toBe(1);
        expect(await page.locator('#sandbox-banner').innerText()).toMatch(/^SANDBOX/);
        expect(await page.locator('#preflight-banner').innerText()).toMatch(/okx position_mode: hedge \(dual-side\) mode/);
        if (p === '/live_trading') await shot(page, 'sandbox_banner');
        expect(problemsOf(page)).toEqual([]);
        await page.close();
      }
    } finally {
      await db.query(`delete from watchlist.venue_preflight`);
    }
  });
});

// ---- issue 12: the trader's cockpit ------------------------------------------------

/** a closed hedged trade with orders, fills (1 base unit a leg, 0.1 USDT fee a fill), samples and its exit */
async function seedClosedTrade(o: { symbol: string; short: string; long: string; shortPx: [number, number]; longPx: [number, number]; reason: string }) {
  const { rows } = await db.query(
    `insert into watchlist.live_trade_signal (symbol, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange, status,
       notional_usdt, entry_spread, entry_qty, opened_at, closed_at, created_at, recheck)
     values ($1, 240, 0.02, 0.97, $2, $3, 'closed', 100, ln($4::float8 / $5::float8), 1, now() - interval '3 hours', now() - interval '1 hour',
       now() - interval '3 hours', '{"ok": true, "pnl_hat": 0.015, "win_prob": 0.95}') returning id`,
    [o.symbol, o.short, o.long, o.shortPx[0], o.longPx[0]],
  );
  const id = Number(rows[0].id);
  const legs: Array<[string, string, string, string, number, string]> = [
    ['short', 'open', o.short, 'sell', o.shortPx[0], '3 hours'], ['long', 'open', o.long, 'buy', o.longPx[0], '3 hours'],
    ['short', 'close', o.short, 'buy', o.shortPx[1], '1 hour'], ['long', 'close', o.long, 'sell', o.longPx[1], '1 hour'],
  ];
  for (const [leg, purpose, venue, side, px, ago] of legs) {
    const { rows: [ord] } = await db.query(
      `insert into watchlist.live_trade_order (signal_id, leg, purpose, exchange, symbol, side, client_order_id, reduce_only, amount, status, filled_qty, avg_price, fee, fee_currency, submitted_at)
       values ($1, $2, $3, $4, $5, $6, $7, $3 = 'close', 1, 'filled', 1, $8, 0.1, 'USDT', now() - $9::interval) returning id`,
      [id, leg, purpose, venue, o.symbol, side, `seed${id}${leg}${purpose}`, px, ago],
    );
    await db.query(
      `insert into watchlist.live_trade_fill (order_id, signal_id, exchange, trade_id, ts, price, qty, fee, fee_currency)
       values ($1, $2, $3, $4, now() - $5::interval, $6, 1, 0.1, 'USDT')`,
      [ord.id, id, venue, `t${ord.id}`, ago, px],
    );
  }
  // realised = Σ sells − buys − fees (no funding)
  const realized = o.shortPx[0] - o.shortPx[1] + (o.longPx[1] - o.longPx[0]) - 0.4;
  await db.query(
    `insert into watchlist.live_trade_exit (signal_id, reason, requested_at, closed_at, spread_pnl, fees_usdt, funding_usdt, realized_pnl_usdt, realized_pnl_frac, pnl_hat, funding_sources)
     values ($1, $2, now() - interval '61 minutes', now() - interval '1 hour', 0, 0.4, 0, $3, $3 / $4::numeric, 0.015, '{"short": "account", "long": "account"}')`,
    [id, o.reason, realized.toFixed(8), o.longPx[0]],
  );
  await db.query(
    `insert into watchlist.live_trade_spread_sample (signal_id, ts, spread, pnl_est)
     select $1, now() - interval '1 hour' - (g || ' minutes')::interval, 0.01 - 0.00005 * (120 - g), 0.00005 * (120 - g) - 0.002 from generate_series(0, 119) g`,
    [id],
  );
  return id;
}

async function asTraderPage(p: string): Promise<Page> {
  const page = await open(p);
  await page.fill('#trader-token', TOKEN);
  await page.click('#token-save');
  await expect.poll(() => page.locator('#role').innerText(), POLL).toBe('trader');
  page.on('dialog', (d) => void d.accept());
  return page;
}

describe('mode badges and the kill switch on every page', () => {
  it('names each venue\'s mode (paper / live) and the kill switch level in every page\'s header', async () => {
    await db.query(`select watchlist.record_venue_modes('auto', '[{"venue":"binance","mode":"paper","markets_loaded":true},{"venue":"okx","mode":"live","markets_loaded":true},{"venue":"bybit","mode":"sandbox","markets_loaded":true},{"venue":"bitget","mode":"shadow","markets_loaded":false}]')`);
    try {
      for (const p of ['/live_trading', '/trades', '/trade?id=1', '/watchlist', '/settings', '/watchlist/db']) {
        const page = await open(p);
        const badge = (v: string) => page.locator(`#mode-badges .mode-badge[data-venue="${v}"]`);
        await expect.poll(() => badge('okx').count(), POLL).toBe(1);
        expect(await badge('okx').innerText()).toBe('okx LIVE');
        expect(await badge('okx').getAttribute('title')).toMatch(/real money/);
        expect(await badge('binance').innerText()).toBe('binance PAPER');
        expect(await badge('bybit').innerText()).toBe('bybit SANDBOX');
        expect(await badge('bitget').innerText()).toBe('bitget SHADOW (!)');
        expect(await page.locator('#kill-badge').innerText()).toBe('kill switch off');
        if (p === '/trades') await shot(page, 'mode_badges');
        expect(problemsOf(page)).toEqual([]);
        await page.close();
      }
      // the kill switch's level reaches an open page without a reload
      const page = await open('/watchlist');
      await expect.poll(() => page.locator('#kill-badge').innerText(), POLL).toBe('kill switch off');
      await db.query(`select watchlist.set_kill_switch(1, 'browser test')`);
      await expect.poll(() => page.locator('#kill-badge').innerText(), POLL).toBe('KILL SWITCH 1: no new entries');
      await page.close();
    } finally {
      await db.query(`select watchlist.set_kill_switch(0, 'browser test')`);
      await db.query(`select watchlist.record_venue_modes('auto', '[{"venue":"binance","mode":"paper","markets_loaded":true},{"venue":"okx","mode":"paper","markets_loaded":true},{"venue":"bybit","mode":"paper","markets_loaded":true},{"venue":"bitget","mode":"paper","markets_loaded":true}]')`);
    }
  }, 240_000); // six pages on a loaded 2-core machine
});

describe('/trades and /trade', () => {
  let won = 0;
  beforeAll(async () => {
    won = await seedClosedTrade({ symbol: 'ADA/USDT:USDT', short: 'okx', long: 'binance', shortPx: [100, 99], longPx: [99, 99.5], reason: 'take_profit' });
    await seedClosedTrade({ symbol: 'DOGE/USDT:USDT', short: 'bybit', long: 'okx', shortPx: [100, 100.5], longPx: [99, 99.1], reason: 'max_hold' });
    await db.query(`insert into watchlist.venue_balance (venue, total, free) values ('okx', 1000.5, 900.25)`);
  });

  it('the profit summary, daily, per pair, per venue and balances show what the database says', async () => {
    const page = await open('/trades');
    const sum = (await db.query(`select round(realized_pnl_usdt, 2)::text pnl, round(fees_usdt, 2)::text fees, trades, wins, losses,
      round(win_rate::numeric * 100, 1)::text wr from watchlist.v_pnl_summary`)).rows[0];
    expect(sum).toMatchObject({ pnl: '0.30', fees: '0.80', trades: '2', wins: '1', losses: '1', wr: '50.0' }); // 1.10 − 0.80
    await expect.poll(() => page.locator('#sum-pnl .value').innerText(), POLL).toBe(`${sum.pnl} USDT`);
    expect(await page.locator('#sum-trades .value').innerText()).toBe('2');
    expect(await page.locator('#sum-winrate .value').innerText()).toBe(`${sum.wr}% · 1 W / 1 L`);
    expect(await page.locator('#sum-fees .value').innerText()).toBe(`${sum.fees} USDT`);
    const daily = await page.locator('#daily tbody tr').allInnerTexts();
    const days = (await db.query(`select to_char(day, 'YYYY-MM-DD') d, round(realized_pnl_usdt, 2)::text p from watchlist.v_pnl_daily order by day desc`)).rows;
    expect(daily).toHaveLength(days.length);
    expect(daily[0]).toContain(days[0].d);
    expect(daily[0]).toContain(days[0].p);
    const pairs = await page.locator('#by-pair tbody tr').allInnerTexts();
    expect(pairs).toHaveLength(2);
    expect(pairs[0]).toMatch(/ADA\/USDT:USDT\s+okx \/ binance\s+1\s+1\.10/);
    const venues = (await db.query(`select venue, round(leg_pnl_usdt, 2)::text p from watchlist.v_pnl_by_venue order by venue`)).rows;
    const venueRows = await page.locator('#by-venue tbody tr').allInnerTexts();
    expect(venueRows.map((r) => r.split('\t')[0])).toEqual(venues.map((v) => v.venue));
    venues.forEach((v, i) => expect(venueRows[i]).toContain(v.p));
    const okx = page.locator('#balances tbody tr', { hasText: 'okx' });
    expect(await okx.innerText()).toMatch(/1,000\.50 USDT\s+900\.25 USDT/);
    // the history pages and filters
    await expect.poll(() => page.locator('#h-info').innerText(), POLL).toMatch(/^trades 1–3 of 3/); // two closed and the open ETH trade
    await page.selectOption('#f-status', 'closed');
    await page.fill('#f-venue', 'bybit');
    await page.click('#f-apply');
    await expect.poll(() => page.locator('#h-info').innerText(), POLL).toBe('trades 1–1 of 1 · page 1 of 1');
    expect(await page.locator('#history tbody tr').innerText()).toMatch(/DOGE\/USDT:USDT/);
    await page.selectOption('#f-status', '');
    await page.fill('#f-venue', '');
    await page.selectOption('#f-size', '10');
    await page.click('#f-apply');
    await expect.poll(() => page.locator('#history tbody tr').first().innerText(), POLL).toMatch(/^T#\d+/);
    await shot(page, 'trades');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 120_000);

  it('the trade detail page of a closed trade: legs, orders, fills, exit, prediction vs realised, and the samples chart after the close', async () => {
    const page = await open(`/trade?id=${won}`);
    await expect.poll(() => page.locator('#trade-title').textContent(), POLL).toMatch(new RegExp(`^T#${won} ADA/USDT:USDT · short okx / long binance closed`));
    expect(await page.locator('#exit-reason').innerText()).toBe('take_profit');
    expect(await page.locator('#realised-usdt').innerText()).toBe('1.10 USDT');
    expect(await page.locator('#predicted').innerText()).toBe('150.0 bps (re-check)');
    expect(await page.locator('#gate-pred').innerText()).toMatch(/^200\.0 bps · win 97\.0%/);
    expect(await page.locator('#recheck-pred').innerText()).toBe('150.0 bps · win 95.0%');
    // realised 1.10 / 99 (long entry notional) = 111.1 bps; minus the 150 bps predicted
    expect(await page.locator('#realised-frac').innerText()).toBe('111.1 bps');
    expect(await page.locator('#realised-minus').innerText()).toBe('-38.9 bps');
    const legs = await page.locator('#legs tbody tr').allInnerTexts();
    expect(legs).toHaveLength(2);
    expect(legs[0]).toMatch(/^short\s+okx\s+1\s+100\s+1\s+99\s+0\.20\s+2$/);
    expect(legs[1]).toMatch(/^long\s+binance\s+1\s+99\s+1\s+99\.5\s+0\.20\s+2$/);
    expect(await page.locator('#orders tbody tr').count()).toBe(4);
    expect(await page.locator('#fills tbody tr').count()).toBe(4);
    await expect.poll(() => page.locator('#trade-chart').getAttribute('data-samples'), POLL).toBe('120');
    const box = await page.locator('#trade-chart canvas').first().boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    await shot(page, 'trade_detail');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('force-enter from /watchlist', () => {
  it('the trader enters the flagged SOL pair: a forced signal, the open_trade job and its re-check, audited', async () => {
    // the pair's open event, with a prediction under the gate's thresholds: the gate ignores it
    const ev = await insertEvent(db, { symbol: 'SOL/USDT:USDT', high: 'bybit', low: 'bitget', pnlHat: 0.001, winProb: 0.5 });
    expect((await db.query('select reason from watchlist.live_trade_signal where event_id = $1', [ev])).rows).toEqual([{ reason: 'below_threshold' }]);
    const page = await open('/watchlist');
    const enter = page.locator('#watchlist tbody tr', { hasText: 'SOL/USDT:USDT' }).locator('button.force-enter');
    await expect.poll(() => enter.count(), POLL).toBe(1);
    expect(await enter.isDisabled()).toBe(true); // read-only
    await page.close();
    const tp = await asTraderPage('/watchlist');
    const button = tp.locator('#watchlist tbody tr', { hasText: 'SOL/USDT:USDT' }).locator('button.force-enter');
    await expect.poll(() => button.isEnabled(), POLL).toBe(true);
    await button.click();
    await expect.poll(() => tp.locator('#enter-result').innerText(), POLL).toMatch(/SOL\/USDT:USDT short bybit \/ long bitget: accepted as T#\d+/);
    const id = Number(/T#(\d+)/.exec(await tp.locator('#enter-result').innerText())![1]);
    const s = (await db.query('select * from watchlist.live_trade_signal where id = $1', [id])).rows[0];
    expect(s).toMatchObject({ kind: 'manual', event_id: String(ev), symbol: 'SOL/USDT:USDT', leg_short_exchange: 'bybit', leg_long_exchange: 'bitget' });
    // the running worker takes it through the automatic open path
    await expect.poll(async () => (await db.query('select status from watchlist.live_trade_signal where id = $1', [id])).rows[0].status, { timeout: 45_000, interval: 200 }).toBe('open');
    const opened = (await db.query('select recheck from watchlist.live_trade_signal where id = $1', [id])).rows[0];
    expect(opened.recheck.ok).toBe(true);
    const audit = (await db.query(`select actor, result from watchlist.trader_action where action = 'force_enter'`)).rows;
    expect(audit).toEqual([{ actor: 'graphql:trader', result: expect.objectContaining({ signal_id: id, gate_reason: 'below_threshold' }) }]);
    await shot(tp, 'force_enter');
    expect(problemsOf(tp)).toEqual([]);
    await tp.close();
  }, 180_000);
});

describe('/settings', () => {
  it('a change the registry refuses is shown and not stored; a valid one is stored and audited with who, old and new', async () => {
    const page = await asTraderPage('/settings');
    const input = page.locator('input.setting[data-key="trade.take_profit_ratio"]');
    await expect.poll(() => input.isEnabled(), POLL).toBe(true);
    expect(await input.inputValue()).toBe('0.8');
    const saveBtn = page.locator('button.save-setting[data-key="trade.take_profit_ratio"]');
    await input.fill('50');
    await saveBtn.click();
    await expect.poll(() => page.locator('#settings-result').innerText(), POLL).toMatch(/trade\.take_profit_ratio: .*refused: expected a number in \[-1, 10\]/);
    const value = async () => (await db.query(`select value from watchlist.strategy_config where key = 'trade.take_profit_ratio'`)).rows[0].value;
    expect(await value()).toBe(0.8);
    await input.fill('0.7');
    await saveBtn.click();
    await expect.poll(() => page.locator('#settings-result').innerText(), POLL).toBe('trade.take_profit_ratio: 0.8 → 0.7 saved');
    expect(await value()).toBe(0.7);
    const audit = (await db.query(`select old_value, new_value, changed_by, note from watchlist.strategy_config_audit where key = 'trade.take_profit_ratio' order by id`)).rows;
    expect(audit).toEqual([{ old_value: 0.8, new_value: 0.7, changed_by: 'graphql:trader', note: 'settings page' }]);
    await expect.poll(() => page.locator('#audit tbody tr').first().innerText(), POLL).toMatch(/trade\.take_profit_ratio\s+0\.8\s+0\.7\s+graphql:trader\s+settings page/);
    await shot(page, 'settings');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
    await db.query(`select watchlist.set_config('trade.take_profit_ratio', '0.8', 'browser test')`);
  }, 120_000);
});

describe('demo note (issue 12 item 2)', () => {
  it('the live page explains the demo only when the server runs under `wl up --demo` (WL_SIM_DEMO=1)', async () => {
    const before = process.env.WL_SIM_DEMO;
    try {
      delete process.env.WL_SIM_DEMO;
      const plain = await open('/live_trading');
      await expect.poll(() => plain.locator('#mode-badges .mode-badge').count(), POLL).toBeGreaterThan(0);
      expect(await plain.locator('#demo-banner').count()).toBe(0);
      await plain.close();

      process.env.WL_SIM_DEMO = '1'; // what `wl up --demo` hands its API child
      const page = await open('/live_trading');
      await expect.poll(() => page.locator('#demo-banner').count(), POLL).toBe(1);
      const text = await page.locator('#demo-banner').innerText();
      expect(text).toMatch(/^DEMO \(wl up --demo\): every venue is PAPER/);
      expect(text).toMatch(/take-profit/);
      // the settings the demo stores (workers/sim/demo.ts), quoted from /demo.json
      expect(text).toContain(`take-profit (the demo sets it at ${Math.round(DEMO_SETTINGS['trade.take_profit_ratio'] * 100)} % of the predicted PnL)`);
      expect(text).toContain(`${Math.round(DEMO_SETTINGS['trade.max_hold_hours'] * 60)}-minute max hold`);
      expect(text).toMatch(/Recent signals.*Active trades/s);
      expect(text).toMatch(/history backfilled at start are history: their events show as ignored \(stale_event\)/);
      expect(problemsOf(page)).toEqual([]);
      await shot(page, 'live-trading-demo');
      await page.close();
    } finally {
      if (before === undefined) delete process.env.WL_SIM_DEMO;
      else process.env.WL_SIM_DEMO = before;
    }
  });
});

describe('/watchlist/db: the trade and audit tables (issue 12 item 10)', () => {
  it('offers the trade tables newest first with the database\'s rows, and collapses a JSON cell until clicked', async () => {
    const id = await seedClosedTrade({ symbol: 'LINK/USDT:USDT', short: 'okx', long: 'bybit', shortPx: [20, 19.8], longPx: [19.9, 19.95], reason: 'take_profit' });
    const payload = { reason: 'insufficient margin on the short leg', venue: 'okx', code: 51008, detail: { required: '12.5', available: '3.1' }, attempt: 2, leg: 'short' };
    await db.query(
      `insert into watchlist.live_trade_error (signal_id, stage, venue, error_class, message, payload)
       values ($1, 'open', 'okx', 'insufficient_funds', 'margin', $2)`,
      [id, JSON.stringify(payload)],
    );
    const page = await open('/watchlist/db');
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toMatch(/^rows /);
    const offered = await page.locator('#table option').allInnerTexts();
    for (const t of ['live_trade_signal', 'live_trade_order', 'live_trade_fill', 'live_trade_spread_sample', 'live_trade_exit',
      'live_trade_error', 'manual_order', 'trader_action', 'strategy_config_audit', 'v_signal_funnel']) {
      expect(offered.some((o) => o.startsWith(t)), `${t} offered`).toBe(true);
    }
    // every table offered loads (its field, type and default order exist in the API) without an error
    for (const key of await page.locator('#table option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))) {
      await page.evaluate(() => document.getElementById('rows')!.replaceChildren());
      await page.selectOption('#table', key);
      await expect.poll(() => page.locator('#rows > *').count(), POLL).toBeGreaterThan(0);
      expect(await page.locator('#rows .error').count(), `${key}: ${await page.locator('#rows').innerText()}`).toBe(0);
    }
    // the text of a column of a shown row, found by its header
    const cell = async (col: string, row = 0) => {
      const i = (await page.locator('#rows thead th').allInnerTexts()).indexOf(col);
      return i < 0 ? null : page.locator('#rows tbody tr').nth(row).locator('td').nth(i).innerText();
    };
    const only = async (key: string, field: string, value: number) => {
      await page.selectOption('#table', key);
      await expect.poll(() => page.locator('#rows thead th').allInnerTexts(), POLL).toContain(field);
      await page.click('#add-filter');
      await page.selectOption('[data-role=field]', field);
      await page.selectOption('[data-role=op]', 'equalTo');
      await page.fill('[data-role=value]', String(value));
      await page.click('#apply');
    };

    // trades (and the gate's decisions): the newest first, unfiltered
    await page.selectOption('#table', 'trade');
    await expect.poll(async () => {
      const newest = (await db.query('select max(id)::text id, count(*)::int n from watchlist.live_trade_signal')).rows[0];
      return (await cell('rowId')) === newest.id && (await page.locator('#page-info').innerText()).includes(`of ${newest.n} `);
    }, POLL).toBe(true);
    expect(page.url()).toMatch(/\?table=trade$/);

    // the trade's legs: 4 orders and 4 fills, newest first; 120 samples paged 10 at a time
    await only('order', 'signalId', id);
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 1–4 of 4 · page 1 of 1');
    const orders = (await db.query('select id::text, client_order_id from watchlist.live_trade_order where signal_id = $1 order by id desc', [id])).rows;
    for (const [i, o] of orders.entries()) expect(await cell('rowId', i)).toBe(o.id);
    expect(await cell('clientOrderId', 0)).toBe(orders[0].client_order_id);
    await only('fill', 'signalId', id);
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 1–4 of 4 · page 1 of 1');
    await only('sample', 'signalId', id);
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 1–10 of 120 · page 1 of 12');
    const newestSample = (await db.query(`select to_char(max(ts) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' t
      from watchlist.live_trade_spread_sample where signal_id = $1`, [id])).rows[0].t;
    expect(await cell('ts', 0)).toBe(newestSample);
    await page.click('#next');
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 11–20 of 120 · page 2 of 12');
    await only('exit', 'signalId', id);
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 1–1 of 1 · page 1 of 1');
    expect(await cell('reason')).toBe('take_profit');

    // the error: its jsonb payload is one collapsed line that opens to the whole JSON
    await only('error', 'signalId', id);
    await expect.poll(() => page.locator('#page-info').innerText(), POLL).toBe('rows 1–1 of 1 · page 1 of 1');
    expect(await cell('message')).toBe('margin');
    const col = (await page.locator('#rows thead th').allInnerTexts()).indexOf('payload');
    const details = page.locator('#rows tbody tr').first().locator('td').nth(col).locator('details');
    expect(await details.count()).toBe(1);
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    const summary = await details.locator('summary').innerText();
    expect(summary).toMatch(/^\{6 keys\} /);
    expect(summary).toContain('reason: "insufficient margin');
    expect(summary.length).toBeLessThan(80);
    expect(summary).not.toContain('available'); // past the summary's length
    const pre = details.locator('pre');
    expect(await pre.isVisible()).toBe(false);
    await details.locator('summary').click();
    await expect.poll(() => pre.isVisible(), POLL).toBe(true);
    const full = await pre.innerText();
    expect(full.split('\n').length).toBeGreaterThan(6); // pretty-printed, a key a line
    expect(JSON.parse(full)).toEqual(payload);
    await shot(page, 'watchlist_db_json');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
