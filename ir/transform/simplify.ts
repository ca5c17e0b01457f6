/**
 * `simplify`: integer expressions (indices, loop bounds, conditions) simplified with the ranges
 * of the loops around them, so `floordiv(i*4 + j, 4)` becomes `i` when `0 ≤ j < 4`; a condition
 * that becomes constant selects its branch. Floats are never rearranged.
 *
 * Size variables (a parameter buffer dimension that is exactly a variable) are known to be ≥ 0.
 *
 * @module
 */
import { isExpr, mapChildren, type Node } from "../node.ts";
import { isInt, lanesOf } from "../dtype.ts";
import type { PrimExpr } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import type { Stmt } from "../stmt.ts";
import { NOOP, type Pass, withBody } from "./pass.ts";
import { ExprSimplifier } from "./simplify_expr.ts";

class Simplify {
  constructor(readonly an: ExprSimplifier) {}

  expr(e: PrimExpr): PrimExpr {
    return this.an.simplify(e);
  }

  stmt = (s: Stmt): Stmt => {
    switch (s.kind) {
      case "For": {
        const min = this.expr(s.min);
        const extent = this.expr(s.extent);
        const prev = this.an.bind(s.loopVar, min, extent);
        const body = this.stmt(s.body);
        this.an.restore(s.loopVar, prev);
        if (min === s.min && extent === s.extent && body === s.body) return s;
        return { ...s, min, extent, body };
      }
      case "LetStmt": {
        const value = this.expr(s.value);
        // A scalar integer let gets the bounds of its value (rebinding what a sibling bound).
        const scalarInt = isInt(value.dtype) && lanesOf(value.dtype) === 1;
        const prev = scalarInt ? this.an.bindBounds(s.v, this.an.bound(value)) : undefined;
        const body = this.stmt(s.body);
        if (scalarInt) this.an.restore(s.v, prev);
        return value === s.value && body === s.body ? s : { ...s, value, body };
      }
      case "IfThenElse": {
        const cond = this.expr(s.cond);
        if (cond.kind === "IntImm") {
          return cond.value ? this.stmt(s.then) : s.otherwise ? this.stmt(s.otherwise) : NOOP;
        }
        const then = this.stmt(s.then);
        const otherwise = s.otherwise && this.stmt(s.otherwise);
        if (cond === s.cond && then === s.then && otherwise === s.otherwise) return s;
        return otherwise ? { ...s, cond, then, otherwise } : { kind: "IfThenElse", cond, then };
      }
    }
    return mapChildren(
      s,
      (c: Node) => (isExpr(c) ? this.expr(c) : c.kind === "Buffer" ? c : this.stmt(c as Stmt)),
    );
  };
}

function simplifyFunc(f: PrimFunc): PrimFunc {
  const an = new ExprSimplifier();
  for (const p of f.params) {
    if (p.kind !== "Buffer") continue;
    for (const d of p.shape) if (d.kind === "Var") an.markNonNegative(d);
  }
  return withBody(f, new Simplify(an).stmt(f.body));
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { simplify } from "./simplify.ts";
 * import { primFunc } from "../func.ts";
 * import { bufferStore, decl, forLoop } from "../stmt.ts";
 * import { add, floordiv, mul, variable } from "../expr.ts";
 * const A = decl("A", [16], "int32");
 * const i = variable("i");
 * const j = variable("j");
 * const body = bufferStore(A, floordiv(add(mul(i, 4), j), 4), [add(mul(i, 4), j)]);
 * const f = primFunc("f", [A], forLoop(i, 0, 4, forLoop(j, 0, 4, body)));
 * const g = simplify.run(f, { options: {} });
 * console.assert(g !== f);
 * ```
 */
export const simplify: Pass = {
  name: "simplify",
  summary: "simplify integer index arithmetic with loop ranges; fold constant conditions",
  run: (f) => simplifyFunc(f),
};
