/**
 * The result of one conformance case (shared by the runner and the reports).
 *
 * @module
 */

/** What happened to a case. */
export type Verdict = "passed" | "compile-error" | "run-error" | "mismatch";

/** The result of one case. */
export interface CaseResult {
  readonly id: string;
  readonly op: string;
  readonly dtype: string;
  readonly verdict: Verdict;
  /** Build time in milliseconds (lowering, code generation, compile, load). */
  readonly compileMs?: number;
  /** Median time of one run in milliseconds (inputs in, outputs out). */
  readonly runMs?: number;
  /** GFLOP/s at the median time, when the case counts its operations. */
  readonly gflops?: number;
  /** Largest ULP distance from the interpreter over all outputs (floats). */
  readonly maxUlps?: number;
  /** The error or the first mismatch, in words. */
  readonly detail?: string;
  readonly note?: string;
}
