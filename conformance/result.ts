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
  /** Device cycles of one run, when the target reports them (`Kernel.stats`; simulated on npu). */
  readonly cycles?: number;
  /** Matrix-unit utilisation of one run (achieved MACs per cycle over peak), 0…1. */
  readonly utilization?: number;
  /** Share of the kernel's MACs that ran on target intrinsics, 0…1. */
  readonly intrinsicShare?: number;
  /** Ops that ran on the host rather than on the accelerator. */
  readonly hostOps?: readonly string[];
  /** The error or the first mismatch, in words. */
  readonly detail?: string;
  readonly note?: string;
}
