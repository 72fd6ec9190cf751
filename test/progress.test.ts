// Progress of long commands (issue 11 item 7): one rewritten line with rate and ETA on
// a terminal, plain timestamped lines (throttled) otherwise; the same module serves
// wl backfill, wl model fit and wl report.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeProgress, progressLine, formatDuration } from '../cli/progress.ts';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 200, write: (s: string) => out.push(s) } };
}

describe('progress', () => {
  it('computes rate and ETA', () => {
    expect(progressLine('backfill', 300, 1200, 10, 'minutes')).toBe('backfill  300/1200 minutes (25%)  30.0 minutes/s  ETA 30s  elapsed 10s');
    expect(progressLine('fit', 2, undefined, 4, 'models', 'B/240m')).toBe('fit  2 models  0.50 models/s  elapsed 4s  B/240m');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(125)).toBe('2m05s');
  });

  it('on a terminal rewrites one line in place and ends it with a newline', () => {
    let t = 0;
    const { out, stream } = sink(true);
    const p = makeProgress('backfill', 100, { stream, now: () => t, unit: 'minutes' });
    for (let i = 1; i <= 100; i++) {
      t += 50; // 20 minutes/s
      p.update(i);
    }
    p.done();
    expect(out.every((s) => s.startsWith('\r') || s === '\n')).toBe(true);
    expect(out.filter((s) => s.includes('\n'))).toEqual(['\n']);
    // redraws throttled to one per 200 ms: 25 in 5 s, plus the final one
    expect(out.length).toBeLessThanOrEqual(28);
    // redrawn at 50 ms, 250 ms, …: 49 minutes after 2.45 s at 20/s leaves 51 → 3 s
    expect(out.find((s) => s.includes('49/100'))).toContain('ETA 3s');
    expect(out[out.length - 2]).toContain('100/100 minutes (100%)  20.0 minutes/s');
  });

  it('elsewhere prints plain timestamped lines, at most one per interval, and always the last', () => {
    let t = 0;
    const { out, stream } = sink(false);
    const p = makeProgress('report ic', 6, { stream, now: () => t, everyMs: 10_000, unit: 'steps' });
    for (let i = 1; i <= 6; i++) {
      t += 3000;
      p.update(i, `step ${i}`);
    }
    p.done('written');
    expect(out.every((s) => /^\d{4}-\d\d-\d\dT.* wl: report ic {2}/.test(s) && s.endsWith('\n') && !s.includes('\r'))).toBe(true);
    // at 3 s (the first), 15 s (10 s later) and the final line
    expect(out).toHaveLength(3);
    expect(out[0]).toContain('1/6 steps');
    expect(out[1]).toContain('5/6 steps');
    expect(out[2]).toContain('6/6 steps (100%)');
    expect(out[2]).toContain('written');
  });

  it('is the one module wl backfill, wl model fit and wl report use', () => {
    for (const f of ['backfill.ts', 'model.ts', 'report.ts']) {
      expect(readFileSync(path.join(import.meta.dirname, '../cli', f), 'utf8'), f).toMatch(/import \{ makeProgress \} from '\.\/progress\.ts'/);
    }
  });
});
