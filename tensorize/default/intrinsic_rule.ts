/**
 * The `int8_dot` rule: an int8 × int8 → int32 GEMM-like block (matmul, dense, conv) is
 * tensorized with the first of the target's intrinsics (`RuleContext.intrinsics`, e.g. the cpu's
 * `cpu.dot_i8x4`) its computation matches (`autoTensorize`), when the shapes allow it without
 * padding; otherwise the rule declines and the next rule (`gemm`) schedules the block as before.
 * The loops outside the tensorized tile go parallel when the block has enough work.
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

function isInt8Gemm(b: BlockInfo): boolean {
  return b.store.buffer.dtype === "int32" && b.loads.length > 0 &&
    b.loads.every((l) => l.buffer.dtype === "int8");
}

function apply(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  if (!ctx.intrinsics.length || !isInt8Gemm(b)) return false;
  const r = autoTensorize(sch, sch.getBlock(b.name), ctx.intrinsics);
  if (!r.applied || r.trace.some((i) => i.kind.name === "PadEinsum")) return false;
  // The plan puts the unmapped spatial loops outermost: the first one can go parallel.
  const outer = b.axes[0];
  if (outer && !outer.reduce) {
    try {
      const loops = sch.getLoops(sch.getBlock(b.name));
      parallelizeOuter(sch, loops.slice(0, 1), [outer.extent], workOf(b), ctx);
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
 * console.assert(decisions[0].rule === "int8_dot");
 * ```
 */
export const int8DotRule: ScheduleRule = {
  name: "int8_dot",
  kinds: ["gemm", "conv"],
  apply,
};
