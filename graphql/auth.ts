// Who a GraphQL request is: anonymous (wl_reader) or the trader (wl_trader).
// The trader credential is a bearer token from WL_TRADER_TOKEN; it is never stored
// in the database. Tokens are compared as SHA-256 digests with timingSafeEqual, so
// neither the length nor the content of the secret leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

export type Viewer = 'anonymous' | 'trader';

export const ROLE: Record<Viewer, string> = { anonymous: 'wl_reader', trader: 'wl_trader' };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function makeAuthenticator(traderToken: string | undefined = process.env.WL_TRADER_TOKEN) {
  const expected = traderToken ? digest(traderToken) : null;
  return function viewerFromAuthorization(header: string | string[] | undefined | null): Viewer {
    if (!expected) return 'anonymous';
    const value = Array.isArray(header) ? header[0] : header;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
    if (!m) return 'anonymous';
    return timingSafeEqual(digest(m[1]), expected) ? 'trader' : 'anonymous';
  };
}

/**
 * Every pooled connection starts as the anonymous reader (libpq startup options), so
 * an anonymous request needs no settings at all: its queries run without the
 * begin / set_config / commit round trips PostGraphile wraps around pgSettings.
 * SET ROLE is checked against the session user, so a trader request can still
 * switch (transaction-locally) to wl_trader.
 */
export const ANONYMOUS_SESSION_OPTIONS = `-c role=${ROLE.anonymous} -c statement_timeout=5s -c wl.actor=graphql:anonymous`;

/** The transaction settings of a request: none for anonymous (the session defaults), role and audit actor for the trader. */
export function pgSettingsFor(viewer: Viewer): Record<string, string> | null {
  if (viewer === 'anonymous') return null;
  return {
    role: ROLE[viewer],
    'wl.actor': `graphql:${viewer}`,
    statement_timeout: '15s',
  };
}
