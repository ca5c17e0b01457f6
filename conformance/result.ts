/**
 * The result of one conformance case (shared by the runner and the reports). Each case carries
 * four verdicts, reported separately — compiled, correct, fast, tensorized — and one overall
 * `verdict`. The flat figures (`runMs`, `gflops`, `cycles` …) repeat the verdicts' main numbers
 * for the table and for callers of the first schema.
 *
 * @module
 */

/**
 * What happened to a case, overall: `passed`; `compile-error`; `run-error` (the target crashed
 * or threw); `mismatch` (a correctness failure); `slow` (correct, but under its performance
 * floor — a performance failure, distinct from a correctness failure); `timeout` (the case did not
 * finish within the run's per-case time limit, `--case-timeout`; the run went on without it).
 */
export type Verdict = "passed" | "compile-error" | "run-error" | "timeout" | "mismatch" | "slow";

/** Every verdict, failures first (the order reports sort by). */
export const VERDICTS: readonly Verdict[] = [
  "compile-error",
  "run-error",
  "timeout",
  "mismatch",
  "slow",
  "passed",
];

/** How a build was answered by the artifact cache. */
export type CacheOutcome = "hit" | "miss" | "uncacheable" | "off";

/** A performance floor: the least a case must achieve (each field optional). */
export interface Floor {
  /** Least fraction of the target's roofline, 0…1. */
  readonly roofline?: number;
  /** Least ratio baseline time / time (1 = as fast as the baseline). */
  readonly baseline?: number;
}

/** Compiled: did the build succeed, how long it took, whether the cache answered. */
export interface CompiledVerdict {
  /** Whether the build succeeded. */
  readonly ok: boolean;
  /** Build time in milliseconds (schedule, lowering, code generation, load). */
  readonly ms?: number;
  /** The artifact cache's answer. */
  readonly cache: CacheOutcome;
  /** The compile error: its code, message and where (IR path or line:column). */
  readonly error?: { readonly code?: string; readonly message: string; readonly location?: string };
}

/** Correct: the outputs against the reference interpreter, under the dtype's tolerance. */
export interface CorrectVerdict {
  /** Whether every output is within tolerance. */
  readonly ok: boolean;
  /** Largest ULP distance over all float outputs (0 for integers). */
  readonly maxUlps?: number;
  /** The tolerance applied, e.g. `64 ulps or 1e-5 abs` or `exact`. */
  readonly tolerance: string;
  /** The first mismatch or the crash, in words. */
  readonly detail?: string;
}

/** Fast: time, rates, the share of the roofline, the ratio to a baseline, the floor. */
export interface FastVerdict {
  /** False under the floor; true at or above it; undefined when no floor applies. */
  readonly ok?: boolean;
  /** Time of one run in milliseconds (median), as `timeSource` says. */
  readonly timeMs?: number;
  /** `simulated`: the device's deterministic cycle count; `wall`: measured wall time. */
  readonly timeSource?: "wall" | "simulated";
  /** Device cycles of one run, when the target counts them. */
  readonly cycles?: number;
  /** Arithmetic operations of one run (a multiply-add counts 2). */
  readonly flops: number;
  /** Bytes moved by one run (the device's DMA bytes, or the parameters' bytes). */
  readonly bytes: number;
  /** Achieved GFLOP/s. */
  readonly gflops?: number;
  /** Achieved GB/s. */
  readonly gbps?: number;
  /** Operations per byte. */
  readonly intensity?: number;
  /** The target's peak operations per second for the case's dtype (if declared). */
  readonly peakFlops?: number;
  /** The target's peak bytes per second of the `global` scope. */
  readonly peakBytes?: number;
  /** Which roof bounds the case: `compute` or `memory`. */
  readonly bound?: "compute" | "memory";
  /** The binding roof by name: `compute`, `global`, `global loads`, `global stores` or a scope. */
  readonly roof?: string;
  /** Roofline time over achieved time, 0…1 (1 = at the roof). */
  readonly roofline?: number;
  /** The baseline's time in milliseconds (from the case or `--baseline`). */
  readonly baselineMs?: number;
  /** Baseline time / time (>1: faster than the baseline). */
  readonly baselineRatio?: number;
  /** The floor that applied. */
  readonly floor?: Floor;
  /** Why the floor failed, or why it was not enforced. */
  readonly detail?: string;
}

