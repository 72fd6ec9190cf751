// Progress of long commands (wl backfill, wl model fit, wl report): rate and ETA.
// On a terminal one line is rewritten in place; anywhere else (a pipe, a log file,
// the supervisor) plain timestamped lines at most every `everyMs`, so logs stay readable.

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** force the terminal form on or off (default: stream.isTTY) */
  tty?: boolean;
  /** plain form: least time between lines (ms) */
  everyMs?: number;
  /** terminal form: least time between redraws (ms) */
  redrawMs?: number;
  unit?: string;
  now?: () => number;
}

export interface Progress {
  /** set the count done so far (and optionally a short note, e.g. the current item) */
  update(done: number, note?: string): void;
  /** add to the count done */
  tick(n?: number, note?: string): void;
  /** set or change the total (unknown totals print no ETA) */
  setTotal(total: number | undefined): void;
  /** the final line (always printed) */
  done(note?: string): void;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatRate(r: number): string {
  if (!Number.isFinite(r)) return '?';
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** the text of one progress line (exported for tests) */
export function progressLine(label: string, done: number, total: number | undefined, elapsedS: number, unit: string, note?: string): string {
  const rate = elapsedS > 0 ? done / elapsedS : NaN;
  const parts = [label];
  if (total !== undefined && total > 0) {
    parts.push(`${done}/${total} ${unit} (${Math.min(100, (100 * done) / total).toFixed(0)}%)`);
  } else {
    parts.push(`${done} ${unit}`);
  }
  parts.push(`${formatRate(rate)} ${unit}/s`);
  if (total !== undefined && total > 0 && done < total) parts.push(`ETA ${done > 0 ? formatDuration((total - done) / rate) : '?'}`);
  parts.push(`elapsed ${formatDuration(elapsedS)}`);
  if (note) parts.push(note);
  return parts.join('  ');
}

export function makeProgress(label: string, total?: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const now = opts.now ?? (() => performance.now());
  const everyMs = opts.everyMs ?? 10_000;
  const redrawMs = opts.redrawMs ?? 200;
  const unit = opts.unit ?? 'rows';
  const start = now();
  let last = -Infinity;
  let count = 0;
  let tot = total;
  let finished = false;

  const line = (note?: string) => progressLine(label, count, tot, (now() - start) / 1000, unit, note);
  const emit = (note: string | undefined, force: boolean) => {
    if (finished) return;
    const t = now();
    if (!force && t - last < (tty ? redrawMs : everyMs)) return;
    last = t;
    if (tty) {
      const width = Math.max(20, (stream.columns || 100) - 1);
      // \x1b[K clears what a longer previous line left behind
      stream.write(`\r${line(note).slice(0, width)}\x1b[K`);
    } else {
      stream.write(`${new Date().toISOString()} wl: ${line(note)}\n`);
    }
  };
  return {
    update(done, note) {
      count = done;
      emit(note, false);
    },
    tick(n = 1, note) {
      count += n;
      emit(note, false);
    },
    setTotal(t) {
      tot = t;
    },
    done(note) {
      emit(note, true);
      if (tty) stream.write('\n');
      finished = true;
    },
  };
}
