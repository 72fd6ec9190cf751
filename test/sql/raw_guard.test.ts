// Issue 9 item 6: a writer cannot poison the data. Raw rows that cannot be true go
// to watch_signal_raw_rejected with their reason, never to events; the good rows of
// the same statement still merge; a future-dated row no longer silences its key.
import { describe, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ownDb, sqlFile } from '../helpers/sql-test.ts';
import { config, partitions, rawRows, type Q } from '../helpers/fixtures.ts';

// minutes relative to the current minute (the future check is against the clock)
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const at = (min: number, sec = 0) => new Date(NOW + min * 60_000 + sec * 1000).toISOString();
const days = (q: Q) => partitions(q, 'watch_signal_raw', NOW - 86_400_000, NOW + 4 * 86_400_000);

// raw rows come from the writers: the scanner (wl_writer) or an attached watchlist writer
const { test } = sqlFile({ role: 'wl_writer', setup: days });
const it = test;

interface Row {
  ts: string;
  symbol: string;
  legA?: string;
  legB?: string;
  spread?: string; // SQL literal
  bbhsl?: string;
  priceA?: string;
  priceB?: string;
}
const insert = (q: Q, rows: Row[]) =>
  rawRows(q, rows.map((r) => ({ ...r, spread: r.spread ?? '0.01', bbhsl: r.bbhsl ?? '0.01', priceA: r.priceA ?? '100', priceB: r.priceB ?? '99', meta: {} })));
// two consecutive triggered minutes: enough to open an event (event.n_consecutive = 2)
const run = (symbol: string, r: Omit<Row, 'ts' | 'symbol'> = {}, from = -10): Row[] => [
  { ts: at(from), symbol, ...r },
  { ts: at(from + 1), symbol, ...r },
];
const rejected = async (q: Q) =>
  (await q.query(`select reason, row_data->>'symbol' as symbol from watchlist.watch_signal_raw_rejected order by id`)).rows;
const stored = async (q: Q) => (await q.query(`select symbol, count(*)::int as n from watchlist.watch_signal_raw group by 1 order by 1`)).rows;
const events = async (q: Q) => (await q.query(`select symbol, status from watchlist.watch_signal_event order by symbol`)).rows;

