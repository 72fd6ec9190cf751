// Test fixtures: rows shaped the way the real writers write them, with defaults a
// test overrides only where it matters. Every builder takes anything with a pg-style
// query() (a rule test's `tx`, a TestDb, a pg.Client) and inserts as whatever role
// that session runs as, so a builder used by a `wl_writer` test also proves the
// writer may write those rows.
import type pg from 'pg';

export interface Q {
  query: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
}

const iso = (t: Date | string | number) => new Date(t).toISOString();

/** partitions for [from, to] of a partitioned table (watch_signal_raw, market_snapshot, …) */
export async function partitions(q: Q, table: string, from: Date | string | number, to: Date | string | number = from) {
  await q.query('select watchlist.ensure_partitions($1, $2::timestamptz, $3::timestamptz)', [table, iso(from), iso(to)]);
}

// ---------------------------------------------------------------- config / models

/** a strategy knob through the audited setter (what the trader and the CLI call) */
export async function config(q: Q, key: string, value: unknown, note = 'test') {
  await q.query('select watchlist.set_config($1, $2::jsonb, $3)', [key, JSON.stringify(value), note]);
}

export interface ModelRow {
  signalType?: string;
  horizonMin?: number;
  version?: string;
  intercept?: number;
  coefs?: Record<string, number>;
  residStd?: number;
  feeThreshold?: number;
  active?: boolean;
  isPrior?: boolean;
  /** deactivate the other models of the same type and horizon first (one active model) */
  replaceActive?: boolean;
}

/** one pnl_model row; returns its id */
export async function model(q: Q, m: ModelRow = {}): Promise<number> {
  const type = m.signalType ?? 'B';
  const h = m.horizonMin ?? 240;
  if (m.replaceActive) await q.query('update watchlist.pnl_model set active = false where signal_type = $1 and horizon_min = $2', [type, h]);
  const { rows } = await q.query(
    `insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, fee_threshold, active, is_prior)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) returning id`,
    [type, h, m.version ?? `test-${type}-${h}`, m.intercept ?? 0, JSON.stringify(m.coefs ?? {}), m.residStd ?? 0.005,
     m.feeThreshold ?? 0.001, m.active ?? true, m.isPrior ?? false],
  );
  return Number(rows[0].id);
}

/** a model whose prediction is a constant, so a re-check's pnl_hat is under the test's control */
export const fixedModel = (q: Q, pnlHat: number) =>
  model(q, { version: `test-${pnlHat}`, intercept: pnlHat, residStd: 0.005, feeThreshold: 0.001, replaceActive: true });

// ---------------------------------------------------------------- raw rows

export interface RawRow {
  ts: Date | string | number;
  symbol?: string;
  exchange?: string;
  signalType?: string;
  triggered?: boolean;
  legA?: string;
  legB?: string;
  /** numbers, or SQL-literal strings such as "'NaN'" for values JS cannot send */
  spread?: number | string | null;
  /** best_buy_high_sell_low; default: the spread (null: none) */
  bbhsl?: number | string | null;
  /** leg prices; default 100 / 99 (null: none) */
  priceA?: number | string | null;
  priceB?: number | string | null;
  meta?: unknown;
}

const lit = (v: number | string | undefined | null, cast: string) =>
  v === undefined || v === null ? `null::${cast}` : `${typeof v === 'number' ? String(v) : v}::${cast}`;

const dflt = <T,>(v: T | undefined, d: T) => (v === undefined ? d : v);

/** raw rows in ONE insert statement (the merge trigger sees them as one batch) */
export async function rawRows(q: Q, rows: RawRow[]) {
  if (!rows.length) return;
  const params: unknown[] = [];
  const values = rows.map((r) => {
    params.push(iso(r.ts), r.symbol ?? 'BTC/USDT:USDT', JSON.stringify(r.meta ?? {}));
    const k = params.length;
    return `($${k - 2}::timestamptz, '${r.exchange ?? 'multi'}', $${k - 1}, '${r.signalType ?? 'B'}', ${r.triggered ?? true}, ` +
      `'${r.legA ?? 'okx'}', '${r.legB ?? 'bybit'}', ${lit(dflt(r.spread, 0.01), 'float8')}, ${lit(dflt(r.bbhsl, dflt(r.spread, 0.01)), 'float8')}, ` +
      `${lit(dflt(r.priceA, 100), 'numeric')}, ${lit(dflt(r.priceB, 99), 'numeric')}, $${k}::jsonb)`;
  });
  await q.query(
    `insert into watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, triggered, leg_a_exchange, leg_b_exchange,
       spread_rel, best_buy_high_sell_low, leg_a_price, leg_b_price, meta) values ${values.join(', ')}`,
    params,
  );
}

