/**
 * The cpu target's default schedule (`codegen.schedule`): the rule-based schedules of
 * `tensorize/default` for wasm SIMD128 (16-byte vectors), parallelizing for the machine's cores.
 * `build` applies it to functions nobody scheduled; `build(f, cpu, { schedule: false })` skips it.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { Target } from "../../sdk/target.ts";
import { defaultSchedule } from "../../tensorize/default/default_schedule.ts";
import { defaultThreads } from "./runtime.ts";

/**
 * Intrinsics the default schedule tensorizes with, in order (`DEFAULT_INTRINSICS` of the target's
 * list): only those measured faster than the `gemm` rule on the blocks they match. `cpu.mma_u7i8`
 * comes first: it applies only where `B` is declared in [0, 127] (its precondition), else the
 * exact `cpu.mma_i8` does.
 */
export const DEFAULT_INTRINSICS: readonly string[] = ["cpu.mma_u7i8", "cpu.mma_i8"];

/**
 * The target's intrinsics the default schedule uses (`DEFAULT_INTRINSICS`, in that order).
 *
 * @example
 * ```ts
 * import { defaultIntrinsics } from "./schedule.ts";
 * import cpu from "./mod.ts";
 * console.assert(defaultIntrinsics(cpu)[1].name === "cpu.mma_i8");
 * ```
 */
export function defaultIntrinsics(target: Target): Intrinsic[] {
  return DEFAULT_INTRINSICS.flatMap((n) => target.intrinsics.filter((x) => x.name === n));
}

/**
 * The default schedule of `f` for the cpu target.
 *
 * @example
 * ```ts
 * import { cpuDefaultSchedule } from "./schedule.ts";
 * import cpu from "./mod.ts";
 * import { matmulFunc } from "../../tensorize/testing.ts";
 * const g = cpuDefaultSchedule(matmulFunc(), cpu);
 * console.assert(g !== matmulFunc());
 * ```
 */
export function cpuDefaultSchedule(f: PrimFunc, target: Target): PrimFunc {
  return defaultSchedule(f, {
    vectorBytes: target.limits.vectorBytes ?? 16,
    // The cores a device gets by default; a parallel loop on fewer threads costs little.
    threads: defaultThreads(),
    intrinsics: defaultIntrinsics(target),
  });
}
