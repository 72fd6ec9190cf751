// Each rule once (issue 10 item 2): the rules in sql/rules.sql pinned by behaviour,
// and a scan of sql/, the pages and workers/ showing each rule has exactly one
// definition (a second copy of a status list, the take-profit formula, a job spec,
// a quantity floor, a minimum check or a staleness comparison fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { jobs, setConfig } from './helpers/live.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.close();
});

const TRADE_STATUSES = ['new', 'ignored', 'opening', 'open', 'closing', 'closed', 'failed', 'partial_failed'];
const ORDER_STATUSES = ['pending', 'open', 'partially_filled', 'filled', 'canceled', 'rejected', 'not_placed', 'unknown'];
const SETS: Record<string, { entity: 'trade' | 'order'; fn: string; members: string[] }> = {
  active: { entity: 'trade', fn: 'trade_is_active', members: ['new', 'opening', 'open', 'closing'] },
  in_flight: { entity: 'trade', fn: 'trade_is_in_flight', members: ['new', 'opening', 'closing'] },
  finished: { entity: 'trade', fn: 'trade_is_finished', members: ['closed', 'failed', 'partial_failed'] },
  unresolved: { entity: 'order', fn: 'order_is_unresolved', members: ['pending', 'unknown', 'open', 'partially_filled'] },
};

async function newSignal(o: { status?: string; pnlHat?: number; recheckPnlHat?: number; entrySpread?: number; symbol?: string } = {}) {
  const { rows } = await db.query(
    `insert into watchlist.live_trade_signal (symbol, kind, horizon_min, pnl_hat, win_prob, leg_short_exchange, leg_long_exchange,
       status, notional_usdt, entry_spread, opened_at, recheck)
     values ($1, 'manual', 240, $2, 0.96, 'okx', 'binance', $3, 50, $4, now() - interval '1 hour', $5) returning *`,
    [o.symbol ?? 'ETH/USDT:USDT', o.pnlHat ?? 0.02, o.status ?? 'open', o.entrySpread ?? 0.025,
     o.recheckPnlHat === undefined ? null : JSON.stringify({ pnl_hat: o.recheckPnlHat })],
  );
  return rows[0];
}

