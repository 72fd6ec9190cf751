// The market simulator: a pure function of (seed, minute), realistic enough to trade on.
import { describe, expect, it } from 'vitest';
import { MarketSim, MINUTE_MS } from '../workers/sim/market.ts';
import { DEFAULT_SYMBOLS, DEFAULT_VENUES } from '../workers/sim/universe.ts';
import { FaultInjector } from '../workers/sim/faults.ts';
import { sweep } from '../workers/venues/sweep.ts';

const T0 = Date.parse('2026-01-05T00:00:00Z');
const M0 = T0 / MINUTE_MS;
const at = (min: number) => T0 + min * MINUTE_MS;

describe('determinism', () => {
  it('same seed gives identical books whatever the query order; another seed differs', () => {
    const a = new MarketSim({ seed: 11 });
    const b = new MarketSim({ seed: 11 });
    const c = new MarketSim({ seed: 12 });
    const queries: Array<[string, string, number]> = [];
    for (const v of ['binance', 'okx', 'bitget']) for (const s of ['BTC/USDT:USDT', 'DOGE/USDT:USDT']) for (const m of [0, 1, 1439, 1440, 5000]) queries.push([v, s, at(m) + 17_000]);
    const fwd = queries.map(([v, s, t]) => a.bookAt(v, s, t));
    // b: reversed order, and far-away days first so caches are filled differently
    b.bookAt('okx', 'BTC/USDT:USDT', at(400 * 1440));
    const rev = [...queries].reverse().map(([v, s, t]) => b.bookAt(v, s, t)).reverse();
    expect(rev).toEqual(fwd);
    const other = queries.map(([v, s, t]) => c.bookAt(v, s, t));
    expect(other.filter((x, i) => JSON.stringify(x.bids) !== JSON.stringify(fwd[i].bids)).length).toBe(queries.length);
  });

  it('a book is constant within a minute and books are well formed', () => {
    const sim = new MarketSim({ seed: 3 });
    for (const v of sim.venueNames()) {
      for (const s of sim.symbolNames()) {
        const b = sim.bookAt(v, s, at(100));
        expect(sim.bookAt(v, s, at(100) + 59_999)).toEqual(b);
        expect(b.bids).toHaveLength(20);
        expect(b.asks).toHaveLength(20);
        const spec = sim.spec(v, s);
        const bidP = b.bids.map((l) => Number(l[0]));
        const askP = b.asks.map((l) => Number(l[0]));
        expect(askP[0]).toBeGreaterThan(bidP[0]);
        for (let i = 1; i < 20; i++) {
          expect(bidP[i]).toBeLessThan(bidP[i - 1]);
          expect(askP[i]).toBeGreaterThan(askP[i - 1]);
        }
        // prices on the tick, sizes on the step (exact: integer ratios)
        const tickPlaces = spec.tick.split('.')[1]?.length ?? 0;
        for (const [p] of [...b.bids, ...b.asks]) expect(p.split('.')[1]?.length ?? 0).toBe(tickPlaces);
        const spreadBps = ((askP[0] - bidP[0]) / ((askP[0] + bidP[0]) / 2)) * 1e4;
        expect(spreadBps).toBeLessThan(10);
        // the default notional is always covered
        expect(sweep(b, 'buy', 50).sufficient).toBe(true);
        expect(sweep(b, 'sell', 50).sufficient).toBe(true);
      }
    }
  });

  it('venue specs: fees and minimums per venue, funding intervals incl. 4h and 1h', () => {
    const sim = new MarketSim();
    expect(sim.spec('binance', 'BTC/USDT:USDT')).toMatchObject({ takerFee: 0.0005, minCostUsdt: 5 });
    expect(sim.spec('okx', 'BTC/USDT:USDT')).toMatchObject({ takerFee: 0.0005, minCostUsdt: null, amountStep: '0.01' });
    expect(Number(sim.spec('okx', 'BTC/USDT:USDT').contractSize)).toBeLessThan(1);
    expect(sim.spec('bybit', 'ETH/USDT:USDT').takerFee).toBe(0.00055);
    expect(Number(sim.spec('bybit', 'ETH/USDT:USDT').minAmount)).toBeGreaterThan(Number(sim.spec('bybit', 'ETH/USDT:USDT').amountStep));
    expect(sim.spec('bitget', 'ETH/USDT:USDT')).toMatchObject({ takerFee: 0.0006, minCostUsdt: 5 });
    const hours = new Set(sim.venueNames().flatMap((v) => sim.symbolNames().map((s) => sim.spec(v, s).fundingIntervalHours)));
    expect([...hours].sort()).toEqual([1, 4, 8]);

    const t = Date.parse('2026-01-05T09:30:00Z');
    expect(new Date(sim.fundingInfo('binance', 'BTC/USDT:USDT', t).nextFundingTime!).toISOString()).toBe('2026-01-05T16:00:00.000Z');
    expect(new Date(sim.fundingInfo('bybit', 'DOGE/USDT:USDT', t).nextFundingTime!).toISOString()).toBe('2026-01-05T12:00:00.000Z');
    expect(new Date(sim.fundingInfo('bitget', 'PEPE/USDT:USDT', t).nextFundingTime!).toISOString()).toBe('2026-01-05T10:00:00.000Z');
    const hist = sim.fundingHistory('bitget', 'WIF/USDT:USDT', T0, T0 + 86_400_000);
    expect(hist.map((h) => new Date(h.ts).getUTCHours())).toEqual([0, 4, 8, 12, 16, 20, 0]);
    for (const h of hist) expect(Math.abs(h.rate)).toBeLessThanOrEqual(0.003);
  });
});

