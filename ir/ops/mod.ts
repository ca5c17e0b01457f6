/**
 * The operator library: nn ops as tensor-expression definitions with symbolic shapes, a helper
 * to wrap them into a `PrimFunc`, plain-TypeScript references, and the op catalogue the
 * conformance suite draws its cases from.
 *
 * Import it as a namespace — several names (`add`, `cast`, `exp`, …) are tensor-level twins of
 * the scalar expression constructors in `ir/expr.ts`:
 *
 * ```ts
 * import * as ops from "./mod.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * import { runFunc } from "../interp/mod.ts";
 * import { randomNDArray } from "../ndarray.ts";
 * const n = sizeVar("n");
 * const x = placeholder([n, 16], "float32", "x");
 * const w = placeholder([8, 16], "float32", "w");
 * const y = ops.softmax(ops.relu(ops.dense(x, w)));
 * const f = ops.toPrimFunc("mlp_head", [x, w], [y]);
 * const [out] = runFunc(f, [randomNDArray("float32", [3, 16]), randomNDArray("float32", [8, 16])]);
 * console.assert(out.shape.join() === "3,8");
 * ```
 *
 * @module
 */
export { OpError, type OpErrorCode } from "./errors.ts";
export {
  broadcastShapes,
  constOf,
  divideExact,
  normalizeAxes,
  normalizeAxis,
  numelOf,
  proveEqual,
  sameExpr,
  type Shape,
} from "./shape.ts";
export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./linalg.ts";
export * from "./conv.ts";
export * from "./pool.ts";
export * from "./nn.ts";
export * from "./transform.ts";
export * from "./reshape.ts";
export { type Layout2d, outSize, type Padding, type Pair } from "./window.ts";
export { toPrimFunc, uniqueNames } from "./func.ts";
export * from "./descriptor.ts";
export { findOp, OPS } from "./catalog.ts";
export type { BinaryAttrs } from "./catalog_elementwise.ts";
export type { ShapeAttr } from "./catalog_transform.ts";
export * from "./reference.ts";
