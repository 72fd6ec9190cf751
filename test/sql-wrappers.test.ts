// The SQL ↔ TS seam: workers reach SQL only through the typed wrappers in workers/sql/,
// and a venue result whose field was renamed on either side fails loudly, naming the
// field, instead of being recorded as nulls or zeros.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { freshDb, type TestDb } from './helpers/db.ts';
import { submit, type PreparedOrder } from '../workers/trade/legs.ts';
import { refreshPosition } from '../workers/trade/positions.ts';
import type { MarketInfo, OrderResult, Position, Venue } from '../workers/venues/types.ts';

const root = join(import.meta.dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** code without comments, so prose about queries does not count */
const code = (f: string) =>
  readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('static: workers call SQL only through workers/sql/', () => {
  const files = tsFiles(join(root, 'workers')).map((f) => relative(root, f));

  it('no file under workers/ outside workers/sql/ calls .query( (client.query, pool.query, helpers.query …)', () => {
    const offenders = files
      .filter((f) => !f.startsWith('workers/sql/'))
      .flatMap((f) =>
        code(join(root, f))
          .split('\n')
          .map((line, i) => ({ f, line: i + 1, text: line.trim() }))
          .filter((l) => /\.query\s*[<(]/.test(l.text)),
      );
    expect(offenders).toEqual([]);
  });

  it('no `any` in the wrappers nor at their call sites (workers/sql, workers/trade, workers/tasks, the paper ledger)', () => {
    const scoped = files.filter((f) => /^workers\/(sql|trade|tasks)\//.test(f) || f === 'workers/venues/paper-venue.ts');
    const offenders = scoped.flatMap((f) =>
      code(join(root, f))
        .split('\n')
        .map((line, i) => ({ f, line: i + 1, text: line.trim() }))
        .filter((l) => /(:\s*any\b|\bas any\b|<any>|\bany\[\])/.test(l.text)),
    );
    expect(offenders).toEqual([]);
  });

  it('every wrapper module declares its call text, a params schema and a result/row schema', () => {
    const modules = files.filter((f) => f.startsWith('workers/sql/') && !/(client|shapes|row|legs)\.ts$|-/.test(f.split('/').pop()!));
    expect(modules.length).toBeGreaterThan(40);
    const missing = modules.filter((f) => {
      const s = code(join(root, f));
      return !/export const (text|lockText)\b/.test(s) || !/export const Params\b/.test(s) || !/(callRows|callRow|callValue)\(/.test(s);
    });
    expect(missing).toEqual([]);
  });
});

// ---- the venue-result shape, with a real database -------------------------------

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db?.close();
});

let seq = 0;
async function preparedOrder(): Promise<PreparedOrder> {
  const cid = `wltestshape${++seq}`;
  const { rows } = await db.query(
    `select watchlist.trade_prepare_order(null, 'manual', 'long', 'paper1', 'BTC/USDT:USDT', 'buy', 0.002, false, $1, 1) as id`,
    [cid],
  );
  return { order_id: Number(rows[0].id), exchange: 'paper1', symbol: 'BTC/USDT:USDT', side: 'buy', amount: '0.002', client_order_id: cid, reduce_only: false };
}

const market: MarketInfo = {
  symbol: 'BTC/USDT:USDT', venueSymbol: 'BTCUSDT', contractSize: 1, amountStep: '0.001', priceStep: '0.1', minAmount: 0.001, minCostUsdt: 5, takerFee: 0.0005,
};

function filledOrder(cid: string): OrderResult {
  return {
    venue: 'paper1', symbol: 'BTC/USDT:USDT', id: `x-${cid}`, clientOrderId: cid, side: 'buy', status: 'closed',
    amountBase: '0.002', filledBase: '0.002', avgPrice: '50000', fee: '0.05', feeCurrency: 'USDT',
    fills: [{ tradeId: `t-${cid}`, price: '50000', amountBase: '0.002', fee: '0.05', feeCurrency: 'USDT', ts: Date.now() }],
    reduceOnly: false, ts: Date.now(), raw: { test: true },
  };
}

/** a venue whose answers go through `reshape` (a field renamed in the venue code, say) */
function venueAnswering(reshape: (r: OrderResult) => unknown, positions: () => unknown[] = () => []): Venue {
  return {
    name: 'paper1',
    loadMarkets: async () => {},
    market: () => market,
    symbols: () => [market.symbol],
    fetchOrderBook: async () => { throw new Error('not used'); },
    fetchFundingInfo: async () => { throw new Error('not used'); },
    fetchFundingHistory: async () => [],
    createMarketOrder: async (req) => reshape(filledOrder(req.clientOrderId)) as OrderResult,
    fetchOrderByClientId: async () => null,
    fetchPositions: async () => positions() as Position[],
    setLeverage: async () => {},
    fetchLeverage: async () => 1,
    fetchBalance: async () => ({ venue: 'paper1', currency: 'USDT', total: '1000', free: '1000' }),
    clientOrderId: (b) => b,
  };
}

const orderRow = async (id: number) => (await db.query('select status, filled_qty::text, avg_price::text from watchlist.live_trade_order where id = $1', [id])).rows[0];

describe('venue results: one checked shape', () => {
  it('a well-formed order result is recorded as filled (the control)', async () => {
    const o = await preparedOrder();
    expect(await submit(db.pool, venueAnswering((r) => r), o, 'manual')).toBe('filled');
    expect(await orderRow(o.order_id)).toMatchObject({ status: 'filled', filled_qty: '0.002', avg_price: '50000' });
  });

  it('TS side: filledBase renamed in a venue answer fails naming the field; nothing is recorded as a fill of 0', async () => {
    const o = await preparedOrder();
    const renamed = ({ filledBase, ...rest }: OrderResult) => ({ ...rest, filled: filledBase });
    await expect(submit(db.pool, venueAnswering(renamed), o, 'manual')).rejects.toThrow(/filledBase/);
    // the row keeps its unknown outcome (pending): the job retries and looks it up by client id
    expect((await orderRow(o.order_id)).status).toBe('pending');
    expect(Number((await db.query('select count(*) n from watchlist.live_trade_fill where order_id = $1', [o.order_id])).rows[0].n)).toBe(0);
  });

  it('TS side: a fill with tradeId renamed fails naming tradeId', async () => {
    const o = await preparedOrder();
    const renamed = (r: OrderResult) => ({ ...r, fills: r.fills.map(({ tradeId, ...f }) => ({ ...f, trade_id: tradeId })) });
    await expect(submit(db.pool, venueAnswering(renamed), o, 'manual')).rejects.toThrow(/tradeId/);
  });

  it('TS side: a position with sizeBase renamed fails naming sizeBase', async () => {
    const v = venueAnswering((r) => r, () => [{ venue: 'paper1', symbol: market.symbol, size: '0.002', entryPrice: null, unrealizedPnl: null, ts: 0 }]);
    await expect(refreshPosition(db.pool, v, market.symbol)).rejects.toThrow(/sizeBase/);
  });

  it('SQL side: trade_record_order names a missing field (a key renamed on the TS side reaches SQL)', async () => {
    const o = await preparedOrder();
    const { filledBase: _f, ...rest } = filledOrder(o.client_order_id);
    await expect(db.query(`select watchlist.trade_record_order($1, $2::jsonb)`, [o.order_id, JSON.stringify({ ...rest, filled: '0.002' })]))
      .rejects.toThrow(/venue order result: field "filledBase" is missing/);
    expect((await orderRow(o.order_id)).status).toBe('pending');
  });

  it('SQL side: a fill without tradeId, or an amount sent as a float, is refused with the field named', async () => {
    const o = await preparedOrder();
    const r = filledOrder(o.client_order_id);
    const noTrade = { ...r, fills: r.fills.map(({ tradeId: _t, ...f }) => f) };
    await expect(db.query(`select watchlist.trade_record_order($1, $2::jsonb)`, [o.order_id, JSON.stringify(noTrade)]))
      .rejects.toThrow(/venue order fill: field "tradeId" is missing/);
    await expect(db.query(`select watchlist.trade_record_order($1, $2::jsonb)`, [o.order_id, JSON.stringify({ ...r, amountBase: 0.002 })]))
      .rejects.toThrow(/field "amountBase" should be decimal/);
  });

  it('SQL side: record_venue_positions and note_foreign_open_orders name the missing field', async () => {
    await expect(db.query(`select watchlist.record_venue_positions('paper1', $1::jsonb)`, [JSON.stringify([{ symbol: market.symbol, size_base: '1' }])]))
      .rejects.toThrow(/venue position: field "sizeBase" is missing/);
    await expect(db.query(`select watchlist.note_foreign_open_orders('paper1', $1::jsonb)`, [JSON.stringify([{ symbol: market.symbol, client_order_id: 'wlX1' }])]))
      .rejects.toThrow(/venue open order: field "clientOrderId" is missing/);
  });
});
