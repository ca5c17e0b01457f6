/**
 * The `TesseraError` family: every user-facing failure carries a stable `code`, an optional IR
 * path or source span, and a hint. `InternalError` is kept apart: it is a bug of ours.
 *
 * Message shape: the failed action first, then what is, then what was needed.
 * Codes are catalogued in `docs/errors.md`.
 *
 * @module
 */

/** A position in a source text (1-based line and column, 0-based offset). */
export interface SourceSpan {
  /** Name of the source (a file path or `"<script>"`). */
  readonly source: string;
  /** 0-based character offset of the first character. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** Number of characters covered (at least 1 for rendering). */
  readonly length: number;
}

/** Extra details an error may carry. */
export interface ErrorDetails {
  /** Where in the IR, e.g. `func "matmul" / block "C" / buffer "A"`. */
  readonly path?: string;
  /** Where in a source text. */
  readonly span?: SourceSpan;
  /** The full source text, so the offending line can be shown with a caret. */
  readonly sourceText?: string;
  /** What the user can do about it. */
  readonly hint?: string;
}

/**
 * Base class of every error Tessera throws on bad input.
 *
 * @example
 * ```ts
 * import { TesseraError } from "./errors.ts";
 * const e = new TesseraError("E0001", "Cannot do it: because");
 * console.assert(e.code === "E0001");
 * ```
 */
export class TesseraError extends Error {
  /** Stable code, e.g. `"PARSE_UNEXPECTED_TOKEN"`; see `docs/errors.md`. */
  readonly code: string;
  /** IR path of the offending node, if any. */
  readonly path?: string;
  /** Source span of the offending text, if any. */
  readonly span?: SourceSpan;
  /** A hint for the user, if any. */
  readonly hint?: string;
  /** The source text the span points into, if any. */
  readonly sourceText?: string;

  /** Create an error with a stable code and a message. */
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.path = details.path;
    this.span = details.span;
    this.hint = details.hint;
    this.sourceText = details.sourceText;
  }

  /**
   * Render the error the way compilers do: code and message, location, the source line with a
   * caret under the offending text, and the hint.
   */
  render(): string {
    const lines = [`error[${this.code}]: ${this.message}`];
    if (this.path) lines.push(`  at ${this.path}`);
    if (this.span) {
      const s = this.span;
      lines.push(`  --> ${s.source}:${s.line}:${s.column}`);
      if (this.sourceText !== undefined) {
        const text = this.sourceText.split("\n")[s.line - 1] ?? "";
        const gutter = String(s.line);
        lines.push(`${" ".repeat(gutter.length)} |`);
        lines.push(`${gutter} | ${text}`);
        lines.push(
          `${" ".repeat(gutter.length)} | ${" ".repeat(s.column - 1)}${
            "^".repeat(Math.max(1, s.length))
          }`,
        );
      }
    }
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join("\n");
  }
}

/** A malformed script text. Always carries a span with line:column. */
export class ParseError extends TesseraError {}
/** Ill-formed IR found by the verifier. */
export class VerifyError extends TesseraError {}
/** An illegal or impossible schedule primitive application. */
export class ScheduleError extends TesseraError {}
/** A block that cannot be mapped onto an intrinsic. */
export class TensorizeError extends TesseraError {}
/** A problem with a target: definition, compilation or run. */
export class TargetError extends TesseraError {}
/** Wrong arguments at call time: shape, dtype or count. */
export class CallError extends TesseraError {}
/** Bad type or shape in IR construction (DSL, ops). */
export class IRTypeError extends TesseraError {}
/** A conformance run that could not be carried out. */
export class ConformanceError extends TesseraError {}

/**
 * A bug in Tessera itself (an invariant broken), not the user's fault.
 *
 * @example
 * ```ts
 * import { InternalError } from "./errors.ts";
 * const e = new InternalError("unreachable");
 * console.assert(e.name === "InternalError");
 * ```
 */
export class InternalError extends Error {
  /** Create an internal error. */
  constructor(message: string) {
    super(`internal error (please report): ${message}`);
    this.name = "InternalError";
  }
}
