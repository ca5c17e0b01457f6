/**
 * `autoTensorize(sch, block, targetOrIntrinsics)`: tensorize a block with the first intrinsic
 * whose description its computation matches — after padding, tiling, reordering, staging into
 * the intrinsic's operand scopes, decomposing the reduction, blockizing — every step a schedule
 * primitive, so the result is traced and replays (`auto/plan.ts`). Each intrinsic is tried on a
 * copy of the schedule first; the schedule changes only when one succeeds.
 *
 * @module
 */
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { Instruction } from "../instruction.ts";
import type { BlockRV } from "../rv.ts";
import type { Schedule } from "../schedule.ts";
import type { Diagnostic } from "./match.ts";
import { applyPlan, type PlanOptions } from "./plan.ts";
import { resolveIntrinsic } from "./registry.ts";

/** A tensorized block. */
export interface AutoTensorized {
  /** Always true. */
  readonly applied: true;
  /** The intrinsic used. */
  readonly intrinsic: string;
  /** The instructions appended to the schedule's trace. */
  readonly trace: readonly Instruction[];
}

/** No intrinsic matched: the most informative diagnostic, and one per intrinsic tried. */
export interface NotTensorized {
  /** Always false. */
  readonly applied: false;
  /**
   * The diagnostic of the intrinsic that came closest: one that scheduling could fix first,
   * then a mismatch that names a differing sub-expression (it got past the operand types).
   */
  readonly diagnostic: Diagnostic;
  /** Every intrinsic's diagnostic, in the order tried. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Anything holding intrinsics (a `Target`), or a list of them. */
export type IntrinsicSource =
  | { readonly intrinsics: readonly Intrinsic[] }
  | readonly (
    | Intrinsic
    | string
  )[];

/**
 * Tensorize `block` with the first matching intrinsic of `source` (a target or a list).
 *
 * @example
 * ```ts ignore
 * const r = autoTensorize(sch, sch.getBlock("T_matmul"), npu);
 * if (r.applied) console.log(r.intrinsic, new Trace(r.trace).toScript());
 * else console.log(r.diagnostic.message);
 * ```
 */
export function autoTensorize(
  sch: Schedule,
  block: BlockRV,
  source: IntrinsicSource,
  options: PlanOptions = {},
): AutoTensorized | NotTensorized {
  const list = Array.isArray(source)
    ? source
    : (source as { intrinsics: readonly Intrinsic[] }).intrinsics;
  const intrinsics = list.map((x: Intrinsic | string) => resolveIntrinsic(x));
  const diagnostics: Diagnostic[] = [];
  for (const intrinsic of intrinsics) {
    const d = applyPlan(sch.copy(), block, intrinsic, options);
    if (d) {
      diagnostics.push(d);
      continue;
    }
    const start = sch.trace.length;
    const again = applyPlan(sch, block, intrinsic, options);
    if (again) diagnostics.push(again);
    else {
      return {
        applied: true,
        intrinsic: intrinsic.name,
        trace: sch.trace.instructions.slice(start),
      };
    }
  }
  const diagnostic = diagnostics.find((d) => d.code !== "TENSORIZE_MISMATCH") ??
    diagnostics.find((d) => d.blockExpr !== undefined) ?? diagnostics[0] ?? {
    ok: false,
    code: "TENSORIZE_NO_INTRINSIC",
    intrinsic: "",
    block: sch.get(block).name,
    message: `Cannot tensorize block "${sch.get(block).name}": no intrinsics were given`,
    dimensions: [],
    suggestions: [],
  };
  return { applied: false, diagnostic, diagnostics };
}
