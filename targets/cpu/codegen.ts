/**
 * The cpu codegen: a lowered `PrimFunc` → C (`emitC`, codegen_c.ts) → wasm32 SIMD128
 * (`compileC`, toolchain.ts: clang, cached by content hash) → a `CpuArtifact`.
 * Codegen options (`build(…, { codegen })`): `relaxedSimd` (boolean, default true: V8 in Deno
 * runs relaxed SIMD) lets an `fma` call on float vectors become `f32x4.relaxed_madd`, which may
 * or may not round once (c_vector.ts); false keeps every `fma` exactly fused. `exactMath`
 * (boolean, default false): float32 exp, erf, tanh and sigmoid through the host in double, bit
 * for bit with the interpreter, instead of the inline float32 approximations (c_math.ts).
 * Tensorized blocks (intrinsic markers of the target's C intrinsics, e.g. `cpu.dot_i8x4`) become
 * calls of the intrinsics' C functions (c_intrinsics.ts); the artifact counts the MACs they run
 * (intrinsics_stats.ts) for the device's `stats` (`intrinsicShare`).
 * Modules import a shared memory, so the runtime's worker threads can run their parallel loops.
 * Functions nobody scheduled get the default schedule first (`cpuDefaultSchedule`, schedule.ts).
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { Codegen, CompileContext } from "../../sdk/codegen.ts";
import type { CpuArtifact } from "./artifact.ts";
import { emitC } from "./codegen_c.ts";
import { C_PRELUDE } from "./c_prelude.ts";
import { lowerCIntrinsics } from "./c_intrinsics.ts";
import { countMacs } from "./intrinsics_stats.ts";
import { compileC, cpuFlags } from "./toolchain.ts";
import { cpuDefaultSchedule } from "./schedule.ts";

/** `source` with the intrinsics' C pasted after the prelude (before every use). */
function withIntrinsicSources(source: string, sources: readonly string[]): string {
  if (!sources.length) return source;
  const at = source.indexOf(C_PRELUDE) + C_PRELUDE.length;
  return `${source.slice(0, at)}\n${sources.join("\n")}\n${source.slice(at)}`;
}

/** Lowering the cpu wants: vectors of at most 16 lanes (wider ones split into v128 chunks). */
export const CPU_LOWER_OPTIONS = { maxLanes: 16 } as const;

/**
 * The cpu codegen.
 *
 * @example
 * ```ts ignore
 * const artifact = await cpuCodegen.compile(lower(f), { target: cpu, original: f, options: {} });
 * ```
 */
export const cpuCodegen: Codegen<CpuArtifact> = {
  lowerOptions: CPU_LOWER_OPTIONS,
  schedule: cpuDefaultSchedule,
  async compile(lowered: PrimFunc, ctx: CompileContext): Promise<CpuArtifact> {
    const relaxedSimd = ctx.options.relaxedSimd !== false;
    const intr = lowerCIntrinsics(lowered, ctx.target.intrinsics);
    const exactMath = ctx.options.exactMath === true;
    const k = emitC(intr.func, { relaxedSimd, exactMath, calls: intr.calls });
    const source = withIntrinsicSources(k.source, intr.sources);
    const wasm = await compileC(source, cpuFlags({ relaxedSimd, sharedMemory: true }));
    return {
      target: "cpu",
      entry: k.entry,
      source,
      lowered,
      wasm,
      params: k.params,
      hostImports: k.hostImports,
      assertMessages: k.assertMessages,
      parallelTasks: k.parallelTasks,
      macs: countMacs(lowered, ctx.original, ctx.target.intrinsics),
    };
  },
};
