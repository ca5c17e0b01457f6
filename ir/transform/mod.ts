/**
 * Passes and the lowering pipeline: from a `PrimFunc` with blocks to the lowered form that code
 * generators take (contract: `notes/lowered_form.md`).
 *
 * ```ts
 * import { lower } from "./mod.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * import { mul } from "../expr.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "float32", "A");
 * const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
 * const f = lower(createPrimFunc([A, B], "double"), { verify: true });
 * console.assert(f.params.length === 3);
 * ```
 *
 * @module
 */
export { lower, LOWER_PASSES, type LowerOptions, printFuncPlain, runPasses } from "./lower.ts";
export { NOOP, type Pass, type PassContext } from "./pass.ts";
export { LowerError } from "./errors.ts";
export { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
export { flattenBuffers } from "./flatten_buffers.ts";
export { planBufferAllocation } from "./plan_buffer_allocation.ts";
export { compactBufferAllocation } from "./compact_buffer_allocation.ts";
export { type Interval, relaxExpr, type RelaxRanges, unionInterval, withRanges } from "./relax.ts";
export { simplify } from "./simplify.ts";
export { removeNoOp } from "./remove_no_op.ts";
export { unroll } from "./unroll.ts";
export { vectorize } from "./vectorize.ts";
export { type Binding, type Bounds, ExprSimplifier } from "./simplify_expr.ts";
export { substitute } from "./substitute.ts";
export {
  alignedStrides,
  formatStorageAlign,
  parseStorageAlign,
  STORAGE_ALIGN_KEY,
  storageAlign,
  type StorageAlignEntry,
} from "./storage_align.ts";
