/**
 * `simplify(e, analyzer?)`: the canonical simplifier as a function.
 *
 * @module
 */
import type { ExprLike, PrimExpr } from "../expr.ts";
import { Analyzer } from "./analyzer.ts";

/**
 * Simplify an expression, using what `analyzer` knows about its variables (nothing if omitted).
 * Integer expressions come out in canonical sum-of-products form; the value never changes.
 *
 * @example
 * ```ts
 * import { simplify } from "./simplify.ts";
 * import { add, mul, sub, variable } from "../expr.ts";
 * const x = variable("x"), y = variable("y");
 * const e = simplify(sub(add(mul(x, 2), y), x)); // 2x + y - x
 * console.assert(e.kind === "Binary" && e.op === "add"); // x + y
 * ```
 */
export function simplify(e: ExprLike, analyzer: Analyzer = new Analyzer()): PrimExpr {
  return analyzer.simplify(e);
}
