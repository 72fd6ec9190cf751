// Client order ids derive from this installation's prefix (random, stored in the
// database), the signal (or manual order) id, the leg and the attempt: a retry after
// a crash looks the order up instead of placing it twice, and a wiped database or a
// second installation on the same keys never reuses an id (`wl1short1` would be
// answered by Bybit/Bitget as a duplicate, and adopted as ours). Leg tags are
// lower-case letters, so `wl{PREFIX}{n}-{tag}-{attempt}` stays decodable after the
// venue strips the dashes.
import type { Venue } from '../venues/types.ts';
import { legClientOrderIdBase } from '../venues/client-order-id.ts';
import type { Q } from './db.ts';
import { installationPrefix as prefixOf } from '../sql/installation_prefix.ts';

export type OrderTag = 'short' | 'long' | 'closeshort' | 'closelong' | 'flatshort' | 'flatlong' | 'trimshort' | 'trimlong';

export async function installationPrefix(q: Q): Promise<string> {
  const p = await prefixOf(q);
  if (!p) throw new Error('no installation prefix in watchlist.installation: run wl migrate');
  return p;
}

export async function tradeClientOrderId(q: Q, venue: Venue, signalId: number | string, tag: OrderTag, attempt: number): Promise<string> {
  return venue.clientOrderId(legClientOrderIdBase(signalId, tag, attempt, await installationPrefix(q)));
}

/** manual orders: `wlm` keeps them apart from signal ids; the prefix follows */
export async function manualClientOrderId(q: Q, venue: Venue, manualId: number | string, action: string, attempt: number): Promise<string> {
  return venue.clientOrderId(`wlm${await installationPrefix(q)}${manualId}-${action.replace(/[^a-z]/gi, '').toLowerCase()}-${attempt}`);
}