/** raw rows one statement each (the way a per-minute writer sends them) */
export async function rawRowsOneByOne(q: Q, rows: RawRow[]) {
  for (const r of rows) await rawRows(q, [r]);
}

// ---------------------------------------------------------------- events

export interface EventOpts {
  symbol?: string;
  high?: string;
  low?: string;
  pnlHat?: number | string | null;
  winProb?: number | string | null;
  factors?: Record<string, unknown> | null;
  highBid?: unknown;
  lowAsk?: unknown;
  signalType?: string;
  lastTrigger?: string;
}

/** features_agg shaped like the merge's: meta_last with prediction, prices and factors */
export function eventFeatures(o: EventOpts = {}) {
  const factors =
    o.factors === null
      ? undefined
      : (o.factors ?? {
          raw_slope_3m: 0,
          raw_drift_ratio: 0.8,
          spread_log_short_over_long: 0.02,
          raw_crossings_1h: 2,
          raw_best_buy_high_sell_low: 0.02,
        });
  return {
    meta_last: {
      pnl_regression: { '240': { pnl_hat: o.pnlHat === undefined ? 0.02 : o.pnlHat, win_prob: o.winProb === undefined ? 0.97 : o.winProb, model_version: 't' } },
      trigger_details: {
        prices: {
          high: { exchange: o.high ?? 'okx', bid: o.highBid ?? 101, ask: 101.1 },
          low: { exchange: o.low ?? 'binance', bid: 98.9, ask: o.lowAsk ?? 99 },
        },
      },
      ...(factors ? { factors } : {}),
    },
  };
}

/** one open event (fires the gate); by default it qualifies. Returns its id. */
export async function insertEvent(q: Q, o: EventOpts = {}): Promise<number> {
  const ts = o.lastTrigger ?? new Date().toISOString();
  const { rows } = await q.query(
    `insert into watchlist.watch_signal_event (exchange, symbol, signal_type, start_ts, last_trigger_ts, status, features_agg, leg_a_exchange, leg_b_exchange)
     values ('multi', $1, $2, $3, $3, 'open', $4::jsonb, $5, $6) returning id`,
    [o.symbol ?? 'BTC/USDT:USDT', o.signalType ?? 'B', ts, JSON.stringify(eventFeatures(o)), o.high ?? 'okx', o.low ?? 'binance'],
  );
  return Number(rows[0].id);
}
export const event = insertEvent;

// ---------------------------------------------------------------- signals and trades

export type SignalStatus = 'new' | 'ignored' | 'opening' | 'open' | 'closing' | 'closed' | 'failed' | 'partial_failed';

/** the legal path from new to each status (the transition guard refuses shortcuts) */
const PATH: Record<SignalStatus, SignalStatus[]> = {
  new: [],
  ignored: ['ignored'],
  failed: ['failed'],
  opening: ['opening'],
  partial_failed: ['opening', 'partial_failed'],
  open: ['opening', 'open'],
  closing: ['opening', 'open', 'closing'],
  closed: ['opening', 'open', 'closing', 'closed'],
};

export interface FillRow {
  qty: number | string;
  price: number | string;
  tradeId?: string;
  ts?: Date | string | number;
  fee?: number | string | null;
  feeCurrency?: string | null;
}

export interface OrderRow {
  leg: 'long' | 'short';
  purpose?: 'open' | 'close' | 'flatten' | 'manual';
  /** default: the leg's venue */
  exchange?: string;
  side?: 'buy' | 'sell';
  status?: string;
  amount?: number | string;
  filledQty?: number | string | null;
  avgPrice?: number | string | null;
  fee?: number | string | null;
  feeCurrency?: string | null;
  clientOrderId?: string;
  exchangeOrderId?: string | null;
  /** default: now() */
  submittedAt?: Date | string | number;
  fills?: FillRow[];
}

export interface TradeOpts {
  symbol?: string;
  short?: string;
  long?: string;
  status?: SignalStatus;
  reason?: string | null;
  kind?: 'auto' | 'manual';
  notional?: number | string;
  leverage?: number;
  pnlHat?: number;
  winProb?: number;
  horizonMin?: number;
  createdAt?: Date | string | number;
  orders?: OrderRow[];
}

