/**
 * The arithmetic analyzer: canonical simplification of integer expressions, constant bounds,
 * modular sets, proofs, and iter-map detection. Lowering, schedules, tensorization and layout
 * transforms stand on it.
 *
 * @example
 * ```ts
 * import { Analyzer, simplify } from "./mod.ts";
 * import { add, floordiv, mul, variable } from "../expr.ts";
 * const i = variable("i"), j = variable("j");
 * const ana = new Analyzer();
 * ana.bind(j, { min: 0, extent: 8 });
 * console.assert(ana.simplify(floordiv(add(mul(i, 8), j), 8)) === i);
 * console.assert(simplify(add(i, 0)) === i);
 * ```
 *
 * @module
 */
export { Analyzer, type RangeLike } from "./analyzer.ts";
export { simplify } from "./simplify.ts";
export { type BoundEnv, constIntBound, dtypeBound, type IntBound } from "./int_bound.ts";
export type { ArithContext, SymbolicRange } from "./context.ts";
export { gcd, type ModularEnv, type ModularSet, modularSet } from "./modular_set.ts";
export { compareExprs, exprKey } from "./key.ts";
export { formatExpr } from "./format.ts";
export {
  detectIterMap,
  inverseIterMap,
  type IterMapResult,
  type IterMark,
  type IterSplit,
  type IterSum,
} from "./iter_map.ts";
