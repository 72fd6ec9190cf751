// Why a re-check refused a signal, as one log line with the numbers it compared
// (the full record is in live_trade_signal.recheck and live_trade_error).
const num = (x: unknown, digits = 4) => (x === null || x === undefined || x === '' ? '?' : Number(x).toFixed(digits));
const bps = (x: unknown) => (x === null || x === undefined || x === '' ? '?' : `${(Number(x) * 1e4).toFixed(1)} bps`);

export interface Threshold {
  pnl_hat_min?: unknown;
  win_prob_min?: unknown;
}

/** `rec`: watchlist.trade_recheck's answer; `threshold`: the signal's gate thresholds */
export function notOpenedReason(rec: any, threshold: Threshold | null): string {
  const fail = rec?.fail ?? rec?.why ?? 'unknown';
  const t = threshold ?? {};
  switch (fail) {
    case 'below_threshold':
      return (
        `re-check below threshold: pnl_hat ${bps(rec.pnl_hat)} (needs > ${bps(t.pnl_hat_min)}), ` +
        `win_prob ${num(rec.win_prob, 3)} (needs > ${num(t.win_prob_min, 3)})`
      );
    case 'stale_book':
      return `re-check: stale book (short ${num(rec.books?.short?.age_ms, 0)} ms, long ${num(rec.books?.long?.age_ms, 0)} ms old)`;
    case 'thin_book':
      return `re-check: book too thin for the notional (short ${rec.books?.short?.sufficient ? 'ok' : 'short of depth'}, long ${rec.books?.long?.sufficient ? 'ok' : 'short of depth'})`;
    case 'book_unavailable':
      return `re-check: book unavailable (${rec.books?.short?.error ?? rec.books?.long?.error ?? 'no book'})`;
    case 'leverage_failed':
      return 'leverage not confirmed at or below the target on both venues (see live_trade_error)';
    default: {
      const why = rec?.precheck?.why;
      return `re-check: ${fail}${why ? ` (${why})` : ''}${rec?.precheck?.venue ? ` on ${rec.precheck.venue}` : ''}`;
    }
  }
}