export interface Trade {
  id: number;
  orders: { id: number; leg: string; purpose: string; clientOrderId: string; fills: number[] }[];
}

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(++seq).toString(36)}`;

/**
 * A live_trade_signal walked to `status` through the transition guard (the way the
 * jobs move it), with its orders and their fills. Orders default to the open side
 * of each leg (short sells, long buys; a close reverses), status 'closed' (done)
 * with filled_qty = the sum of their fills.
 */
export async function trade(q: Q, o: TradeOpts = {}): Promise<Trade> {
  const short = o.short ?? 'okx';
  const long = o.long ?? 'binance';
  const symbol = o.symbol ?? 'BTC/USDT:USDT';
  const { rows } = await q.query(
    `insert into watchlist.live_trade_signal (symbol, leg_short_exchange, leg_long_exchange, status, reason, kind, notional_usdt, leverage,
       pnl_hat, win_prob, horizon_min, created_at)
     values ($1, $2, $3, 'new', null, $4, $5, $6, $7, $8, $9, coalesce($10::timestamptz, now())) returning id`,
    [symbol, short, long, o.kind ?? 'auto', o.notional ?? 50, o.leverage ?? 1, o.pnlHat ?? 0.02, o.winProb ?? 0.97, o.horizonMin ?? 240,
     o.createdAt === undefined ? null : iso(o.createdAt)],
  );
  const id = Number(rows[0].id);
  const path = PATH[o.status ?? 'new'];
  for (const [i, st] of path.entries()) {
    const last = i === path.length - 1;
    await q.query('update watchlist.live_trade_signal set status = $2, reason = $3 where id = $1', [id, st, last ? (o.reason ?? null) : null]);
  }
  const orders: Trade['orders'] = [];
  for (const ord of o.orders ?? []) {
    const purpose = ord.purpose ?? 'open';
    const opening = purpose === 'open';
    const side = ord.side ?? (ord.leg === 'short' ? (opening ? 'sell' : 'buy') : (opening ? 'buy' : 'sell'));
    const exchange = ord.exchange ?? (ord.leg === 'short' ? short : long);
    const fills = ord.fills ?? [];
    const clientOrderId = ord.clientOrderId ?? `t${id}-${ord.leg}-${purpose}-${uid()}`;
    const filled = ord.filledQty !== undefined ? ord.filledQty : fills.length ? null : 0;
    const { rows: [r] } = await q.query(
      `insert into watchlist.live_trade_order (signal_id, leg, purpose, exchange, symbol, side, client_order_id, exchange_order_id,
         reduce_only, amount, status, filled_qty, avg_price, fee, fee_currency, submitted_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
         coalesce($12::numeric, (select sum(x) from unnest($16::numeric[]) x), 0), $13, $14, $15, coalesce($17::timestamptz, now())) returning id`,
      [id, ord.leg, purpose, exchange, symbol, side, clientOrderId, ord.exchangeOrderId === undefined ? `x-${clientOrderId}` : ord.exchangeOrderId,
       !opening, ord.amount ?? fills.reduce((a, f) => a + Number(f.qty), 0) ?? 0, ord.status ?? 'closed', filled, ord.avgPrice ?? fills[0]?.price ?? null,
       ord.fee ?? null, ord.feeCurrency ?? null, fills.map((f) => String(f.qty)), ord.submittedAt === undefined ? null : iso(ord.submittedAt)],
    );
    const fillIds: number[] = [];
    for (const [k, f] of fills.entries()) {
      const { rows: [fr] } = await q.query(
        `insert into watchlist.live_trade_fill (order_id, signal_id, exchange, trade_id, ts, price, qty, fee, fee_currency)
         values ($1, $2, $3, $4, coalesce($5::timestamptz, now()), $6, $7, $8, $9) returning id`,
        [r.id, id, exchange, f.tradeId ?? `${clientOrderId}-f${k}`, f.ts === undefined ? null : iso(f.ts), f.price, f.qty, f.fee ?? null, f.feeCurrency ?? null],
      );
      fillIds.push(Number(fr.id));
    }
    orders.push({ id: Number(r.id), leg: ord.leg, purpose, clientOrderId, fills: fillIds });
  }
  return { id, orders };
}

/** a bare signal row at a status (no orders) */
export const signal = async (q: Q, o: Omit<TradeOpts, 'orders'> = {}) => (await trade(q, o)).id;
