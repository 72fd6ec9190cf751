// Wall-clock timestamps with sub-millisecond resolution (for submission times:
// the two legs of a pair go out microseconds apart, and the bench measures that).
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function preciseIso(ms = preciseNow()): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  return new Date(whole).toISOString().replace('Z', String(micros).padStart(3, '0') + 'Z');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
