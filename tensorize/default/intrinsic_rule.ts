/**
 * The `intrinsic` rule: a GEMM-like block (matmul, dense, conv — a multiply-accumulate
 * reduction) is tensorized with the first of the target's intrinsics (`RuleContext.intrinsics`,
 * e.g. the cpu's `cpu.mma_i8` micro-kernel) its computation matches (`autoTensorize`: padding,
 * tiling, staging the accumulators, packing operands, blockize, tensorize). A target lists only
 * the intrinsics that beat the next rule (`gemm`), so a block no intrinsic matches falls through
 * to it. The loops outside the tensorized tile go parallel when the block has enough work, and so do
 * the copies that pack operands.
 *
 * @module
 */
import { ScheduleError } from "../../ir/errors.ts";
import { autoTensorize } from "../auto/auto_tensorize.ts";
import "../auto/mod.ts";
import type { BlockRV } from "../rv.ts";
import type { Schedule } from "../schedule.ts";
import type { BlockInfo } from "./block_info.ts";
import { parallelizeOuter, workOf } from "./loops.ts";
import type { RuleContext, ScheduleRule } from "./rule.ts";

function apply(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  if (!ctx.intrinsics.length || !b.mac) return false;
  const r = autoTensorize(sch, sch.getBlock(b.name), ctx.intrinsics);
  if (!r.applied) return false;
  // The plan puts the unmapped and outer tile loops outermost: the first one can go parallel.
  const blockized = r.trace.find((i) => i.kind.name === "Blockize")?.outputs[0] as BlockRV;
  try {
    const loops = sch.getLoops(blockized);
    const first = sch.get(loops[0]).extent;
    const extent = first.kind === "IntImm" ? first.value : undefined;
    parallelizeOuter(sch, loops.slice(0, 1), [extent], workOf(b), ctx);
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
  }
  // The packing copies (cacheRead + transformLayout) go parallel too when large enough.
  for (const ins of r.trace) {
    if (ins.kind.name !== "TransformLayout") continue;
    try {
      const loops = sch.getLoops(ins.inputs[0] as BlockRV);
      const extents = loops.map((l) => sch.get(l).extent);
      const copied = extents.reduce((n, e) => n * (e.kind === "IntImm" ? e.value : 0), 1);
      const first = extents[0]?.kind === "IntImm" ? extents[0].value : undefined;
      parallelizeOuter(sch, loops.slice(0, 1), [first], copied, ctx);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
  }
  return true;
}

/**
 * The rule.
 *
 * @example
 * ```ts ignore
 * import { applyDefaultRules } from "./default_schedule.ts";
 * const { decisions } = applyDefaultRules(int8Matmul, { intrinsics: cpu.intrinsics });
 * console.assert(decisions[0].rule === "intrinsic");
 * ```
 */
export const intrinsicRule: ScheduleRule = {
  name: "intrinsic",
  kinds: ["gemm", "conv"],
  apply,
};
