/**
 * Shape expressions compiled to closures over an environment of variable values, so binding
 * call arguments costs a few function calls, not an IR walk.
 *
 * @module
 */
import { isFloat } from "../ir/dtype.ts";
import { TargetError } from "../ir/errors.ts";
import type { PrimExpr, Var } from "../ir/expr.ts";

/** A compiled integer expression over `env` (values by variable slot). */
export type ShapeFn = (env: Float64Array) => number;

/** A compiled dimension: its function, the slots it reads, and its slot if it is one variable. */
export interface CompiledDim {
  /** Evaluate. */
  readonly f: ShapeFn;
  /** Slots of the variables it reads. */
  readonly slots: readonly number[];
  /** The slot, if the expression is exactly one variable. */
  readonly isSlot?: number;
}

// Integer semantics of the shape operators (sizes are small: no wrap-around needed).
const OPS: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => Math.trunc(a / b), // C: toward zero
  mod: (a, b) => a % b, // C: sign of a
  floordiv: (a, b) => Math.floor(a / b),
  floormod: (a, b) => a - Math.floor(a / b) * b,
  min: Math.min,
  max: Math.max,
};

/**
 * Compile an integer shape expression (constants, variables, + − × / % floordiv floormod min max
 * and integer casts). Throws `TargetError` `BUILD_SHAPE_EXPR` for anything else.
 *
 * @example
 * ```ts
 * import { compileDim } from "./shape_expr.ts";
 * import { add, mul, variable } from "../ir/expr.ts";
 * const n = variable("n");
 * const d = compileDim(add(mul(n, 2), 1), new Map([[n, 0]]), "f");
 * console.assert(d.f(new Float64Array([5])) === 11);
 * ```
 */
export function compileDim(e: PrimExpr, slots: ReadonlyMap<Var, number>, fn: string): CompiledDim {
  const used = new Set<number>();
  const go = (x: PrimExpr): ShapeFn => {
    switch (x.kind) {
      case "IntImm": {
        const v = x.value;
        return () => v;
      }
      case "Var": {
        const s = slots.get(x);
        if (s === undefined) break;
        used.add(s);
        return (env) => env[s];
      }
      case "Binary": {
        const op = OPS[x.op];
        if (!op) break;
        const a = go(x.a);
        const b = go(x.b);
        return (env) => op(a(env), b(env));
      }
      case "Cast": {
        if (isFloat(x.dtype) || isFloat(x.value.dtype)) break;
        return go(x.value);
      }
    }
    throw new TargetError(
      "BUILD_SHAPE_EXPR",
      `Cannot build function "${fn}": a parameter shape uses ${x.kind}${
        x.kind === "Binary" ? ` ${x.op}` : ""
      }, which call-time binding does not evaluate`,
      { path: `func "${fn}"`, hint: "use integer + - * / % floordiv floormod min max of sizes" },
    );
  };
  const f = go(e);
  const isSlot = e.kind === "Var" ? slots.get(e) : undefined;
  return { f, slots: [...used], isSlot };
}
