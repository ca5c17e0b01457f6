/**
 * The `intrinsic` rule: a GEMM-like block (matmul, dense, conv — a multiply-accumulate
 * reduction) is tensorized with the first of the target's intrinsics (`RuleContext.intrinsics`,
 * e.g. the cpu's `cpu.mma_i8` micro-kernel) its computation matches (`autoTensorize`: padding,
 * tiling, staging the accumulators, packing operands, blockize, tensorize). A target lists only
 * the intrinsics that beat the next rule (`gemm`), so a block no intrinsic matches falls through
 * to it. The loops outside the tensorized tile go parallel when the block has enough work.
 *
 * @module
 */
import { ScheduleError } from "../../ir/errors.ts";
import { autoTensorize } from "../auto/auto_tensorize.ts";
import "../auto/mod.ts";
import type { Schedule } from "../schedule.ts";
import type { BlockInfo } from "./block_info.ts";
import { parallelizeOuter, workOf } from "./loops.ts";
import type { RuleContext, ScheduleRule } from "./rule.ts";

function apply(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  if (!ctx.intrinsics.length || !b.mac) return false;
  const r = autoTensorize(sch, sch.getBlock(b.name), ctx.intrinsics);
  if (!r.applied) return false;
  // The plan puts the unmapped and outer tile loops outermost: the first one can go parallel.
  try {
    const loops = sch.getLoops(sch.getBlock(b.name));
    const first = sch.get(loops[0]).extent;
    const extent = first.kind === "IntImm" ? first.value : undefined;
    parallelizeOuter(sch, loops.slice(0, 1), [extent], workOf(b), ctx);
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
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
