/**
 * The cpu target's default schedule (`codegen.schedule`): the rule-based schedules of
 * `tensorize/default` for wasm SIMD128 (16-byte vectors), parallelizing for the machine's cores.
 * `build` applies it to functions nobody scheduled; `build(f, cpu, { schedule: false })` skips it.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { Target } from "../../sdk/target.ts";
import { defaultSchedule } from "../../tensorize/default/default_schedule.ts";
import { defaultThreads } from "./runtime.ts";

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
    // int8 GEMMs are not tensorized with cpu.dot_i8x4 by default: at 4 lanes × 4 products per
    // call with unpacked B it measured 20× slower than the register-blocked `gemm` rule (int8
    // matmul 256: 122 ms vs 6 ms). `applyDefaultRules(f, { intrinsics: cpu.intrinsics })` opts in.
    intrinsics: [],
  });
}
