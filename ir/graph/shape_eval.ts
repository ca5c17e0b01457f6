/**
 * Run-time shapes: evaluating symbolic dimensions once size variables have values, and binding
 * size variables from concrete shapes (a dimension that is one unbound variable binds it; one
 * affine in a single unbound variable, like `2 * n + 1`, is solved for it; the rest is checked).
 *
 * @module
 */
import { InternalError } from "../errors.ts";
import type { PrimExpr, Var } from "../expr.ts";
import { visit } from "../node.ts";

/** Values of size variables. */
export type SizeEnv = Map<Var, number>;

/** The value of an integer dimension, or undefined if it has an unbound variable. */
export function evalDim(e: PrimExpr, env: ReadonlyMap<Var, number>): number | undefined {
  switch (e.kind) {
    case "IntImm":
      return e.value;
    case "Var":
      return env.get(e);
    case "Cast":
      return evalDim(e.value, env);
    case "Binary": {
      const a = evalDim(e.a, env);
      const b = evalDim(e.b, env);
      if (a === undefined || b === undefined) return undefined;
      return BINARY[e.op]?.(a, b) ?? undefined;
    }
    default:
      throw new InternalError(`evalDim: a ${e.kind} in a shape`);
  }
}

const BINARY: Readonly<Record<string, (a: number, b: number) => number | undefined>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => (b === 0 ? undefined : Math.trunc(a / b)),
  mod: (a, b) => (b === 0 ? undefined : a % b),
  floordiv: (a, b) => (b === 0 ? undefined : Math.floor(a / b)),
  floormod: (a, b) => (b === 0 ? undefined : a - Math.floor(a / b) * b),
  min: Math.min,
  max: Math.max,
};

function unbound(e: PrimExpr, env: ReadonlyMap<Var, number>): Var[] {
  const out = new Set<Var>();
  visit(e, (n) => {
    if (n.kind === "Var" && !env.has(n)) out.add(n);
  });
  return [...out];
}

/** A dimension that did not fit: its position, the expected value (if known) and the actual. */
export interface DimMismatch {
  /** Dimension index. */
  readonly dim: number;
  /** What the type says, as evaluated (undefined: could not be solved). */
  readonly want: number | undefined;
  /** The actual size. */
  readonly got: number;
}

/**
 * Bind the size variables of `shape` from `actual` into `env` and check every dimension;
 * returns the first mismatch, or undefined.
 *
 * @example
 * ```ts
 * import { bindShape } from "./shape_eval.ts";
 * import { add, mul } from "../expr.ts";
 * import { sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const env = new Map();
 * console.assert(bindShape([add(mul(n, 2), 1), n], [7, 3], env) === undefined && env.get(n) === 3);
 * ```
 */
export function bindShape(
  shape: readonly PrimExpr[],
  actual: readonly number[],
  env: SizeEnv,
): DimMismatch | undefined {
  let pending = shape.map((_, k) => k);
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    const next: number[] = [];
    for (const k of pending) {
      const e = shape[k];
      const free = unbound(e, env);
      if (free.length === 0) {
        const want = evalDim(e, env);
        if (want !== actual[k]) return { dim: k, want, got: actual[k] };
        progress = true;
      } else if (free.length === 1 && solve(e, free[0], actual[k], env)) progress = true;
      else next.push(k);
    }
    pending = next;
  }
  return pending.length > 0
    ? { dim: pending[0], want: undefined, got: actual[pending[0]] }
    : undefined;
}

/** Solve `e(v) = got` for `v` when `e` is affine in `v` (probing 0, 1, 2). */
function solve(e: PrimExpr, v: Var, got: number, env: SizeEnv): boolean {
  const at = (x: number) => {
    env.set(v, x);
    const r = evalDim(e, env);
    env.delete(v);
    return r;
  };
  const [f0, f1, f2] = [at(0), at(1), at(2)];
  if (f0 === undefined || f1 === undefined || f2 === undefined) return false;
  const slope = f1 - f0;
  if (slope === 0 || f2 - f1 !== slope) return false;
  const x = (got - f0) / slope;
  if (!Number.isInteger(x) || x < 0) return false;
  env.set(v, x);
  return true;
}