describe('raw guard', () => {
  it('quarantines each kind of bad row with its reason; the good rows of the same INSERT still merge', async ({ tx }) => {
    await insert(tx, [
      ...run('GOOD/USDT:USDT'),
      ...run('NAN/USDT:USDT', { spread: `'NaN'` }),
      ...run('INF/USDT:USDT', { bbhsl: `'Infinity'` }),
      ...run('NINF/USDT:USDT', { spread: `'-Infinity'` }),
      ...run('HUGE/USDT:USDT', { priceA: '1e30' }),
      ...run('NEG/USDT:USDT', { priceB: '-5' }),
      ...run('PNAN/USDT:USDT', { priceA: `'NaN'` }),
      ...run('EVIL/USDT:USDT', { legA: 'evilex' }),
      ...run('FUT/USDT:USDT', {}, 2 * 24 * 60),
      ...run('GOOD2/USDT:USDT', { legA: 'binance', legB: 'bitget' }),
    ]);
    const rej = await rejected(tx);
    expect(rej).toEqual(
      [
        ['NAN', 'non_finite:spread_rel'],
        ['INF', 'non_finite:best_buy_high_sell_low'],
        ['NINF', 'non_finite:spread_rel'],
        ['HUGE', 'bad_price:leg_a_price'],
        ['NEG', 'bad_price:leg_b_price'],
        ['PNAN', 'bad_price:leg_a_price'],
        ['EVIL', 'unknown_venue:leg_a_exchange'],
        ['FUT', 'future_ts'],
      ].flatMap(([s, reason]) => [0, 1].map(() => ({ symbol: `${s}/USDT:USDT`, reason }))),
    );
    // the rejected row is kept as sent (non-finite values as strings)
    const { rows } = await tx.query(`select row_data from watchlist.watch_signal_raw_rejected where reason = 'non_finite:spread_rel' order by id limit 1`);
    expect(rows[0].row_data).toMatchObject({ symbol: 'NAN/USDT:USDT', spread_rel: 'NaN', leg_a_exchange: 'okx' });
    expect(await stored(tx)).toEqual([
      { symbol: 'GOOD/USDT:USDT', n: 2 },
      { symbol: 'GOOD2/USDT:USDT', n: 2 },
    ]);
    expect(await events(tx)).toEqual([
      { symbol: 'GOOD/USDT:USDT', status: 'open' },
      { symbol: 'GOOD2/USDT:USDT', status: 'open' },
    ]);
    const view = await tx.query(`select reason, sum(n)::int as n from watchlist.v_raw_rejections group by 1 order by 1`);
    expect(view.rows).toContainEqual({ reason: 'future_ts', n: 2 });
    expect(view.rows).toContainEqual({ reason: 'bad_price:leg_a_price', n: 4 });
  });

  it('a row dated two days ahead does not silence its key: later true rows still open an event', async ({ tx }) => {
    await insert(tx, [{ ts: at(2 * 24 * 60), symbol: 'KEY/USDT:USDT' }]);
    await insert(tx, [{ ts: at(-5), symbol: 'KEY/USDT:USDT' }]);
    await insert(tx, [{ ts: at(-4), symbol: 'KEY/USDT:USDT' }]);
    expect(await events(tx)).toEqual([{ symbol: 'KEY/USDT:USDT', status: 'open' }]);
    const st = await tx.query(`select last_trigger_ts from watchlist.event_merge_state where symbol = 'KEY/USDT:USDT'`);
    expect(new Date(st.rows[0].last_trigger_ts).toISOString()).toBe(at(-4));
    expect(await rejected(tx)).toEqual([{ symbol: 'KEY/USDT:USDT', reason: 'future_ts' }]);
  });

  it('tolerates writer clock skew within raw.max_future_skew_s, not beyond', async ({ tx }) => {
    await insert(tx, [{ ts: at(2), symbol: 'SKEW/USDT:USDT' }, { ts: at(10), symbol: 'LATE/USDT:USDT' }]);
    expect(await stored(tx)).toEqual([{ symbol: 'SKEW/USDT:USDT', n: 1 }]);
    expect(await rejected(tx)).toEqual([{ symbol: 'LATE/USDT:USDT', reason: 'future_ts' }]);
    await tx.asRole('wl_trader', () => config(tx, 'raw.max_future_skew_s', 900));
    await insert(tx, [{ ts: at(10), symbol: 'LATE/USDT:USDT' }]);
    expect(await stored(tx)).toEqual([
      { symbol: 'LATE/USDT:USDT', n: 1 },
      { symbol: 'SKEW/USDT:USDT', n: 1 },
    ]);
  });

  it('guards COPY and inserts straight into a partition too', async ({ tx }) => {
    // COPY … FROM PROGRAM needs the superuser; the guard is the same for every role
    await tx.asRole('setup', () => tx.query(`copy watchlist.watch_signal_raw (ts, exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange, spread_rel)
      from program $$printf '${at(-3)}\\tmulti\\tCOPY/USDT:USDT\\tB\\tokx\\tbybit\\t0.01\\n${at(-3)}\\tmulti\\tCOPYBAD/USDT:USDT\\tB\\tokx\\tbybit\\tNaN\\n'$$`));
    const { rows } = await tx.query(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'watchlist.watch_signal_raw'::regclass and pg_get_expr(c.relpartbound, c.oid) like $1`,
      [`%FROM ('${new Date(NOW).toISOString().slice(0, 10)}%`],
    );
    // straight into a partition is what an attached legacy writer does, with its own
    // login; a partition made by ensure_partitions carries no grants for our roles
    await tx.asRole('setup', () => tx.query(`insert into watchlist.${rows[0].relname} (ts, exchange, symbol, signal_type, leg_a_exchange, leg_b_exchange)
      values ($1, 'multi', 'PART/USDT:USDT', 'B', 'nowhere', 'okx'), ($1, 'multi', 'PARTOK/USDT:USDT', 'B', 'okx', 'bybit')`, [at(-2)]));
    expect(await stored(tx)).toEqual([
      { symbol: 'COPY/USDT:USDT', n: 1 },
      { symbol: 'PARTOK/USDT:USDT', n: 1 },
    ]);
    expect(await rejected(tx)).toEqual([
      { symbol: 'COPYBAD/USDT:USDT', reason: 'non_finite:spread_rel' },
      { symbol: 'PART/USDT:USDT', reason: 'unknown_venue:leg_a_exchange' },
    ]);
  });

  // NOTIFY is delivered on commit: a database of its own
  it('tells operators: one NOTIFY per reason per statement on watchlist_signal', async () => {
    await ownDb(async (db) => {
      await days(db);
      const c = await db.connectAs('wl_reader');
      const writer = await db.connectAs('wl_writer');
      const notes: unknown[] = [];
      c.on('notification', (n) => notes.push(JSON.parse(n.payload!)));
      await c.query('listen watchlist_signal');
      await insert(writer, [...run('N1/USDT:USDT', { legB: 'zz' }), ...run('N2/USDT:USDT', { legB: 'zz' })]);
      await new Promise((r) => setTimeout(r, 300));
      await c.end();
      await writer.end();
      expect(notes).toEqual([{ type: 'raw_rejected', reason: 'unknown_venue:leg_b_exchange' }]);
    });
  });

  it('a venue added to known_venue is accepted from then on', async ({ tx }) => {
    await insert(tx, [{ ts: at(-1), symbol: 'GATE/USDT:USDT', legA: 'gate' }]);
    expect(await stored(tx)).toEqual([]);
    await tx.query(`insert into watchlist.known_venue (venue, source) values ('gate', 'test')`);
    await insert(tx, [{ ts: at(-1), symbol: 'GATE/USDT:USDT', legA: 'gate' }]);
    expect(await stored(tx)).toEqual([{ symbol: 'GATE/USDT:USDT', n: 1 }]);
  });

  it('migration 000011 gives a key silenced by an already-stored future row its clock back', async ({ tx }) => {
    // the state an installation had before the guard: the future row got in
    // (the owner's DDL: as the test's superuser)
    await tx.asRole('setup', async () => {
      await tx.query('alter table watchlist.watch_signal_raw disable trigger _110_guard');
      await insert(tx, run('OLD/USDT:USDT', {}, 2 * 24 * 60));
      await tx.query('alter table watchlist.watch_signal_raw enable trigger _110_guard');
    });
    await insert(tx, [{ ts: at(-5), symbol: 'OLD/USDT:USDT' }, { ts: at(-4), symbol: 'OLD/USDT:USDT' }]);
    expect((await events(tx)).filter((e) => e.status === 'open').length).toBe(1); // the future-dated one only
    const file = path.join(import.meta.dirname, '..', '..', 'migrations', 'committed', '000011-raw-guard-venue-mode.sql');
    await tx.asRole('setup', () => tx.query(readFileSync(file, 'utf8'))); // the migrate runs as the owner
    await insert(tx, [{ ts: at(-3), symbol: 'OLD/USDT:USDT' }, { ts: at(-2), symbol: 'OLD/USDT:USDT' }]);
    const { rows } = await tx.query(`select start_ts, status from watchlist.watch_signal_event where symbol = 'OLD/USDT:USDT' order by start_ts`);
    expect(rows.map((r) => [new Date(r.start_ts).toISOString(), r.status])).toEqual([
      [at(-2), 'open'],
      [at(2 * 24 * 60 + 1), 'closed'],
    ]);
  });
});
