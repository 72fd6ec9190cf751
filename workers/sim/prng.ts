// Counter-based randomness: every draw is a pure hash of (seed, stream, counter), so
// any minute of the simulation is computed without replaying the ones before it,
// in any order, with the same result. mulberry32 is kept for sequential streams
// (fault injection) where order of calls is the point.

/** 32-bit string hash (FNV-1a), for turning names into stream ids */
export function hashStr(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** uint32 from (seed, a, b, c): murmur3-style mixing of each word */
export function hash4(seed: number, a: number, b: number, c: number): number {
  let h = fmix(seed ^ 0x9e3779b9);
  h = fmix(h ^ Math.imul(a | 0, 0xcc9e2d51));
  h = fmix(h ^ Math.imul(b | 0, 0x1b873593));
  h = fmix(h ^ Math.imul(c | 0, 0xe6546b64));
  return h;
}

/** uniform in (0, 1) */
export function uniform(seed: number, a: number, b: number, c: number): number {
  return (hash4(seed, a, b, c) + 0.5) / 4294967296;
}

/** standard normal (Box–Muller on two counter draws) */
export function gauss(seed: number, a: number, b: number, c: number): number {
  const u1 = uniform(seed, a, b, c * 2);
  const u2 = uniform(seed, a, b, c * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** sequential generator (mulberry32) */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
