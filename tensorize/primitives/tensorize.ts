/**
 * `tensorize(blockOrLoop, intrinsic)`: replace one execution of a block — a block made by
 * `blockize`, or the loop to blockize first — by the intrinsic, after checking semantically
 * (`auto/match.ts`) that it computes exactly what the intrinsic's description computes on
 * sub-regions of its buffers. TVM's `tensorize`, with semantic rather than structural matching.
 *
 * ```text
 * block C_o(vi_o, vj_o, vk_o) {                block C_o(vi_o, vj_o, vk_o) {   // tensorized: gemm4
 *   for i_1, j_1, k_1 in 4×4×4 {                 reads(A[vi_o*4 +: 4, vk_o*4 +: 4], …)
 *     block C(vi_i = i_1, …) {          →        writes(C[vi_o*4 +: 4, vj_o*4 +: 4])
 *       C[…] = C[…] + A[…] * B[…] } }            call<int32>("tsr.intrin.gemm4", A[vi_o*4, vk_o*4], …)
 * }                                            }
 * ```
 *
 * The block keeps its iteration variables and init (an init `blockize` moved out stays); its
 * regions become exactly the intrinsic's operand tiles, its body the marker call
 * (`auto/marker.ts`), and it gets the annotation `tensorized: "<name>"`.
 *
 * Legality: `TensorizeError`s from matching — `TENSORIZE_MISMATCH` (with the first differing
 * sub-expression), `TENSORIZE_NOT_DIVISIBLE`, `TENSORIZE_NOT_TILED`, `TENSORIZE_EXTENT_MISMATCH`,
 * `TENSORIZE_PREDICATE`, `TENSORIZE_UNSUPPORTED_BLOCK`, `TENSORIZE_UNKNOWN_INTRINSIC` — and
 * `blockize`'s errors for a loop. A failed tensorize of a leaf block carries checked
 * suggestions (`auto/plan.ts`) in its hint.
 *
 * @module
 */
import { TensorizeError } from "../../ir/errors.ts";
import type { Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import {
  block as makeBlock,
  type Buffer,
  type BufferRegion,
  bufferRegion,
  evaluate,
  range,
} from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder, childBlocks, findBlock, replaceStmt } from "../analysis/find.ts";
import type { OperandMap } from "../auto/correspond.ts";
import { constShape, markerCall } from "../auto/marker.ts";
import { diagnosticError, match, operandParams } from "../auto/match.ts";
import { resolveIntrinsic } from "../auto/registry.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { blockize } from "./blockize.ts";
import { asBlockOrLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface TensorizeMethods {
  /**
   * Replace a blockized block (or the loop to blockize) by an intrinsic whose description it
   * computes; `intrinsic` is a registered name or an `Intrinsic` (which registers itself).
   *
   * @example
   * ```ts ignore
   * const [io, ii] = sch.split(i, [undefined, 4]);
   * // … split j and k by 4, reorder the inner loops innermost …
   * sch.tensorize(ii, gemm4);
   * ```
   */
  tensorize(blockOrLoop: BlockRV | LoopRV, intrinsic: string | Intrinsic): void;
}

/** The annotation a tensorized block carries: the intrinsic's name. */
export const TENSORIZED_ANNOTATION = "tensorized";

/** The box of the block buffer an operand tile covers (columns are non-negative). */
function tileRegion(param: Buffer, op: OperandMap): BufferRegion {
  const shape = constShape(param);
  return bufferRegion(
    op.buffer,
    op.base.map((b, j) => range(b, shape.reduce((n, s, d) => n + (s - 1) * op.cols[d][j], 1))),
  );
}

function accessed(intrinsic: Intrinsic, which: "reads" | "writes"): Set<Buffer> {
  const out = new Set<Buffer>();
  for (const r of blocksUnder(intrinsic.description.body)) {
    if (childBlocks(r.block.body).length) continue;
    for (const x of r.block[which]) out.add(x.buffer);
  }
  return out;
}

/**
 * Tensorize block `name` of `f` with `intrinsic` (pure). Throws a `TensorizeError` with the
 * match's diagnostic when the block does not compute the intrinsic's description.
 */
export function tensorizeBlock(f: PrimFunc, name: string, intrinsic: Intrinsic): PrimFunc {
  const m = match(f, name, intrinsic);
  if (!m.ok) throw diagnosticError(m, `func "${f.name}" / block "${name}"`);
  const loc = findBlock(f, name)!;
  const params = operandParams(intrinsic);
  const reads = accessed(intrinsic, "reads"), writes = accessed(intrinsic, "writes");
  const regions = (set: Set<Buffer>) =>
    params.flatMap((p, k) => (set.has(p) ? [tileRegion(p, m.operands[k])] : []));
  const blk = loc.block;
  const tensorized = makeBlock({
    name: blk.name,
    iterVars: blk.iterVars,
    reads: regions(reads),
    writes: regions(writes),
    init: blk.init,
    body: evaluate(markerCall(intrinsic, m.operands)),
    allocBuffers: blk.allocBuffers,
    annotations: { ...blk.annotations, [TENSORIZED_ANNOTATION]: intrinsic.name },
  });
  return replaceStmt(f, loc.realize, { ...loc.realize, block: tensorized });
}

/** Attributes of the instruction: the intrinsic by name (found in the registry on replay). */
export interface TensorizeAttrs {
  /** The intrinsic's registered name. */
  readonly intrinsic: string;
}

/** Hook the planner installs to attach checked suggestions to a failed tensorize. */
let suggestHook:
  | ((sch: Schedule, block: BlockRV, intrinsic: Intrinsic) => TensorizeError | undefined)
  | undefined;

/** Install the function that turns a failed tensorize of a leaf block into a richer error. */
export function setTensorizeSuggester(
  fn: (sch: Schedule, block: BlockRV, intrinsic: Intrinsic) => TensorizeError | undefined,
): void {
  suggestHook = fn;
}

/** `sch.tensorize(blockOrLoop, intrinsic)`. */
export const TENSORIZE: InstructionKind<TensorizeAttrs> = registerInstruction<TensorizeAttrs>({
  name: "Tensorize",
  apply(sch, inputs, attrs) {
    const intrinsic = resolveIntrinsic(attrs.intrinsic);
    const target = asBlockOrLoop(sch, inputs[0]);
    let name: string;
    if (target.kind === "LoopRV") {
      const v: Var = sch.loopOf(target).loop.loopVar;
      const r = blockize(sch.func, v);
      sch.setFunc(r.func);
      name = r.block;
    } else name = sch.blockOf(target).block.name;
    try {
      sch.setFunc(tensorizeBlock(sch.func, name, intrinsic));
    } catch (e) {
      if (e instanceof TensorizeError && target.kind === "BlockRV" && suggestHook) {
        throw suggestHook(sch, target, intrinsic) ?? e;
      }
      throw e;
    }
    return [];
  },
  toScript: (p) => scriptCall("tensorize", [...p.inputs, literal(p.attrs.intrinsic)], p.outputs),
});

Schedule.prototype.tensorize = function (
  this: Schedule,
  blockOrLoop: BlockRV | LoopRV,
  intrinsic: string | Intrinsic,
): void {
  const intrin = resolveIntrinsic(intrinsic);
  this.apply(TENSORIZE, [blockOrLoop], { intrinsic: intrin.name });
};
