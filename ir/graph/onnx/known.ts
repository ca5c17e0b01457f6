/**
 * Arithmetic on values known at import time (shape computations): elements are numbers or
 * symbolic int32 size expressions, combined with constant folding and the simplifier, so
 * `Shape(x)[1] * 4` of an input `[n, seq, 32]` is the expression `seq * 4`.
 *
 * @module
 */
import * as E from "../../expr.ts";
import { simplify } from "../../arith/simplify.ts";
import { asExpr, asNumber, type Known } from "./context.ts";

/** Binary ops evaluated on known elements: number rule, and the expression rule for sizes. */
const RULES: Readonly<
  Record<string, [(a: number, b: number) => number, (a: E.PrimExpr, b: E.PrimExpr) => E.PrimExpr]>
> = {
  Add: [(a, b) => a + b, E.add],
  Sub: [(a, b) => a - b, E.sub],
  Mul: [(a, b) => a * b, E.mul],
  // ONNX integer division truncates; sizes are ≥ 0, where truncation is floor division.
  Div: [(a, b) => Math.trunc(a / b), E.floordiv],
  Mod: [(a, b) => a - Math.floor(a / b) * b, E.floormod],
  Max: [Math.max, E.max],
  Min: [Math.min, E.min],
  Equal: [(a, b) => Number(a === b), (a, b) => E.cast("int32", E.eq(a, b))],
  Less: [(a, b) => Number(a < b), (a, b) => E.cast("int32", E.lt(a, b))],
  LessOrEqual: [(a, b) => Number(a <= b), (a, b) => E.cast("int32", E.le(a, b))],
  Greater: [(a, b) => Number(a > b), (a, b) => E.cast("int32", E.gt(a, b))],
  GreaterOrEqual: [(a, b) => Number(a >= b), (a, b) => E.cast("int32", E.ge(a, b))],
};

/** Known-value ops whose result is bool. */
export const KNOWN_COMPARISONS: ReadonlySet<string> = new Set([
  "Equal",
  "Less",
  "LessOrEqual",
  "Greater",
  "GreaterOrEqual",
]);

/** True if `op` has a known-value rule. */
export function hasKnownRule(op: string): boolean {
  return op in RULES;
}

/** One element of `op(a, b)`; `undefined` if it cannot be computed (division by zero). */
export function knownScalar(op: string, a: Known, b: Known): Known | undefined {
  const [num, expr] = RULES[op];
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    if ((op === "Div" || op === "Mod") && y === 0) return undefined;
    return num(x, y);
  }
  return simplify(expr(asExpr(a), asExpr(b)));
}

/**
 * `op` of two known tensors of the same length, or one of length 1 (broadcast); `undefined` if
 * the lengths do not fit or an element cannot be computed.
 *
 * @example
 * ```ts
 * import { knownBinary } from "./known.ts";
 * console.assert(knownBinary("Mul", [2, 3], [4])?.join() === "8,12");
 * ```
 */
export function knownBinary(
  op: string,
  a: readonly Known[],
  b: readonly Known[],
): Known[] | undefined {
  const n = Math.max(a.length, b.length);
  if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return undefined;
  const out: Known[] = [];
  for (let i = 0; i < n; i++) {
    const r = knownScalar(op, a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/** The product of known elements (a number if all are). */
export function knownProduct(ks: readonly Known[]): Known {
  return ks.reduce<Known>((acc, k) => knownScalar("Mul", acc, k)!, 1);
}
