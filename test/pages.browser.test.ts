// The pages in headless Chromium (Debian's chromium, driven by playwright-core)
// against a real server, database, graphile-worker runner and paper venues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Runner } from 'graphile-worker';
import { freshDb, type TestDb } from './helpers/db.ts';
import { closeSharedVenues, paperVenues, startRunner } from './helpers/worker.ts';
import { startServer, type RunningServer } from '../graphql/server.ts';
import { icMeanSpec, renderSvg } from '../workers/research/charts.ts';

const CHROMIUM = '/usr/bin/chromium';
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
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run .ci/browser-deps.sh (apt-get install chromium)`);
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
