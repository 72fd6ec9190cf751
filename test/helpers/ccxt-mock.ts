// Offline HTTP for REAL ccxt exchange classes: ccxt 4.5 uses a user-supplied
// `exchange.fetchImplementation` before anything else (Exchange.loadFetchImplementation), so
// its request signing, URL building and error mapping all run; only the socket is replaced.
import type { Exchange } from 'ccxt';
import { CcxtVenue } from '../../workers/venues/ccxt-venue.ts';
import type { CcxtVenueName, CcxtVenueOptions } from '../../workers/venues/ccxt-venue.ts';
import { createCcxtExchange } from '../../workers/venues/ccxt-factory.ts';
import { loadFixtureMarkets } from '../fixtures/markets.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  host: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
  /** body parsed as JSON (OKX, Bybit, Bitget) */
  json: unknown;
  /** body parsed as a form (Binance signs form bodies) */
  form: Record<string, string> | undefined;
}

export type Reply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** never answer: ccxt's own timeout aborts the request (→ RequestTimeout) */
  | { hang: true }
  /** connection failure (→ NetworkError) */
  | { networkError: string };

export type Responder = Reply | ((req: RecordedRequest) => Reply);

interface Route {
  method: string;
  path: string | RegExp;
  replies: Responder[];
}

function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

export class HttpMock {
  readonly calls: RecordedRequest[] = [];
  readonly unmatched: RecordedRequest[] = [];
  readonly #routes: Route[] = [];

  /** answer `method path` with the replies in order; the last one repeats */
  on(method: string, path: string | RegExp, ...replies: Responder[]): this {
    if (replies.length === 0) throw new Error('on(): give at least one reply');
    this.#routes.push({ method: method.toUpperCase(), path, replies: [...replies] });
    return this;
  }

  callsTo(method: string, path: string): RecordedRequest[] {
    return this.calls.filter((c) => c.method === method.toUpperCase() && c.path === path);
  }

  install(ex: Exchange): this {
    (ex as unknown as { fetchImplementation: unknown }).fetchImplementation = (url: string, init: RequestInit & { signal?: AbortSignal }) =>
      this.#handle(url, init);
    return this;
  }

  async #handle(url: string, init: RequestInit & { signal?: AbortSignal }): Promise<Response> {
    const u = new URL(url);
    const body = typeof init.body === 'string' ? init.body : undefined;
    let json: unknown;
    if (body !== undefined) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k] = String(v);
    const req: RecordedRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      url,
      host: u.host,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      body,
      json,
      form: body !== undefined && json === undefined ? parseForm(body) : undefined,
    };
    this.calls.push(req);
    const route = this.#routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === req.path : r.path.test(req.path)));
    if (!route) {
      this.unmatched.push(req);
      throw new Error(`unmocked request: ${req.method} ${url}`);
    }
    const responder = route.replies.length > 1 ? route.replies.shift()! : route.replies[0];
    const reply = typeof responder === 'function' ? responder(req) : responder;
    if ('hang' in reply) {
      return new Promise<Response>((_, reject) => {
        const abort = () => reject(new DOMException('The operation was aborted.', 'AbortError'));
        if (init.signal?.aborted) abort();
        init.signal?.addEventListener('abort', abort);
      });
    }
    if ('networkError' in reply) throw new TypeError(`fetch failed: ${reply.networkError}`);
    const text = reply.text ?? JSON.stringify(reply.json ?? {});
    return new Response(text, {
      status: reply.status ?? 200,
      headers: { 'content-type': 'application/json', ...(reply.headers ?? {}) },
    });
  }
}

export interface TestVenue {
  venue: CcxtVenue;
  ex: Exchange;
  http: HttpMock;
}

/**
 * A CcxtVenue over the real ccxt class, fixture markets injected (no request), dummy
 * credentials set on the instance (tests only), HTTP answered by an HttpMock.
 */
export function makeTestVenue(name: CcxtVenueName, opts: { venue?: CcxtVenueOptions; timeoutMs?: number } = {}): TestVenue {
  const ex = createCcxtExchange(name, { env: {}, enableRateLimit: false, timeoutMs: opts.timeoutMs });
  ex.apiKey = 'test-api-key';
  ex.secret = 'test-secret';
  ex.password = 'test-passphrase';
  ex.setMarkets(loadFixtureMarkets(name));
  const http = new HttpMock().install(ex);
  const venue = new CcxtVenue(name, ex, { sleep: async () => {}, fillPollDelayMs: 0, ...(opts.venue ?? {}) });
  return { venue, ex, http };
}
