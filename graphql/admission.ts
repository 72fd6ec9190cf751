// Per-client concurrency for anonymous GraphQL requests: each client (remote address)
// has at most WL_GRAPHQL_ANON_PER_CLIENT (default 4) anonymous requests in flight; more
// are answered 429 at once, before any parsing or database work. The trader is never
// limited here (its token is checked first).
import type http from 'node:http';

export function makeAdmission(perClient = Number(process.env.WL_GRAPHQL_ANON_PER_CLIENT) > 0 ? Number(process.env.WL_GRAPHQL_ANON_PER_CLIENT) : 4) {
  const inFlight = new Map<string, number>();
  return {
    perClient,
    /** true when the request may proceed; it is counted until its response closes */
    admit(req: http.IncomingMessage, res: http.ServerResponse): boolean {
      const key = req.socket.remoteAddress ?? 'unknown';
      const n = inFlight.get(key) ?? 0;
      if (n >= perClient) {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        res.end(JSON.stringify({ errors: [{ message: `Too many concurrent anonymous requests from this client (limit ${perClient}).`, extensions: { code: 'TOO_MANY_REQUESTS' } }] }));
        return false;
      }
      inFlight.set(key, n + 1);
      res.once('close', () => {
        const m = (inFlight.get(key) ?? 1) - 1;
        if (m <= 0) inFlight.delete(key);
        else inFlight.set(key, m);
      });
      return true;
    },
  };
}
