// `npm run bench:scan`: one minute's watchlist.scan(ts) at full width on the database of
// bench/helpers/scan-fixture.ts (800 symbols × 7 venues, 12h of history; its knobs).
// BENCH_MINUTES (timed), BENCH_KEEP=1 keeps the database (with DATABASE_URL) for EXPLAIN ANALYZE.
import { scanFixture, secs } from './helpers/scan-fixture.ts';

const TIMED = Number(process.env.BENCH_MINUTES ?? 6);
const WARM = 3;

const log = (m: string) => console.error(`[bench:scan] ${m}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

async function main() {
  const fx = await scanFixture('scan', { warm: WARM, timed: TIMED, log });
  const { db, minute } = fx;
  try {
    const run = async (k: number) => {
      const insertS = await fx.insertMinute(k);
      const t = process.hrtime.bigint();
      const { rows } = await db.query(`select watchlist.scan($1) as r`, [minute(k)]);
      return { insertS, scanS: secs(t), r: rows[0].r };
    };
    for (let k = -WARM; k < 0; k++) {
      const x = await run(k);
      log(`warm ${x.r.ts}: scan ${x.scanS.toFixed(3)} s, ${JSON.stringify(x.r)}`);
    }
    const scans: number[] = [];
    const inserts: number[] = [];
    const raws: number[] = [];
    let pairs = 0;
    for (let k = 0; k < TIMED; k++) {
      const x = await run(k);
      scans.push(x.scanS);
      inserts.push(x.insertS);
      raws.push(x.r.raw_rows);
      pairs = x.r.pairs;
      log(`minute ${x.r.ts}: insert ${x.insertS.toFixed(3)} s, scan ${x.scanS.toFixed(3)} s, ${JSON.stringify(x.r)}`);
    }
    // what the window factors would cost if every pair needed them at once
    const t0 = process.hrtime.bigint();
    await db.query(`select count(f.n_1h) from watchlist.scan_pair p, lateral watchlist.pair_series_factors(p.id, $1) f`, [minute(TIMED - 1)]);
    const allFactorsS = secs(t0);

    console.log(`scan_seconds_p50: ${pct(scans, 0.5).toFixed(3)} s`);
    console.log(`scan_seconds_max: ${Math.max(...scans).toFixed(3)} s`);
    console.log(`pairs_per_minute: ${pairs} pairs`);
    console.log(`raw_rows_per_minute: ${Math.round(raws.reduce((a, b) => a + b, 0) / raws.length)} rows`);
    console.log(`snapshot_insert_seconds: ${pct(inserts, 0.5).toFixed(3)} s`);
    console.log(`history_pair_minutes: ${fx.histRows} rows`);
    console.log(`all_pairs_window_factors_seconds: ${allFactorsS.toFixed(3)} s`);
  } finally {
    await fx.close();
  }
}

await main();
