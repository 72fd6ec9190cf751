// What a NOTIFY on the product's channels means to a person: one line of text, or
// null for the many state changes nobody wants a message for (samples, orders,
// config other than the kill switch). Payloads are validated here, where they
// enter the notifier; an unexpected shape is skipped, never thrown.
import { z } from 'zod';

export interface Notification {
  /** machine name of the event (webhook consumers filter on it) */
  event: 'trade_opened' | 'trade_failed' | 'trade_closed' | 'partial_failed' | 'error' | 'kill_switch' | 'daily_summary';
  text: string;
  /** the NOTIFY payload it came from (ids and figures, never secrets) */
  data: Record<string, unknown>;
}

const id = z.coerce.number().int();
const num = z.coerce.number().nullish();
const str = z.string().nullish();

const SignalStatus = z.object({ type: z.literal('signal_status'), signal_id: id, status: z.string(), reason: str, symbol: str, kind: str });
const Exit = z.object({ type: z.literal('exit'), signal_id: id, status: str, reason: str, realized_pnl_usdt: num });
const Config = z.object({ type: z.literal('config'), key: z.string() });
const Daily = z.object({
  type: z.literal('daily_summary'), day: z.string(), trades: id, rollbacks: id, realized_pnl_usdt: num, fees_usdt: num,
  funding_usdt: num, win_rate: num, incomplete: id, open_trades: id,
});
const TradeError = z.object({ error_id: id, signal_id: id.nullish(), stage: z.string(), venue: str, error_class: str });

const usdt = (v: number | null | undefined) => (v == null ? 'unknown' : `${v >= 0 ? '+' : ''}${v.toFixed(2)} USDT`);
const KILL_LEVELS = ['off', 'no new entries', 'no new entries, flattening every open trade and manual position'];

/** the kill switch's level is not in its NOTIFY (only the key): the listener reads it */
export type KillSwitchLevel = () => Promise<number>;

export async function toNotification(channel: string, raw: string, killSwitchLevel: KillSwitchLevel): Promise<Notification | null> {
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return null;
  }
  const data = payload as Record<string, unknown>;
  if (channel === 'live_trade_error') {
    const e = TradeError.safeParse(payload);
    if (!e.success) return null;
    const d = e.data;
    return { event: 'error', data, text: `Error E${d.error_id}: ${d.stage}${d.venue ? ` on ${d.venue}` : ''} (${d.error_class ?? 'Error'})${d.signal_id != null ? ` for T#${d.signal_id}` : ''}` };
  }
  if (channel !== 'live_trade') return null;
  const s = SignalStatus.safeParse(payload);
  if (s.success) {
    const d = s.data;
    if (d.status === 'open') return { event: 'trade_opened', data, text: `T#${d.signal_id} opened: ${d.symbol ?? '?'} (${d.kind ?? 'auto'})` };
    if (d.status === 'failed') return { event: 'trade_failed', data, text: `T#${d.signal_id} not opened: ${d.symbol ?? '?'}${d.reason ? ` (${d.reason})` : ''}` };
    return null;
  }
  const x = Exit.safeParse(payload);
  if (x.success) {
    const d = x.data;
    if (d.status === 'closed') return { event: 'trade_closed', data, text: `T#${d.signal_id} closed: realised ${usdt(d.realized_pnl_usdt)}` };
    if (d.status === 'partial_failed') {
      return { event: 'partial_failed', data, text: `T#${d.signal_id} PARTIAL_FAILED: one leg filled, rolled back; realised ${usdt(d.realized_pnl_usdt)}` };
    }
    return null;
  }
  const c = Config.safeParse(payload);
  if (c.success && c.data.key === 'kill_switch') {
    const level = await killSwitchLevel();
    return { event: 'kill_switch', data: { ...data, level }, text: `Kill switch level ${level}: ${KILL_LEVELS[level] ?? 'unknown level'}` };
  }
  const daily = Daily.safeParse(payload);
  if (daily.success) {
    const d = daily.data;
    const win = d.win_rate == null ? 'n/a' : `${(d.win_rate * 100).toFixed(0)} %`;
    return {
      event: 'daily_summary', data,
      text: `Daily summary ${d.day} (UTC): ${d.trades} trades (${d.rollbacks} rolled back), realised ${usdt(d.realized_pnl_usdt)}, ` +
        `fees ${usdt(d.fees_usdt)}, funding ${usdt(d.funding_usdt)}, win rate ${win}` +
        `${d.incomplete ? `, ${d.incomplete} PnL incomplete` : ''}; ${d.open_trades} open now`,
    };
  }
  return null;
}
