// Client order ids shaped to what every exchange accepts.
//
// Rules (intersection of the four venues): letters and digits only, 1–32 characters.
//   Binance newClientOrderId ^[.A-Z:/a-z0-9_-]{1,36}$, OKX clOrdId alphanumeric 1–32,
//   Bybit orderLinkId ≤ 36 (letters, digits, - _), Bitget clientOid ≤ 32 (letters, digits, _).
//
// Our ids are built as `wl{PREFIX}{signal}-{leg}-{attempt}` (PREFIX: this installation's six
// upper-case letters, stored in the database; signal and attempt numeric, leg lower-case
// letters; manual orders `wlm{PREFIX}{id}-{action}-{attempt}`). Dropping the dashes loses
// nothing: the runs decode back uniquely, so `wlQZKXAB123-short-1` → `wlQZKXAB123short1`
// stays readable, and ids never repeat across installations or a wiped database.
// Anything else that is not already valid (other characters, too long) becomes a readable
// prefix plus a hash of the WHOLE original, so two different inputs never share an id.
// The function is deterministic and idempotent: shaping a shaped id returns it unchanged,
// so a retry after a crash, or a look-up by an id read back from the database, finds the
// same order.
import { createHash } from 'node:crypto';

export const CLIENT_ORDER_ID_MAX = 32;
const ALNUM = /^[A-Za-z0-9]+$/;
const CANONICAL = /^([A-Za-z]+)(\d+)-([A-Za-z]+)-(\d+)$/;
const HASH_LEN = 10; // hex chars, 40 bits

export function isValidClientOrderId(id: string, maxLen = CLIENT_ORDER_ID_MAX): boolean {
  return id.length >= 1 && id.length <= maxLen && ALNUM.test(id);
}

export function shapeClientOrderId(base: string, maxLen = CLIENT_ORDER_ID_MAX): string {
  if (typeof base !== 'string' || base.length === 0) throw new TypeError('client order id base must be a non-empty string');
  if (maxLen < HASH_LEN + 2) throw new RangeError(`maxLen too small: ${maxLen}`);
  if (isValidClientOrderId(base, maxLen)) return base;
  const m = CANONICAL.exec(base);
  if (m) {
    const joined = m[1] + m[2] + m[3] + m[4];
    if (joined.length <= maxLen) return joined;
  }
  const hash = createHash('sha256').update(base, 'utf8').digest('hex').slice(0, HASH_LEN);
  const readable = base.replace(/[^A-Za-z0-9]/g, '').slice(0, maxLen - HASH_LEN - 1);
  // 'h' separates the readable part from the hash and keeps the id starting with a letter
  return `${readable || 'x'}h${hash}`;
}

const PREFIX = /^[A-Z]{6}$/;

/** the id we use for a leg of a signal: `wl{prefix}{signal}-{leg}-{attempt}` before shaping */
export function legClientOrderIdBase(signalId: number | bigint | string, leg: string, attempt: number, prefix = ''): string {
  if (prefix !== '' && !PREFIX.test(prefix)) throw new RangeError(`installation prefix must be six upper-case letters, got ${prefix}`);
  return `wl${prefix}${signalId}-${leg}-${attempt}`;
}

export interface DecodedClientOrderId {
  manual: boolean;
  /** '' for ids from before installation prefixes */
  prefix: string;
  id: string;
  tag: string;
  attempt: number;
}

/** our convention back from a shaped id; null when the id is not ours in shape */
export function decodeClientOrderId(id: string): DecodedClientOrderId | null {
  const m = /^wl(m?)([A-Z]{6})?(\d+)([a-z]+)(\d+)$/.exec(id);
  return m ? { manual: m[1] === 'm', prefix: m[2] ?? '', id: m[3], tag: m[4], attempt: Number(m[5]) } : null;
}
