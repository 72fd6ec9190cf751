// Client order ids derive from the signal (or manual order) id, the leg and the
// attempt, so a retry after a crash looks the order up instead of placing it twice.
// Leg tags are letters only, so the canonical `wl{n}-{tag}-{attempt}` shape stays
// decodable after the venue strips the dashes.
import type { Venue } from '../venues/types.ts';
import { legClientOrderIdBase } from '../venues/client-order-id.ts';

export type OrderTag = 'short' | 'long' | 'closeshort' | 'closelong' | 'flatshort' | 'flatlong' | 'trimshort' | 'trimlong';

export function tradeClientOrderId(venue: Venue, signalId: number | string, tag: OrderTag, attempt: number): string {
  return venue.clientOrderId(legClientOrderIdBase(signalId, tag, attempt));
}

/** manual orders: prefix `wlm` keeps them apart from signal ids */
export function manualClientOrderId(venue: Venue, manualId: number | string, action: string, attempt: number): string {
  return venue.clientOrderId(`wlm${manualId}-${action.replace(/[^a-z]/gi, '')}-${attempt}`);
}