describe('status sets: one predicate per named set, from watchlist.status_set', () => {
  it('each predicate is true exactly on its set, for every status the column allows', async () => {
    for (const [name, s] of Object.entries(SETS)) {
      const all = s.entity === 'trade' ? TRADE_STATUSES : ORDER_STATUSES;
      const { rows } = await db.query(`select x, watchlist.${s.fn}(x) as yes from unnest($1::text[]) x`, [all]);
      const got = rows.filter((r) => r.yes).map((r) => r.x).sort();
      expect(got, name).toEqual([...s.members].sort());
      const { rows: t } = await db.query(
        `select array_agg(status order by status) as m from watchlist.status_set where entity = $1 and set_name = $2`, [s.entity, name]);
      expect(t[0].m, `status_set ${name}`).toEqual([...s.members].sort());
    }
  });

  it('the predicates are immutable and inlined: a query through trade_is_active / order_is_unresolved uses the partial indexes', async () => {
    const { rows: vol } = await db.query(
      `select proname, provolatile from pg_proc where pronamespace = 'watchlist'::regnamespace and proname = any($1)`,
      [Object.values(SETS).map((s) => s.fn)]);
    expect(vol.map((r) => r.provolatile)).toEqual(Object.values(SETS).map(() => 'i'));
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      await c.query('set local enable_seqscan = off');
      const plan = async (q: string) => (await c.query(`explain ${q}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(await plan(`select id from watchlist.live_trade_order where watchlist.order_is_unresolved(status) and exchange = 'okx' and symbol = 'X'`))
        .toContain('live_trade_order_unresolved_idx');
      expect(await plan(`select id from watchlist.live_trade_signal where watchlist.trade_is_active(status)`))
        .toMatch(/live_trade_signal_status_idx|live_trade_signal_one_active_per_symbol/);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });

  it('every partial index on a status set covers the whole set (the unresolved-order index covered 2 of 4)', async () => {
    const { rows } = await db.query(
      `select c.relname as name, pg_get_expr(i.indpred, i.indrelid) as pred
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
       where t.relnamespace = 'watchlist'::regnamespace and t.relname in ('live_trade_signal', 'live_trade_order')
         and i.indpred is not null and pg_get_expr(i.indpred, i.indrelid) ~ 'status = ANY'`);
    const quoted = (pred: string) => [...pred.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).filter((x) => x !== 'auto').sort();
    const byName = Object.fromEntries(rows.map((r) => [r.name, quoted(r.pred)]));
    expect(byName['live_trade_order_unresolved_idx']).toEqual([...SETS.unresolved.members].sort());
    expect(byName['live_trade_signal_status_idx']).toEqual([...SETS.active.members].sort());
    expect(byName['live_trade_signal_one_active_per_symbol']).toEqual([...SETS.active.members].sort());
    // no other status index with a list of its own
    for (const [name, members] of Object.entries(byName)) {
      expect(Object.values(SETS).some((s) => JSON.stringify([...s.members].sort()) === JSON.stringify(members)), name).toBe(true);
    }
  });
});

describe('take-profit: one target for the exit decision, the view and the GraphQL fields', () => {
  it('ratio × the re-checked pnl_hat (else the gate\'s), the same number everywhere, following the setting', async () => {
    const a = await newSignal({ symbol: 'TP1/USDT:USDT', pnlHat: 0.02, recheckPnlHat: 0.03 });
    const b = await newSignal({ symbol: 'TP2/USDT:USDT', pnlHat: 0.02 });
    const read = async (id: string) => (await db.query(
      `select watchlist.trade_pnl_hat(s) as hat, watchlist.take_profit_pnl(s) as tp,
              watchlist.live_trade_signal_take_profit_pnl(s) as gql, watchlist.live_trade_signal_take_profit_spread(s) as gql_spread,
              (select take_profit_at from watchlist.v_active_trades v where v.signal_id = s.id) as view,
              (select pnl_hat from watchlist.v_active_trades v where v.signal_id = s.id) as view_hat,
              s.entry_spread,
              coalesce(s.entry_fees_usdt / nullif(s.notional_usdt, 0), 0) + 2 * watchlist.cfg_num('trade.taker_fee_default') as fees
       from watchlist.live_trade_signal s where s.id = $1`, [id])).rows[0];
    for (const [s, hat] of [[a, 0.03], [b, 0.02]] as const) {
      const r = await read(s.id);
      expect(r.hat).toBeCloseTo(hat, 12);
      expect(r.tp).toBeCloseTo(0.8 * hat, 12);
      expect(r.gql).toBe(r.tp);
      expect(r.view).toBe(r.tp);
      expect(r.view_hat).toBe(r.hat);
      // before the first sample, the exact exit line is entry − target − the fees the monitor charges
      // (test/cockpit.test.ts checks it against the monitor's decision)
      expect(r.gql_spread).toBeCloseTo(r.entry_spread - r.tp - r.fees, 12);
    }
    await setConfig(db, 'trade.take_profit_ratio', 0.5);
    try {
      const r = await read(a.id);
      expect(r.tp).toBeCloseTo(0.015, 12);
      expect(r.view).toBe(r.tp);
      // the exit decision fires at exactly that target
      const reason = async (pnl: number) =>
        (await db.query('select watchlist.trade_exit_reason(s, $2, now()) as r from watchlist.live_trade_signal s where id = $1', [a.id, pnl])).rows[0].r;
      expect(await reason(0.015)).toBe('take_profit');
      expect(await reason(0.0149)).toBeNull();
    } finally {
      await setConfig(db, 'trade.take_profit_ratio', 0.8);
    }
  });
});

describe('enqueue_trade_job: one spec per task (payload, job key, attempts, queue)', () => {
  it('open_trade (legs for a new trade), close_trade, manual_order; an unknown task is refused', async () => {
    await db.query('delete from graphile_worker._private_jobs');
    const s = await newSignal({ symbol: 'JOB/USDT:USDT', status: 'new' });
    await db.query(`select watchlist.enqueue_trade_job('open_trade', $1)`, [s.id]);
    await db.query(`select watchlist.enqueue_trade_job('close_trade', $1)`, [s.id]);
    const { rows: [m] } = await db.query(
      `insert into watchlist.manual_order (actor, venue, symbol, action, notional_usdt) values ('t', 'okx', 'JOB/USDT:USDT', 'open_long', 20) returning id`);
    await db.query(`select watchlist.enqueue_trade_job('manual_order', $1)`, [m.id]);
    const js = await jobs(db);
    const row = (task: string) => js.find((j) => j.task === task)!;
    expect(row('open_trade')).toMatchObject({
      key: `open_trade:${s.id}`, max_attempts: 5,
      payload: { signal_id: Number(s.id), symbol: 'JOB/USDT:USDT', short: 'okx', long: 'binance' },
    });
    expect(row('close_trade')).toMatchObject({ key: `close_trade:${s.id}`, max_attempts: 25, payload: { signal_id: Number(s.id) } });
    expect(row('manual_order')).toMatchObject({ key: `manual_order:${m.id}`, max_attempts: 10, payload: { manual_order_id: Number(m.id) } });
    const { rows: [q] } = await db.query(
      `select q.queue_name from graphile_worker._private_jobs j join graphile_worker._private_job_queues q on q.id = j.job_queue_id where j.key = $1`,
      [`manual_order:${m.id}`]);
    expect(q.queue_name).toBe('manual:okx:JOB/USDT:USDT');
    // a resumed open (status opening) carries no legs: nothing to re-check
    await db.query(`update watchlist.live_trade_signal set status = 'opening' where id = $1`, [s.id]);
    await db.query(`select watchlist.enqueue_trade_job('open_trade', $1)`, [s.id]);
    expect((await jobs(db, 'open_trade'))[0].payload).toEqual({ signal_id: Number(s.id) });
    await expect(db.query(`select watchlist.enqueue_trade_job('nope', 1)`)).rejects.toThrow(/unknown task/);
  });
});

describe('order size: one base step, one floor, one minimum check', () => {
  it('qty_floor floors to the step exactly (numeric), and the callers agree', async () => {
    const { rows: [r] } = await db.query(
      `select watchlist.base_step(0.01, 10)::text as step, watchlist.base_step(0.001, null)::text as step1,
              watchlist.qty_floor(1.2399, 0.01)::text as f, watchlist.qty_floor(0.3, 0.1)::text as f3,
              watchlist.qty_for_notional(50, 3000, 0.001, 1)::text as q1,
              watchlist.qty_for_notional(50, 0.1, 0.01, 100)::text as q2,
              watchlist.trade_common_qty(50, '[{"ref_price": "3000", "amount_step": "0.001", "contract_size": 1},
                                               {"ref_price": "3001", "amount_step": "0.01", "contract_size": 0.1}]')::text as common`);
    expect(r.step).toBe('0.10');
    expect(r.step1).toBe('0.001');
    expect(Number(r.f)).toBe(1.23);
    expect(Number(r.f3)).toBe(0.3); // no float drift: 0.3 / 0.1 is exactly 3 in numeric
    expect(Number(r.q1)).toBe(0.016); // 50 / 3000 = 0.01666… floored to 0.001
    expect(Number(r.q2)).toBe(500); // step 0.01 × 100 = 1 base; 50 / 0.1 = 500
    expect(Number(r.common)).toBe(0.016); // highest price 3001, coarser step 0.001 (0.01 × 0.1)
  });

  it('order_below_minimum: qty_zero, below_min_amount (contracts), below_min_cost (USDT), null minimums are none', async () => {
    const cases: [string, number, number, number | null, number | null, string | null][] = [
      ['0', 3000, 1, null, null, 'qty_zero'],
      ['0.002', 3000, 1, 0.001, 5, null], // 6 USDT, 0.002 contracts
      ['0.001', 3000, 1, 0.001, 5, 'below_min_cost'], // 3 USDT
      ['0.05', 3000, 0.1, 1, null, 'below_min_amount'], // 0.5 contracts of 0.1
      ['0.1', 3000, 0.1, 1, 5, null],
      ['0.001', 3000, 1, null, null, null],
      ['0.001666', 3000, 1, null, 5, 'below_min_cost'], // 4.998 USDT, exactly (numeric)
      ['0.0016667', 3000, 1, null, 5, null], // 5.0001 USDT
    ];
    for (const [qty, px, cs, minAmt, minCost, want] of cases) {
      const { rows: [r] } = await db.query('select watchlist.order_below_minimum($1, $2, $3, $4, $5) as why', [qty, px, cs, minAmt, minCost]);
      expect(r.why, `${qty} @ ${px} cs ${cs} min ${minAmt}/${minCost}`).toBe(want);
    }
    // the open's pre-send check reports the same reasons
    const legs = (minCost: number) => JSON.stringify([
      { leg: 'short', exchange: 'okx', ref_price: '3000', amount_step: '0.001', contract_size: 1, min_amount: 0.001, min_cost_usdt: minCost, free_usdt: '1000' },
      { leg: 'long', exchange: 'binance', ref_price: '3000', amount_step: '0.001', contract_size: 1, min_amount: 0.001, min_cost_usdt: null, free_usdt: '1000' },
    ]);
    const pre = async (minCost: number) => (await db.query('select watchlist.trade_precheck(10, 1, $1::jsonb) as r', [legs(minCost)])).rows[0].r;
    expect((await pre(20)).fail).toBe('below_min_cost');
    expect((await pre(5)).ok).toBe(true);
  });
});

describe('book staleness: one rule for the open and the monitor', () => {
  it('book_is_stale: older than trade.max_book_age_ms, or of unknown age', async () => {
    await setConfig(db, 'trade.max_book_age_ms', 5000);
    const { rows: [r] } = await db.query(
      `select watchlist.book_is_stale(4999) a, watchlist.book_is_stale(5000) b, watchlist.book_is_stale(5001) c, watchlist.book_is_stale(null) d`);
    expect(r).toEqual({ a: false, b: false, c: true, d: true });
  });

  it('monitor_books_fresh: a stale leg is a StaleBook error row and no sample', async () => {
    const s = await newSignal({ symbol: 'STALE/USDT:USDT' });
    const fresh = async (a: number | null, b: number | null) =>
      (await db.query('select watchlist.monitor_books_fresh($1, $2, $3) as ok', [s.id, a, b])).rows[0].ok;
    expect(await fresh(100, 4000)).toBe(true);
    expect(await fresh(100, 6000)).toBe(false);
    expect(await fresh(null, 10)).toBe(false);
    const { rows } = await db.query(`select stage, error_class, message from watchlist.live_trade_error where signal_id = $1 order by id`, [s.id]);
    expect(rows).toEqual([
      { stage: 'monitor', error_class: 'StaleBook', message: 'book older than 5000 ms' },
      { stage: 'monitor', error_class: 'StaleBook', message: 'book older than 5000 ms' },
    ]);
  });
});

// ---------------------------------------------------------------------------
// One definition per rule, by reading the sources. Old migrations are history
// (applied in the field, immutable) and not scanned.
const root = path.resolve(import.meta.dirname, '..');
function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const f of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, f);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...files(rel, ext));
    else if (ext.test(f)) out.push(rel);
  }
  return out;
}
const SOURCES = [...files('sql', /\.sql$/), ...files('graphql/pages', /\.(js|html)$/), ...files('workers', /\.ts$/)];
const text = Object.fromEntries(SOURCES.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
/** a comparison operator, not the arrows of ->> / => */
const CMP = '(?<![-<>=])[<>](?![>])';
/** the lines matching re, as file:line, in the given files */
function where(re: RegExp, only: (f: string) => boolean = () => true): string[] {
  const hits: string[] = [];
  for (const f of SOURCES.filter(only)) {
    text[f].split('\n').forEach((line, i) => {
      if (re.test(line.replace(/--.*$/, ''))) hits.push(`${f}:${i + 1}`);
    });
  }
  return hits;
}

describe('each rule has exactly one definition', () => {
  it('no source lists a status set itself: the only lists are watchlist.status_set rows', () => {
    const found: string[] = [];
    for (const f of SOURCES) {
      // a parenthesised, bracketed or braced group of quoted words holding a whole set
      for (const g of text[f].matchAll(/\(([^()]*)\)|\[([^[\]]*)\]|\{([^{}]*)\}/g)) {
        const words = new Set([...(g[1] ?? g[2] ?? g[3]).matchAll(/['"]([a-z_]+)['"]/g)].map((m) => m[1]));
        for (const [name, s] of Object.entries(SETS)) {
          if (s.members.every((m) => words.has(m))) found.push(`${f}: ${name} in ${g[0].slice(0, 80)}`);
        }
      }
    }
    expect(found).toEqual([]);
    for (const s of Object.values(SETS)) {
      expect(where(new RegExp(`define_status_predicate\\('${s.fn}'`)).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
    }
  });

  it('take-profit: the ratio and the effective pnl_hat are read in sql/rules.sql only', () => {
    // workers/sim/demo.ts only stores the demo's value through set_config (validated, audited): it does not read the rule
    expect(where(/take_profit_ratio/, (f) => f !== 'sql/settings.sql' && f !== 'workers/sim/demo.ts').map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
    expect(where(/recheck->>'pnl_hat'/).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
  });

  it('jobs: graphile_worker.add_job in jobs.sql, watchlist.enqueue called from the job spec only', () => {
    expect(where(/graphile_worker\.add_job/).map((h) => h.split(':')[0])).toEqual(['sql/jobs.sql']);
    expect(where(/(?<!function )watchlist\.enqueue\(/).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql', 'sql/rules.sql']);
    expect(where(/'(open_trade|close_trade|manual_order):'/).map((h) => h.split(':')[0])).toEqual([]);
  });

  it('order size: one floor, one base step, one minimum check', () => {
    expect(where(/\bfloor\(/, (f) => f.endsWith('.sql')).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
    expect(where(/amount_step[\w')>:]*\s*\*\s*coalesce/).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
    // a comparison against a venue minimum, outside the venue adapters (which mirror the exchange's own refusal)
    const minChecks = where(new RegExp(`min_?(cost|amount)[\\w')\\]:]*\\s*${CMP}|${CMP}\\s*\\(?\\s*[\\w.'>-]*min_?(cost|amount)`, 'i'),
      (f) => !f.startsWith('workers/venues/') && !f.startsWith('workers/sim/'));
    expect(minChecks.map((h) => h.split(':')[0]).sort()).toEqual(['sql/rules.sql', 'sql/rules.sql']);
  });

  it('book staleness: compared in sql/rules.sql only; the monitor asks SQL', () => {
    expect(where(/max_book_age/, (f) => f.startsWith('workers/'))).toEqual([]);
    expect(where(new RegExp(`age_ms.*${CMP}`)).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
    expect(where(/> watchlist\.cfg_num\('trade\.max_book_age_ms'\)/).map((h) => h.split(':')[0])).toEqual(['sql/rules.sql']);
  });
});
