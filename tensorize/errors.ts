/**
 * Schedule errors: a `ScheduleError` with a `SCHEDULE_*` code, the IR path of the offending node
 * (`func "f" / block "C" / loop "i"`) and, for `render()`, the printed script of the function with
 * the offending block or loop line underlined.
 *
 * @module
 */
import { ScheduleError, type SourceSpan } from "../ir/errors.ts";
import type { Var } from "../ir/expr.ts";
import type { PrimFunc } from "../ir/func.ts";
import { visit } from "../ir/node.ts";
import { printFunc } from "../ir/script/mod.ts";

/** Where a schedule error points. */
export interface ErrorPlace {
  /** The block concerned, by name. */
  readonly block?: string;
  /** The loop concerned, by its variable. */
  readonly loop?: Var;
  /** What the user can do about it. */
  readonly hint?: string;
}

/**
 * A `ScheduleError` about `func`, pointing at a block or loop: its path names them, and its
 * `render()` shows the line of the printed function that declares them.
 *
 * @example
 * ```ts
 * import { scheduleError } from "./errors.ts";
 * import { parseFunc } from "../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[4]) {
 *   for i in 0..4 {
 *     A[i] = 0.0
 *   }
 * }`);
 * const e = scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "B"`, { block: "B" });
 * console.assert(e.path === `func "f" / block "B"`);
 * ```
 */
export function scheduleError(
  func: PrimFunc,
  code: string,
  message: string,
  place: ErrorPlace = {},
): ScheduleError {
  const parts = [`func "${func.name}"`];
  if (place.block !== undefined) parts.push(`block "${place.block}"`);
  if (place.loop !== undefined) parts.push(`loop "${place.loop.name}"`);
  const text = safePrint(func);
  const span = text === undefined ? undefined : locate(func, text, place);
  return new ScheduleError(code, message, {
    path: parts.join(" / "),
    hint: place.hint,
    span,
    sourceText: span ? text : undefined,
  });
}

function safePrint(func: PrimFunc): string | undefined {
  try {
    return printFunc(func);
  } catch {
    return undefined;
  }
}

/**
 * The span of the line declaring the loop (its k-th `for` in pre-order, as the printer writes
 * them) or the block (by name).
 */
function locate(func: PrimFunc, text: string, place: ErrorPlace): SourceSpan | undefined {
  const lines = text.split("\n");
  let lineIndex = -1;
  if (place.loop !== undefined) {
    let k = -1, seen = 0;
    visit(func.body, (n) => {
      if (k >= 0) return false;
      if (n.kind === "For") {
        if (n.loopVar === place.loop) k = seen;
        seen++;
      }
    });
    if (k >= 0) {
      let count = 0;
      lineIndex = lines.findIndex((l) => /^\s*for \S+ in /.test(l) && count++ === k);
    }
  } else if (place.block !== undefined) {
    lineIndex = lines.findIndex((l) => l.trimStart().startsWith(`block ${place.block}(`));
  }
  if (lineIndex < 0) return undefined;
  const line = lines[lineIndex];
  const column = line.length - line.trimStart().length + 1;
  const offset = lines.slice(0, lineIndex).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  return {
    source: `<func ${func.name}>`,
    offset,
    line: lineIndex + 1,
    column,
    length: line.trimStart().replace(/\s*\{$/, "").replace(/^(block \S+?)\(.*$/, "$1").length,
  };
}