/** Tensorized: how much arithmetic ran on the target's intrinsics, and if none, why. */
export interface TensorizedVerdict {
  /** Share of the arithmetic on intrinsics, 0…1 (undefined when the case has none). */
  readonly share?: number;
  /** Intrinsics seen in the kernel. */
  readonly intrinsics: readonly string[];
  /** Where none: auto-tensorization's diagnostic (or why it was not tried). */
  readonly diagnostic?: string;
  /** The diagnostic's code (`TENSORIZE_*`). */
  readonly code?: string;
}

/** One tensor-level function of a model run, and where it ran. */
export interface PlacedKernel {
  /** The function called. */
  readonly func: string;
  /** The target that ran it. */
  readonly target: string;
  /** Bindings calling it. */
  readonly calls: number;
  /** Multiply-accumulates of its calls in one run. */
  readonly macs: number;
  /** Why it runs there (the partition's reason). */
  readonly reason: string;
}

/** The memory plan of a model case at the sizes it ran (bytes; `ir/graph`'s `memoryFigures`). */
export interface ModelMemory {
  /** Storage tokens of the plan: allocations per run. */
  readonly storages: number;
  /** Bytes of the storages. */
  readonly plannedBytes: number;
  /** Bytes of every intermediate on its own (no plan). */
  readonly unplannedBytes: number;
}

/** What ran where in a model case (the `models` suite). */
export interface ModelPlacement {
  /** Where kernels no offload pattern took ran. */
  readonly fallback: string;
  /** The target kernels were offloaded to (the one under test), if it declares graph patterns. */
  readonly offloadTarget?: string;
  /** Every kernel, in call order. */
  readonly kernels: readonly PlacedKernel[];
  /** Copies between targets per run. */
  readonly copies: number;
  /** Arithmetic operations of one run, all kernels (a multiply-add counts 2). */
  readonly flops: number;
  /** Multiply-accumulates per target in one run. */
  readonly macsByTarget: Readonly<Record<string, number>>;
  /** Share of the model's MACs that ran on the offload target, 0…1. */
  readonly offloadedMacShare: number;
}

/** The result of one case. */
export interface CaseResult {
  /** The case id. */
  readonly id: string;
  /** The op (or model) of the case. */
  readonly op: string;
  /** The dtype the case is about. */
  readonly dtype: string;
  /** The suite the case belongs to. */
  readonly suite?: "kernels" | "models";
  /** The overall verdict. */
  readonly verdict: Verdict;
  /** The four verdicts, each on its own. */
  readonly verdicts?: {
    readonly compiled: CompiledVerdict;
    readonly correct?: CorrectVerdict;
    readonly fast?: FastVerdict;
    readonly tensorized?: TensorizedVerdict;
  };
  /** Build time in milliseconds (lowering, code generation, compile, load). */
  readonly compileMs?: number;
  /** The artifact cache's answer for this case's build. */
  readonly cache?: CacheOutcome;
  /** Median time of one run in milliseconds. */
  readonly runMs?: number;
  /** GFLOP/s at the median time, when the case does arithmetic. */
  readonly gflops?: number;
  /** GB/s at the median time. */
  readonly gbps?: number;
  /** Fraction of the target's roofline, 0…1. */
  readonly roofline?: number;
  /** Largest ULP distance from the interpreter over all outputs (floats). */
  readonly maxUlps?: number;
  /** Device cycles of one run, when the target reports them (`Kernel.stats`; simulated on npu). */
  readonly cycles?: number;
  /** Matrix-unit utilisation of one run (achieved MACs per cycle over peak), 0…1. */
  readonly utilization?: number;
  /** Share of the kernel's arithmetic that ran on target intrinsics, 0…1. */
  readonly intrinsicShare?: number;
  /** Ops that ran on the host rather than on the accelerator. */
  readonly hostOps?: readonly string[];
  /** The error or the first mismatch, in words. */
  readonly detail?: string;
  /** What is special about the case. */
  readonly note?: string;
  /** Model cases: which kernels ran on which target, and the share of MACs offloaded. */
  readonly placement?: ModelPlacement;
  /** Model cases: the memory plan's storages and bytes, against the unplanned total. */
  readonly memory?: ModelMemory;
}
