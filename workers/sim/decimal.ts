// Exact decimal strings on BigInt: quantities and prices are rounded to venue steps
// here, never by float accumulation. A value is (units, scale): units × 10^-scale.

export interface Dec {
  units: bigint;
  scale: number;
}

export function dec(s: string | number): Dec {
  const str = typeof s === 'number' ? numberToPlain(s) : s.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(str);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal: ${s}`);
  const frac = m[3] ?? '';
  const units = BigInt((m[2] || '0') + frac) * (m[1] === '-' ? -1n : 1n);
  return { units, scale: frac.length };
}

/** a float as a plain decimal string (no exponent), 12 significant decimals at most */
export function numberToPlain(x: number, maxDecimals = 12): string {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  return trimZeros(x.toFixed(maxDecimals));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function rescale(a: Dec, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

export function toStr(a: Dec): string {
  const neg = a.units < 0n;
  let digits = (neg ? -a.units : a.units).toString();
  if (a.scale === 0) return (neg ? '-' : '') + digits;
  digits = digits.padStart(a.scale + 1, '0');
  const s = `${digits.slice(0, -a.scale)}.${digits.slice(-a.scale)}`;
  const out = trimZeros(s);
  return neg && out !== '0' ? `-${out}` : out;
}

export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}
export const neg = (a: Dec): Dec => ({ units: -a.units, scale: a.scale });
export const sub = (a: Dec, b: Dec): Dec => add(a, neg(b));
export const mul = (a: Dec, b: Dec): Dec => ({ units: a.units * b.units, scale: a.scale + b.scale });
export function cmp(a: Dec, b: Dec): number {
  const scale = Math.max(a.scale, b.scale);
  const d = rescale(a, scale) - rescale(b, scale);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}
export const isZero = (a: Dec) => a.units === 0n;
export const abs = (a: Dec): Dec => (a.units < 0n ? neg(a) : a);
export const min = (a: Dec, b: Dec): Dec => (cmp(a, b) <= 0 ? a : b);

/** how many whole steps fit in |a| (truncating toward zero), and the sign */
export function stepsIn(a: Dec, step: Dec): bigint {
  if (step.units <= 0n) throw new RangeError('step must be > 0');
  const scale = Math.max(a.scale, step.scale);
  return rescale(abs(a), scale) / rescale(step, scale);
}

/** |a| truncated down to a multiple of step (sign kept) */
export function truncToStep(a: Dec, step: Dec): Dec {
  const n = stepsIn(a, step);
  const r = mul({ units: n, scale: 0 }, step);
  return a.units < 0n ? neg(r) : r;
}

/** n × step as a string */
export const stepsToStr = (n: bigint | number, step: Dec): string => toStr(mul({ units: BigInt(n), scale: 0 }, step));

/** decimal places of a step string: '0.001' → 3, '5' → 0 */
export const placesOf = (step: string) => dec(step).scale;

export const toNum = (a: Dec) => Number(toStr(a));
