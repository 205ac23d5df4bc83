/**
 * A progress bar on stderr for long work. Silent when stderr is not a terminal or output is
 * JSON, so scripts and CI logs stay clean.
 */
export interface Progress {
  /** Sets the amount done so far. */
  update(done: number): void;
  /** Clears the bar. */
  done(): void;
}

const silent: Progress = { update: () => {}, done: () => {} };

export function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  label: string,
  total: number | undefined,
  enabled: boolean,
  now: () => number = Date.now,
): Progress {
  if (!enabled || !stream.isTTY) return silent;
  const started = now();
  let last = 0;
  return {
    update(done: number) {
      const at = now();
      if (at - last < 100) return;
      last = at;
      const rate = done / Math.max(1e-3, (at - started) / 1000);
      const width = 30;
      const share = total ? Math.min(1, done / total) : 0;
      const bar = total
        ? `[${"#".repeat(Math.round(share * width)).padEnd(width, ".")}] ${(share * 100).toFixed(0)}% `
        : "";
      stream.write(
        `\r${label} ${bar}${done.toLocaleString("en")} (${Math.round(rate).toLocaleString("en")}/s)\x1b[K`,
      );
    },
    done() {
      stream.write("\r\x1b[K");
    },
  };
}
