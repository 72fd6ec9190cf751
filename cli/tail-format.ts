// One readable line per NOTIFY for `wl tail`: the channel, the message type, trades as
// T#<signal id> and events as E#<event id>, then the remaining fields as key=value.
// `wl tail --json` prints the payload as sent instead.
const TAGS: Array<[string, string]> = [
  ['signal_id', 'T#'],
  ['event_id', 'E#'],
];

const show = (v: unknown): string => {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return /\s/.test(s) ? JSON.stringify(s) : s;
};

export function formatNotice(channel: string, payload: string, at = new Date()): string {
  const time = at.toISOString().slice(11, 19);
  let msg: unknown;
  try {
    msg = JSON.parse(payload);
  } catch {
    return `${time} ${channel} ${payload}`;
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return `${time} ${channel} ${payload}`;
  const o = { ...(msg as Record<string, unknown>) };
  const parts: string[] = [];
  if (typeof o.type === 'string') parts.push(o.type);
  delete o.type;
  for (const [key, tag] of TAGS) {
    if (o[key] !== undefined && o[key] !== null) {
      parts.push(`${tag}${o[key]}`);
      delete o[key];
    }
  }
  for (const [k, v] of Object.entries(o)) parts.push(`${k}=${show(v)}`);
  return `${time} ${channel}: ${parts.join(' ')}`;
}
