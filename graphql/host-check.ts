// Which Host and Origin the server answers. A page on another site can point a
// DNS name it controls at 127.0.0.1 (DNS rebinding) and then read this server as
// "same origin"; the browser still sends that name as Host, so a Host outside the
// allow-list is refused. Browsers always send Origin on websockets, and a page on
// another origin (another port included) must not read trades over them, so an
// Origin outside the allow-list is refused on websockets and on HTTP alike.
// Requests without Origin (curl, the CLI, Node clients) are not from a page.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HostPolicy {
  /** host:port strings (lower case, IPv6 in brackets; port `*` for any) a request may name */
  allowed: ReadonlySet<string>;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** `name` or `name:port` as it appears in a Host header, lower case; IPv6 in brackets */
function normalise(entry: string): string {
  const e = entry.trim().toLowerCase();
  if (e.includes(':') && !e.startsWith('[') && e.split(':').length > 2) return `[${e}]`; // a bare IPv6 address
  return e;
}

/**
 * Loopback names and the address the server is bound to (unless a wildcard), on the
 * server's port; and WL_ALLOWED_HOSTS (comma-separated): `name:port` exactly, a bare
 * `name` on any port (a name the operator declared theirs, e.g. behind a reverse
 * proxy whose Host carries no port).
 */
export function hostPolicy(port: number, boundHost: string | undefined, env: NodeJS.ProcessEnv = process.env): HostPolicy {
  const names = [...LOOPBACK];
  if (boundHost && !['0.0.0.0', '::', '[::]'].includes(boundHost)) names.push(normalise(boundHost));
  const allowed = new Set(names.map((n) => `${n}:${port}`));
  for (const n of (env.WL_ALLOWED_HOSTS ?? '').split(',').map(normalise).filter(Boolean)) {
    allowed.add(/:\d+$/.test(n) ? n : `${n}:*`);
  }
  return { allowed };
}

const admits = (policy: HostPolicy, hp: string) => policy.allowed.has(hp) || policy.allowed.has(hp.replace(/:\d+$/, ':*'));

/** a Host header value as host:port (the port implied by the scheme when absent) */
function hostPort(host: string, defaultPort: number): string {
  const h = host.trim().toLowerCase();
  return /:\d+$/.test(h) ? h : `${h}:${defaultPort}`;
}

export type Refusal = { status: number; reason: string };

/** null when the request may be answered, else the status and reason to refuse it with */
export function checkRequest(req: IncomingMessage, policy: HostPolicy): Refusal | null {
  const host = req.headers.host;
  if (!host || !admits(policy, hostPort(host, 80))) {
    return { status: 421, reason: `Host ${JSON.stringify(host ?? '')} is not served here; add it to WL_ALLOWED_HOSTS to allow it.` };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { status: 403, reason: `Origin ${JSON.stringify(origin)} is not allowed.` };
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !admits(policy, hostPort(url.host, url.protocol === 'https:' ? 443 : 80))) {
    return { status: 403, reason: `Origin ${JSON.stringify(origin)} is not allowed; add its host to WL_ALLOWED_HOSTS to allow it.` };
  }
  return null;
}

/** the check for the server's handlers: `policy()` is null until the server knows its port */
export function makeGuard(policy: () => HostPolicy | null) {
  const check = (req: IncomingMessage): Refusal | null => {
    const p = policy();
    return p ? checkRequest(req, p) : { status: 503, reason: 'starting' };
  };
  return {
    /** true when the request was refused (and answered) */
    http(req: IncomingMessage, res: ServerResponse): boolean {
      const r = check(req);
      if (r) res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(r.reason);
      return r !== null;
    },
    /** true when the upgrade was refused (and the socket ended with the status) */
    upgrade(req: IncomingMessage, socket: Duplex): boolean {
      const r = check(req);
      if (r) socket.end(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${r.reason}`);
      return r !== null;
    },
  };
}
