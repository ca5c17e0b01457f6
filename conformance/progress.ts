/**
 * Live progress: on a terminal, one line redrawn in place with a bar, counts and the case in
 * flight; elsewhere (CI logs, pipes), one plain line per finished case.
 *
 * @module
 */

/** A progress display. */
export interface Progress {
  /** Show that case `index` of `total` (0-based) named `label` is running; `failed` so far. */
  update(index: number, total: number, label: string, failed: number): void;
  /** Case `index` of `total` named `label` ended with `verdict` (and a short figure). */
  finished(index: number, total: number, label: string, verdict: string, extra?: string): void;
  /** Clear the line. */
  done(): void;
}

/**
 * A progress display writing to `out`: a redrawn bar when `isTerminal`, else plain lines.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = createProgress({ isTerminal: false, write: (t) => lines.push(t) });
 * p.update(0, 10, "case", 0);
 * p.finished(0, 10, "case", "passed");
 * p.done();
 * console.assert(lines[0] === "[ 1/10] passed case\n"); // the count is padded to the total's width
 * ```
 */
export function createProgress(
  out: { isTerminal: boolean; write: (text: string) => void; columns?: number },
): Progress {
  if (!out.isTerminal) {
    const width = (n: number) => String(n).length;
    return {
      update() {},
      finished(index, total, label, verdict, extra) {
        const k = String(index + 1).padStart(width(total));
        out.write(`[${k}/${total}] ${verdict} ${label}${extra ? ` (${extra})` : ""}\n`);
      },
      done() {},
    };
  }
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
    finished() {},
    done() {
      if (drawn) out.write("\r\x1b[2K");
    },
  };
}
