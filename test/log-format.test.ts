// cli/log.ts through pino: plain lines when piped (what scripts and these tests read),
// pretty on a terminal, JSON lines with WL_LOG_FORMAT=json (issue 12 item 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from './helpers/db.ts';
import { spawnWl } from './helpers/proc.ts';
import { logFormat } from '../cli/log.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db.close());

describe('log format', () => {
  it('pretty on a terminal, plain when piped, WL_LOG_FORMAT wins', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('plain');
    expect(logFormat({ WL_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ WL_LOG_FORMAT: 'JSON' }, false)).toBe('json');
    expect(logFormat({ WL_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormat({ WL_LOG_FORMAT: 'nonsense' }, false)).toBe('plain');
  });

  it('WL_LOG_FORMAT=json: every operator line is one pino JSON object', async () => {
    const tail = spawnWl(['tail'], { DATABASE_URL: db.url, WL_LOG_FORMAT: 'json' });
    try {
      await tail.waitFor(/listening on/, 30_000);
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited();
    }
    const lines = tail.output().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const objs = lines.map((l) => JSON.parse(l));
    for (const o of objs) expect(o).toMatchObject({ level: 30, name: 'wl', msg: expect.any(String), time: expect.any(Number) });
    expect(objs.map((o) => o.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^listening on watchlist_signal/), 'SIGINT: shutting down', 'stopped listener']));
  });

  it('piped without WL_LOG_FORMAT: `<ISO time> wl: <message>` lines', async () => {
    const tail = spawnWl(['tail'], { DATABASE_URL: db.url, WL_LOG_FORMAT: '' });
    try {
      await tail.waitFor(/listening on/, 30_000);
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited();
    }
    for (const l of tail.output().split('\n').filter(Boolean)) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z wl: \S/);
  });
});
