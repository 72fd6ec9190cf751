// Telegram through grammy's Bot API client (sendMessage to WL_TELEGRAM_CHAT_ID).
// The bot token is part of every request URL: no message here carries a URL, and
// any text that might is scrubbed of the token before it is thrown.
import { Api, GrammyError, HttpError } from 'grammy';
import { DeliveryError, type Send } from './outbox.ts';

export function telegramSender(token: string, chatId: string, opts: { apiRoot?: string; timeoutSeconds?: number } = {}): Send {
  const api = new Api(token, { apiRoot: opts.apiRoot, timeoutSeconds: opts.timeoutSeconds ?? 10 });
  const scrub = (s: string) => s.split(token).join('<token>');
  return async (n) => {
    try {
      await api.sendMessage(chatId, n.text, { link_preview_options: { is_disabled: true } });
    } catch (e) {
      if (e instanceof GrammyError) {
        const retryAfter = e.parameters?.retry_after;
        throw new DeliveryError(scrub(`telegram answered ${e.error_code}: ${e.description}`), {
          retryAfterMs: retryAfter ? retryAfter * 1000 : undefined,
          permanent: e.error_code >= 400 && e.error_code < 500 && e.error_code !== 429,
        });
      }
      if (e instanceof HttpError) throw new DeliveryError(scrub(`telegram unreachable: ${(e.error as Error)?.message ?? e.message}`));
      throw new DeliveryError(scrub((e as Error)?.message ?? String(e)));
    }
  };
}
