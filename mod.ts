/**
 * Tessera: a tensor compiler, hardware-vendor SDK and conformance kit.
 *
 * ```ts
 * import { compute, createPrimFunc, mul, placeholder, sizeVar } from "./mod.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "float32", "A");
 * const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
 * const f = createPrimFunc([A, B], "double");
 * ```
 *
 * @module
 */
export * from "./ir/errors.ts";
export * from "./ir/dtype.ts";
export * from "./ir/expr.ts";
export * from "./ir/stmt.ts";
export * from "./ir/func.ts";
export * from "./ir/node.ts";
export * from "./ir/structural.ts";
export * from "./ir/te.ts";
export * from "./ir/ndarray.ts";
export * from "./ir/verify.ts";