describe('price dynamics', () => {
  it('per-minute volatility is crypto-like and days join without a seam', () => {
    const sim = new MarketSim({ seed: 5 });
    for (const s of ['BTC/USDT:USDT', 'SOL/USDT:USDT']) {
      const r: number[] = [];
      for (let m = 1; m < 3 * 1440; m++) r.push(sim.commonLog(s, M0 + m) - sim.commonLog(s, M0 + m - 1));
      const sd = Math.sqrt(r.reduce((a, x) => a + x * x, 0) / r.length);
      expect(sd).toBeGreaterThan(0.0003);
      expect(sd).toBeLessThan(0.0012);
      // the step across midnight is an ordinary step
      expect(Math.abs(r[1439])).toBeLessThan(5 * sd);
    }
  });

  it('dislocations: a handful per day over 20 symbols × 4 venues, and they revert within hours', () => {
    const sim = new MarketSim({ seed: 42 });
    const days = 20;
    const all = sim.venueNames().flatMap((v) => sim.symbolNames().flatMap((s) => sim.dislocations(v, s, M0, M0 + days * 1440)));
    const perDay = all.length / days;
    expect(perDay).toBeGreaterThan(2);
    expect(perDay).toBeLessThan(15);
    let checked = 0;
    for (const d of all.slice(0, 25)) {
      const others = sim.venueNames().filter((v) => v !== d.venue);
      const gap = (m: number) => {
        const mine = sim.basisLog(d.venue, d.symbol, m);
        const ref = others.reduce((a, v) => a + sim.basisLog(v, d.symbol, m), 0) / others.length;
        return mine - ref;
      };
      const during = gap(d.startMinute + 2);
      expect(Math.abs(during)).toBeGreaterThan(0.007); // a 1–4% jump stands out of the ~5 bp noise
      expect(Math.sign(during)).toBe(Math.sign(d.size));
      // 240 minutes after the hold the gap has shrunk by well over half
      const after = gap(d.startMinute + d.holdMin + 240);
      expect(Math.abs(after)).toBeLessThan(Math.abs(during) * 0.5);
      // the prices the venue shows carry the jump
      const px = (v: string, m: number) => sim.midAt(v, d.symbol, m * MINUTE_MS);
      expect(Math.abs(Math.log(px(d.venue, d.startMinute + 1) / px(others[0], d.startMinute + 1)))).toBeGreaterThan(0.006);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // outside dislocations cross-venue gaps stay small
    let calm = 0;
    let n = 0;
    for (let m = M0; m < M0 + 1440; m += 7) {
      for (const s of sim.symbolNames()) {
        const b = sim.venueNames().map((v) => sim.basisLog(v, s, m));
        n++;
        if (Math.max(...b) - Math.min(...b) < 0.005) calm++;
      }
    }
    expect(calm / n).toBeGreaterThan(0.9);
  });

  it('is fast: 20 symbols × 4 venues × 720 minutes of books in a few seconds', () => {
    const sim = new MarketSim({ seed: 9 });
    const t = performance.now();
    for (let m = 0; m < 720; m++) for (const v of sim.venueNames()) for (const s of sim.symbolNames()) sim.bookAt(v, s, at(m));
    const ms = performance.now() - t;
    expect(sim.symbolNames()).toHaveLength(DEFAULT_SYMBOLS.length);
    expect(sim.venueNames()).toEqual(DEFAULT_VENUES.map((v) => v.name));
    expect(ms).toBeLessThan(5000);
  });
});

describe('fault injector', () => {
  it('forced outcomes first, then seeded probabilities', () => {
    const f = new FaultInjector(1);
    f.failNext('okx', 'timeout_after', 'reject');
    expect(f.orderOutcome('okx')).toBe('timeout_after');
    expect(f.orderOutcome('okx')).toBe('reject');
    expect(f.orderOutcome('okx')).toBe('none');
    f.set('okx', { rejectProb: 0.5 });
    const outs = Array.from({ length: 400 }, () => f.orderOutcome('okx'));
    const rejects = outs.filter((o) => o === 'reject').length;
    expect(rejects).toBeGreaterThan(150);
    expect(rejects).toBeLessThan(250);
    const g = new FaultInjector(1);
    g.set('okx', { rejectProb: 0.5 });
    expect(Array.from({ length: 400 }, () => g.orderOutcome('okx'))).toEqual(outs);
    expect(f.orderOutcome('binance')).toBe('none');
  });
});
