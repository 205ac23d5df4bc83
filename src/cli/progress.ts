/**
 * A progress bar on stderr for long work. Silent when stderr is not a terminal or output is
 * JSON, so scripts and CI logs stay clean.
 */
export interface Progress {
  /**
   * Sets the amount done so far (of `total`); `count`, when the bar measures one thing and the
   * user counts another (bytes read, rows imported), is the number shown with its rate.
   */
  update(done: number, count?: number): void;
  /** Replaces the bar with a note of what happens now (e.g. a commit after the last row). */
  status(text: string): void;
  /** Clears the bar. */
  done(): void;
}

const silent: Progress = { update: () => {}, status: () => {}, done: () => {} };

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
    update(done: number, count = done) {
      const at = now();
      if (at - last < 100) return;
      last = at;
      const rate = count / Math.max(1e-3, (at - started) / 1000);
      const width = 30;
      const share = total ? Math.min(1, done / total) : 0;
      const bar = total
        ? `[${"#".repeat(Math.round(share * width)).padEnd(width, ".")}] ${(share * 100).toFixed(0)}% `
        : "";
      stream.write(
        `\r${label} ${bar}${count.toLocaleString("en")} (${Math.round(rate).toLocaleString("en")}/s)\x1b[K`,
      );
    },
    status(text: string) {
      stream.write(`\r${label} ${text}\x1b[K`);
    },
    done() {
      stream.write("\r\x1b[K");
    },
  };
}
