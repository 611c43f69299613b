/**
 * `createProgress(...)`: a one-line progress display for long runs (simulated time, events per
 * second, ETA). Silent when the stream is not a TTY or under CI, and for runs that finish within
 * about a second, so short runs and logs stay clean. Reads the wall clock: it is I/O at the edge and
 * never feeds back into the simulation.
 */

export interface ProgressStream {
  write(chunk: string): unknown;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream: ProgressStream;
  readonly isTTY: boolean;
  /** The run's length in simulated seconds, for the bar and the ETA. */
  readonly totalSimulatedSeconds: number;
  /** Shown before the numbers, e.g. "replay fm-009". */
  readonly label?: string;
  /** Defaults to process.env; a non-empty CI variable (other than "false" or "0") silences the display. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Wall-clock milliseconds; performance.now by default. */
  readonly now?: () => number;
  /** Nothing appears before this much wall time has passed, ms. */
  readonly delayMs?: number;
  /** At most one redraw per interval, ms. */
  readonly intervalMs?: number;
}

export interface Progress {
  /** Call as often as convenient: cheap unless a redraw is due. `events` is the running total. */
  update(simulatedSeconds: number, events: number): void;
  /** Clears the line if anything was drawn. */
  finish(): void;
}

const SILENT: Progress = { update() {}, finish() {} };

export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)} k`;
  return perSecond.toFixed(0);
}

export function formatProgressLine(
  label: string,
  simulated: number,
  total: number,
  eventsPerSecond: number,
  etaSeconds: number | null,
  width: number,
): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, simulated / total)) : 0;
  const numbers = ` ${clock(simulated)} / ${clock(total)} simulated · ${rate(eventsPerSecond)} events/s · ETA ${
    etaSeconds === null ? '—' : clock(etaSeconds)
  }`;
  const percent = ` ${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const head = label ? `${label} ` : '';
  const barWidth = Math.max(
    0,
    Math.min(30, width - 1 - [...head].length - numbers.length - percent.length - 2),
  );
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
  return `${head}${bar}${percent}${numbers}`.slice(0, Math.max(10, width - 1));
}

export function createProgress(options: ProgressOptions): Progress {
  const env = options.env ?? process.env;
  if (!options.isTTY || isCi(env)) return SILENT;
  const now = options.now ?? (() => performance.now());
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let hasDrawn = false;
  return {
    update(simulatedSeconds, events) {
      const t = now();
      const elapsedMs = t - started;
      if (elapsedMs < delayMs || t - lastDraw < intervalMs) return;
      lastDraw = t;
      const elapsed = elapsedMs / 1000;
      const simulatedPerSecond = simulatedSeconds / elapsed;
      const eta =
        simulatedPerSecond > 0
          ? Math.max(0, options.totalSimulatedSeconds - simulatedSeconds) / simulatedPerSecond
          : null;
      const width = options.stream.columns ?? 100;
      const line = formatProgressLine(
        options.label ?? '',
        simulatedSeconds,
        options.totalSimulatedSeconds,
        events / elapsed,
        eta,
        width,
      );
      options.stream.write(`\r${line}\u001b[K`);
      hasDrawn = true;
    },
    finish() {
      if (hasDrawn) options.stream.write('\r\u001b[K');
      hasDrawn = false;
    },
  };
}
