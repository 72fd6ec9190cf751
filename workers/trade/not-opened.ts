// Why a re-check refused a signal, as one log line with the numbers it compared
// (the full record is in live_trade_signal.recheck and live_trade_error).
const num = (x: unknown, digits = 4) => (x === null || x === undefined || x === '' ? '?' : Number(x).toFixed(digits));
const bps = (x: unknown) => (x === null || x === undefined || x === '' ? '?' : `${(Number(x) * 1e4).toFixed(1)} bps`);

export interface Threshold {
  pnl_hat_min?: unknown;
  win_prob_min?: unknown;
}

interface BookNote {
  age_ms?: unknown;
  sufficient?: unknown;
  error?: unknown;
}
/** the parts of watchlist.trade_recheck's answer (jsonb, extra keys kept by its wrapper) a reason names */
export interface RecheckAnswer {
  fail?: string | null;
  why?: string;
  pnl_hat?: unknown;
  win_prob?: unknown;
  books?: unknown;
  precheck?: unknown;
}

/** `rec`: watchlist.trade_recheck's answer; `threshold`: the signal's gate thresholds */
export function notOpenedReason(rec: RecheckAnswer, threshold: Threshold | null): string {
  const fail = rec?.fail ?? rec?.why ?? 'unknown';
  const t = threshold ?? {};
  const books = (rec.books ?? {}) as { short?: BookNote; long?: BookNote };
  const precheck = (rec.precheck ?? {}) as { why?: unknown; venue?: unknown };
  switch (fail) {
    case 'below_threshold':
      return (
        `re-check below threshold: pnl_hat ${bps(rec.pnl_hat)} (needs > ${bps(t.pnl_hat_min)}), ` +
        `win_prob ${num(rec.win_prob, 3)} (needs > ${num(t.win_prob_min, 3)})`
      );
    case 'stale_book':
      return `re-check: stale book (short ${num(books.short?.age_ms, 0)} ms, long ${num(books.long?.age_ms, 0)} ms old)`;
    case 'thin_book':
      return `re-check: book too thin for the notional (short ${books.short?.sufficient ? 'ok' : 'short of depth'}, long ${books.long?.sufficient ? 'ok' : 'short of depth'})`;
    case 'book_unavailable':
      return `re-check: book unavailable (${books.short?.error ?? books.long?.error ?? 'no book'})`;
    case 'leverage_failed':
      return 'leverage not confirmed at or below the target on both venues (see live_trade_error)';
    default: {
      const why = precheck.why;
      return `re-check: ${fail}${why ? ` (${why})` : ''}${precheck.venue ? ` on ${precheck.venue}` : ''}`;
    }
  }
}
