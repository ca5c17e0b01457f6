/**
 * The tensorized verdict: the share of a case's arithmetic that ran on the target's intrinsics —
 * as the device reports it (`KernelStats.intrinsicShare`, e.g. the npu's GEMM unit), or else
 * counted in the lowered kernel's intrinsic markers — and, where none ran, why: the diagnostic of
 * auto-tensorization (`autoTensorize` on the case's main block with the target's intrinsics).
 *
 * @module
 */
import "../tensorize/mod.ts";
import "../tensorize/auto/mod.ts";
import type { PrimFunc } from "../ir/func.ts";
import type { Kernel, KernelStats, Target } from "../sdk/mod.ts";
import { autoTensorize } from "../tensorize/auto/auto_tensorize.ts";
import { Schedule } from "../tensorize/schedule.ts";
import type { TensorizedVerdict } from "./result.ts";
import { type Env, intrinsicWork, type Work } from "./work.ts";

/**
 * Why no intrinsic ran for `f`'s main block on `target`: auto-tensorization's diagnostic, or
 * a note that it would apply (the target's default schedule chose not to use it).
 */
export function tensorizeDiagnostic(
  f: PrimFunc,
  target: Target,
  work: Work,
): { diagnostic: string; code?: string } {
  if (target.intrinsics.length === 0) {
    return { diagnostic: `target "${target.name}" declares no intrinsics` };
  }
  if (!work.mainBlock) return { diagnostic: "no arithmetic to tensorize" };
  try {
    const sch = new Schedule(f);
    const r = autoTensorize(sch, sch.getBlock(work.mainBlock), target);
    if (r.applied) {
      return {
        diagnostic:
          `auto-tensorization maps block "${work.mainBlock}" onto ${r.intrinsic}, but the built kernel does not use it (the target's schedule chose otherwise)`,
        code: "CONF_INTRINSIC_UNUSED",
      };
    }
    return { diagnostic: r.diagnostic.message, code: r.diagnostic.code };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return {
      diagnostic: `auto-tensorization failed on block "${work.mainBlock}": ${
        e instanceof Error ? e.message : String(e)
      }`,
      code: typeof code === "string" ? code : undefined,
    };
  }
}

/**
 * The tensorized verdict of a built kernel.
 *
 * @example
 * ```ts ignore
 * const v = tensorizedVerdict(f, kernel, cpu, work, env, kernel.stats());
 * console.log(v.share, v.diagnostic);
 * ```
 */
export function tensorizedVerdict(
  f: PrimFunc,
  kernel: Kernel,
  target: Target,
  work: Work,
  env: Env,
  stats: KernelStats | undefined,
  options: { readonly diagnose?: boolean } = {},
): TensorizedVerdict {
  const counted = intrinsicWork(kernel.lowered, target.intrinsics, env);
  let share: number | undefined;
  if (typeof stats?.intrinsicShare === "number") share = stats.intrinsicShare;
  else if (work.flops > 0) share = Math.min(1, counted.flops / work.flops);
  const intrinsics = counted.used;
  if (share === undefined) return { intrinsics, diagnostic: "no arithmetic to tensorize" };
  if (share > 0) return { share, intrinsics };
  if (options.diagnose === false) return { share, intrinsics };
  return { share, intrinsics, ...tensorizeDiagnostic(f, target, work) };
}
