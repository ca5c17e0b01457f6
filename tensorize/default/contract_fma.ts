/**
 * `contractFma(block)`: contract every float32/float64 `a·b + c` in a block into `fma(a, b, c)`
 * — C's `-ffp-contract`, as a schedule step, so it is chosen per block and recorded in the
 * trace. One rounding instead of two: the interpreter computes `fma` exactly fused, and the
 * `cpu` target runs vector `fma` as `f32x4.relaxed_madd` (one `vfmadd` on x86 with FMA3), so
 * a multiply-accumulate micro-kernel issues one instruction per vector instead of two.
 *
 * ```text
 * C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]   →   C[vi, vj] = fma(A[vi, vk], B[vk, vj], C[vi, vj])
 * ```
 *
 * Legality: the block has at least one such sum in its body (`SCHEDULE_NO_CONTRACTION`). The
 * result differs from the unscheduled function by at most half an ulp of each product, which the
 * conformance tolerances accept (conformance/tolerance.ts).
 *
 * @module
 */
import { elementOf } from "../../ir/dtype.ts";
import { call, type PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { isExpr, type Node, rewrite } from "../../ir/node.ts";
import { findBlock, replaceStmt } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import { asBlock } from "../primitives/inputs.ts";
import type { BlockRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface ContractFmaMethods {
  /**
   * Contract `a·b + c` (float32/float64) in a block's body into `fma(a, b, c)`.
   *
   * @example
   * ```ts ignore
   * sch.contractFma(sch.getBlock("C"));
   * ```
   */
  contractFma(block: BlockRV): void;
}

const FLOATS = new Set(["float32", "float64"]);

/** `x` as `a·b` of a contractible dtype, or undefined. */
function product(x: PrimExpr): [PrimExpr, PrimExpr] | undefined {
  return x.kind === "Binary" && x.op === "mul" && FLOATS.has(elementOf(x.dtype))
    ? [x.a, x.b]
    : undefined;
}

/** One rule: `a·b + c → fma(a, b, c)` and `c + a·b → fma(a, b, c)`. */
function contract(n: Node): Node {
  if (!isExpr(n) || n.kind !== "Binary" || n.op !== "add") return n;
  const left = product(n.a), right = left ? undefined : product(n.b);
  if (left) return call("fma", [left[0], left[1], n.b]);
  if (right) return call("fma", [right[0], right[1], n.a]);
  return n;
}

/**
 * `f` with the sums of products in block `name` contracted (pure).
 *
 * @example
 * ```ts
 * import { contractFmaIn } from "./contract_fma.ts";
 * import { matmulFunc } from "../testing.ts";
 * import { printFunc } from "../../ir/script/mod.ts";
 * console.assert(printFunc(contractFmaIn(matmulFunc(), "C")).includes("fma("));
 * ```
 */
export function contractFmaIn(f: PrimFunc, name: string): PrimFunc {
  const loc = findBlock(f, name);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${name}"`);
  const b = loc.block;
  const body = rewrite(b.body, { post: contract });
  if (body === b.body) {
    throw scheduleError(
      f,
      "SCHEDULE_NO_CONTRACTION",
      `Cannot contract block "${name}": its body has no float32/float64 sum of a product`,
      { block: name, hint: "contract the block that multiplies and accumulates" },
    );
  }
  return replaceStmt(f, b, { ...b, body });
}

/** `sch.contractFma(block)`. */
export const CONTRACT_FMA: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "ContractFma",
  apply(sch, inputs) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    sch.setFunc(contractFmaIn(sch.func, name));
    return [];
  },
  toScript: (p) => scriptCall("contractFma", p.inputs, []),
});

Schedule.prototype.contractFma = function (this: Schedule, block: BlockRV): void {
  this.apply(CONTRACT_FMA, [block], {});
};
