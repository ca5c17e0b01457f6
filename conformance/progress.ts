/**
 * Live progress on a terminal: one line redrawn in place with a bar, counts and the case in flight.
 * Silent when the stream is not a terminal (CI logs stay clean).
 *
 * @module
 */

/** A progress display. */
export interface Progress {
  /** Show that case `index` of `total` (0-based) named `label` is running; `failed` so far. */
  update(index: number, total: number, label: string, failed: number): void;
  /** Clear the line. */
  done(): void;
}

/**
 * A progress display writing to `out` when `isTerminal`, else doing nothing.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const p = createProgress({ isTerminal: false, write: () => {} });
 * p.update(0, 10, "case", 0);
 * p.done();
 * ```
 */
export function createProgress(
  out: { isTerminal: boolean; write: (text: string) => void; columns?: number },
): Progress {
  if (!out.isTerminal) return { update() {}, done() {} };
  const width = 24;
  let drawn = false;
  return {
    update(index, total, label, failed) {
      const filled = total ? Math.round((index / total) * width) : 0;
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const text = `[${bar}] ${index}/${total} ${failed ? `(${failed} failed) ` : ""}${label}`;
      out.write(`\r\x1b[2K${text.slice(0, (out.columns ?? 100) - 1)}`);
      drawn = true;
    },
    done() {
      if (drawn) out.write("\r\x1b[2K");
    },
  };
}
