// Plays the existing watchlist writer (plan §0, watchlist_pg_writer.py) against a
// database created from test/fixtures/legacy-watchlist.sql: raw rows per symbol and
// minute in its own shapes, and its own event merge (open on the 2nd consecutive
// triggered minute as `new`, `confirmed` from the 3rd, `dropped` after a gap).
import type pg from 'pg';

export interface Quote { name: string; bid: number; ask: number }
export interface WriterMinute {
  symbol: string;
  ts: Date;
  high: Quote; // short leg
  low: Quote; // long leg
  pnlHat?: number;
  winProb?: number;
  /** leave trigger_details.prices out (older writer versions) */
  noPrices?: boolean;
  /** leave pairs_top and the leg columns out: the legs cannot be determined */
  noLegs?: boolean;
  /** leave factors out (the plan's §0.1.3 fallback fills two of them) */
  partialFactors?: boolean;
}

const scalars = (m: WriterMinute) => {
  const bbhs = (m.high.bid - m.low.ask) / m.low.ask;
  return { spread_rel: bbhs, best_buy_high_sell_low: bbhs, best_sell_high_buy_low: (m.low.bid - m.high.ask) / m.high.ask, funding_rate: 0.0001 };
};

export function writerMeta(m: WriterMinute) {
  const s = scalars(m);
  const factors = m.partialFactors
    ? { raw_slope_3m: 0, raw_drift_ratio: 0.8, raw_crossings_1h: 2 }
    : { raw_slope_3m: 0, raw_drift_ratio: 0.8, spread_log_short_over_long: Math.log(m.high.bid / m.low.ask), raw_crossings_1h: 2, raw_best_buy_high_sell_low: s.best_buy_high_sell_low };
  return {
    ...(m.noLegs ? {} : { pairs_top: [{ high_exch: m.high.name, low_exch: m.low.name, spread_pct: s.best_buy_high_sell_low, dir: 'buy_high_sell_low' }] }),
    exchanges: [m.high, m.low].map((q) => ({ name: q.name, kind: 'perp', price_bid: q.bid, price_ask: q.ask, funding_rate: 0.0001 })),
    orderbook: { ts: m.ts.toISOString(), notional_usdt: 50 },
    factors,
    pnl_regression: { '240': { pnl_hat: m.pnlHat ?? 0.02, win_prob: m.winProb ?? 0.97, model_version: 'writer' } },
    trigger_details: {
      best_buy_high_sell_low: s.best_buy_high_sell_low,
      ...(m.noPrices ? {} : { prices: { high: { exchange: m.high.name, bid: m.high.bid, ask: m.high.ask }, low: { exchange: m.low.name, bid: m.low.bid, ask: m.low.ask } } }),
    },
  };
}

interface OpenEvent { id: number; last: Date; n: number; first: ReturnType<typeof scalars>; agg: Record<string, { first: number; last: number; min: number; max: number; sum: number; n: number }> }

export class FixtureWriter {
  private run = new Map<string, Date[]>();
  private open = new Map<string, OpenEvent>();
  /** openStatus: 'new' (the plan's table: new → confirmed → dropped) or 'open' (what the plan's running writer was seen writing) */
  private db: pg.Pool | pg.Client;
  private opts: { legColumns?: boolean; openStatus?: 'new' | 'open' };
  constructor(db: pg.Pool | pg.Client, opts: { legColumns?: boolean; openStatus?: 'new' | 'open' } = {}) {
    this.db = db;
    this.opts = opts;
  }

