/**
 * A TTY-aware progress bar for long scans. On a terminal (`stream.isTTY`) one line is redrawn in
 * place (bar, percentage, images/s, ETA, what is running), at most ~10 times a second; log lines
 * are printed above it. Elsewhere (CI logs, pipes) no bar is drawn: log lines are printed as they
 * come, plus a plain progress line at most every `plainEverySeconds` (default 30 s).
 */

/** Where the bar draws (process.stderr by default). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/** A progress bar. */
export interface ProgressBar {
  /** Set the progress (`done` of `total` units) and what is running. */
  update(done: number, total: number, what?: string): void;
  /** Print a line (above the bar on a TTY). */
  log(line: string): void;
  /** Clear the bar. */
  done(): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Create a progress bar on `stream` (default `process.stderr`); `unit` names what is counted.
 *
 * @example
 * const bar = createProgressBar({ label: 'scan', unit: 'img' });
 * await scanHomogeneous({ ..., onProgress: (p) => bar.update(p.done, p.total, `W=${p.width}`) });
 * bar.done();
 */
export function createProgressBar(opts: { stream?: ProgressStream; label?: string; unit?: string; plainEverySeconds?: number; enabled?: boolean } = {}): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  const tty = !!stream.isTTY && opts.enabled !== false;
  const label = opts.label ?? 'progress';
  const unit = opts.unit ?? '';
  const plainEvery = (opts.plainEverySeconds ?? 30) * 1000;
  const t0 = Date.now();
  let lastDraw = 0;
  let lastPlain = t0;
  let drawn = false;
  let last = { done: 0, total: 0, what: '' };
  const line = (): string => {
    const { done, total, what } = last;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const el = (Date.now() - t0) / 1000;
    const rate = el > 0 ? done / el : 0;
    const eta = rate > 0 ? (total - done) / rate : NaN;
    const cols = stream.columns && stream.columns >= 40 ? stream.columns : 100;
    const info = ` ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total}${unit ? ` ${unit}` : ''} ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}${unit ? ` ${unit}` : ''}/s ETA ${fmtTime(eta)}${what ? ` · ${what}` : ''}`;
    const barW = Math.max(10, Math.min(30, cols - info.length - label.length - 4));
    const fill = Math.round(frac * barW);
    return `${label} [${'#'.repeat(fill)}${'-'.repeat(barW - fill)}]${info}`.slice(0, Math.max(20, cols - 1));
  };
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    stream.write(`\r\x1b[2K${line()}`);
    drawn = true;
    lastDraw = Date.now();
  };
  return {
    update(done, total, what = '') {
      last = { done, total, what };
      const now = Date.now();
      if (tty) {
        if (now - lastDraw >= 100 || done >= total) draw();
      } else if (now - lastPlain >= plainEvery && done < total) {
        lastPlain = now;
        stream.write(`${line()}\n`);
      }
    },
    log(s) {
      if (tty) {
        clear();
        stream.write(`${s}\n`);
        if (last.total > 0 && last.done < last.total) draw();
      } else stream.write(`${s}\n`);
    },
    done() {
      if (tty) clear();
    },
  };
}
