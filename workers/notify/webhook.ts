// Generic webhook: POST {event, text, data} as JSON to WL_WEBHOOK_URL. The URL may
// itself be a secret (Slack/Discord webhooks are), so no message names it.
import { DeliveryError, type Send } from './outbox.ts';

export function webhookSender(url: string, timeoutMs = 10_000): Send {
  return async (n) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: n.event, text: n.text, data: n.data }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const cause = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name);
      throw new DeliveryError(`webhook unreachable: ${cause}`);
    }
    await res.arrayBuffer().catch(() => {}); // free the connection
    if (res.ok) return;
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new DeliveryError(`webhook answered HTTP ${res.status}`, {
      retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined,
      // a 4xx other than timeout/rate limit will not succeed by retrying the same message
      permanent: res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429,
    });
  };
}