  /** the writer's own partition scheme: <table>_YYYYMMDD */
  async ensureDay(ts: Date) {
    const d = ts.toISOString().slice(0, 10);
    const next = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10);
    await this.db.query(`create table if not exists watchlist.watch_signal_raw_${d.replaceAll('-', '')} partition of watchlist.watch_signal_raw for values from ('${d}') to ('${next}')`);
  }

  async raw(m: WriterMinute) {
    const s = scalars(m);
    const legs = this.opts.legColumns && !m.noLegs;
    await this.db.query(
      `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, spread_rel, funding_rate, best_buy_high_sell_low, best_sell_high_buy_low, triggered, status, meta${legs ? ', leg_a_exchange, leg_a_price, leg_b_exchange, leg_b_price' : ''})
       values ($1, 'multi', $2, 'B', $3, $4, $5, $6, true, 'triggered', $7${legs ? ', $8, $9, $10, $11' : ''})`,
      [m.ts, m.symbol, s.spread_rel, s.funding_rate, s.best_buy_high_sell_low, s.best_sell_high_buy_low, JSON.stringify(writerMeta(m)),
       ...(legs ? [m.high.name, m.high.bid, m.low.name, m.low.ask] : [])],
    );
  }

  /** one minute: its raw row, then its own merge */
  async minute(m: WriterMinute): Promise<number | null> {
    await this.raw(m);
    return this.merge(m);
  }

  private features(ev: OpenEvent, m: WriterMinute) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ev.agg)) out[k] = { first: v.first, last: v.last, min: v.min, max: v.max, mean: v.sum / v.n };
    const meta = writerMeta(m);
    out.meta_last = { pnl_regression: meta.pnl_regression, factors: meta.factors, trigger_details: meta.trigger_details, ...(meta.pairs_top ? { pairs_top: meta.pairs_top } : {}) };
    return out;
  }

  private async merge(m: WriterMinute): Promise<number | null> {
    const minutes = (this.run.get(m.symbol) ?? []).filter((t) => m.ts.getTime() - t.getTime() <= 60_000 * 3);
    const prev = minutes.at(-1);
    const consecutive = prev && m.ts.getTime() - prev.getTime() === 60_000;
    const runNow = consecutive ? [...minutes, m.ts] : [m.ts];
    this.run.set(m.symbol, runNow);
    const s = scalars(m);
    let ev = this.open.get(m.symbol);
    if (ev && m.ts.getTime() - ev.last.getTime() > 3 * 60_000) {
      await this.drop(m.symbol);
      ev = undefined;
    }
    if (!ev && runNow.length < 2) return null;
    if (!ev) {
      ev = { id: 0, last: m.ts, n: 0, first: s, agg: {} };
    }
    for (const [k, v] of Object.entries(s)) {
      const a = ev.agg[k];
      ev.agg[k] = a ? { first: a.first, last: v, min: Math.min(a.min, v), max: Math.max(a.max, v), sum: a.sum + v, n: a.n + 1 } : { first: v, last: v, min: v, max: v, sum: v, n: 1 };
    }
    ev.n++;
    ev.last = m.ts;
    const fa = JSON.stringify(this.features(ev, m));
    if (!ev.id) {
      const start = runNow[0];
      const { rows } = await this.db.query(
        `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, end_ts, duration_sec, features_agg, reason, status)
         values ('multi', $1, 'B', $2, $3, $4, $5, 'writer: 2 consecutive minutes', $6) returning id`,
        [m.symbol, start, m.ts, (m.ts.getTime() - start.getTime()) / 1000, fa, this.opts.openStatus ?? 'new']);
      ev.id = Number(rows[0].id);
      this.open.set(m.symbol, ev);
    } else {
      await this.db.query(
        `update watchlist.watch_signal_event set end_ts = $2, duration_sec = extract(epoch from $2::timestamptz - start_ts)::int, features_agg = $3,
           status = case when $4 >= 3 and status = 'new' then 'confirmed' else status end where id = $1`,
        [ev.id, m.ts, fa, ev.n]);
    }
    return ev.id;
  }

  async drop(symbol: string) {
    const ev = this.open.get(symbol);
    if (!ev) return;
    await this.db.query(`update watchlist.watch_signal_event set status = $2 where id = $1`, [ev.id, this.opts.openStatus === 'open' ? 'closed' : 'dropped']);
    this.open.delete(symbol);
  }
}
