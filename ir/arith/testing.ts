/**
 * Test support for the analyzer: an exact evaluator of integer/bool expressions, a seeded random
 * number generator, and a generator of random integer expressions over bounded variables.
 *
 * The evaluator computes with unbounded integers and throws `Undefined` when a value leaves
 * int32 or a division by zero happens, so property tests skip those samples (the analyzer assumes
 * index arithmetic does not overflow).
 *
 * @module
 */
import { normalize } from "../dtype.ts";
import {
  add,
  and,
  binary,
  type BinaryOp,
  castValue,
  eq,
  floordiv,
  floormod,
  ge,
  gt,
  int,
  le,
  lt,
  max,
  min,
  mul,
  ne,
  not,
  or,
  type PrimExpr,
  select,
  sub,
  type Var,
} from "../expr.ts";

/** The sample cannot be evaluated (division by zero or int32 overflow). */
export class Undefined extends Error {}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function ops(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case "add":
      return x + y;
    case "sub":
      return x - y;
    case "mul":
      return x * y;
    case "div":
      if (y === 0) throw new Undefined("div by 0");
      return Math.trunc(x / y);
    case "mod":
      if (y === 0) throw new Undefined("mod by 0");
      return x % y + 0;
    case "floordiv":
      if (y === 0) throw new Undefined("floordiv by 0");
      return Math.floor(x / y);
    case "floormod":
      if (y === 0) throw new Undefined("floormod by 0");
      return x - Math.floor(x / y) * y;
    case "min":
      return Math.min(x, y);
    case "max":
      return Math.max(x, y);
    case "eq":
      return +(x === y);
    case "ne":
      return +(x !== y);
    case "lt":
      return +(x < y);
    case "le":
      return +(x <= y);
    case "gt":
      return +(x > y);
    case "ge":
      return +(x >= y);
    case "and":
      return +(x !== 0 && y !== 0);
    case "or":
      return +(x !== 0 || y !== 0);
  }
}

/**
 * Evaluate an int32/bool expression at a point, exactly (short-circuit `&&`/`||`, lazy select).
 *
 * @example
 * ```ts
 * import { evalExpr } from "./testing.ts";
 * import { add, variable } from "../expr.ts";
 * const x = variable("x");
 * console.assert(evalExpr(add(x, 1), new Map([[x, 2]])) === 3);
 * ```
 */
export function evalExpr(e: PrimExpr, env: ReadonlyMap<Var, number>): number {
  const go = (e: PrimExpr): number => {
    switch (e.kind) {
      case "IntImm":
        return e.value;
      case "Var": {
        const v = env.get(e);
        if (v === undefined) throw new Error(`unbound variable ${e.name}`);
        return v;
      }
      case "Binary": {
        if (e.op === "and") return go(e.a) ? go(e.b) : 0;
        if (e.op === "or") return go(e.a) ? 1 : go(e.b);
        const r = ops(e.op, go(e.a), go(e.b));
        if (e.dtype === "int32" && (r < INT32_MIN || r > INT32_MAX)) {
          throw new Undefined("overflow");
        }
        return e.dtype === "int32" || e.dtype === "bool" ? r : normalize(e.dtype, r); // narrow types wrap
      }
      case "Not":
        return +(go(e.a) === 0);
      case "Select":
        return go(e.cond) ? go(e.t) : go(e.f);
      case "Cast":
        return castValue(go(e.value), e.dtype, false);
      default:
        throw new Error(`evalExpr: unsupported ${e.kind}`);
    }
  };
  return go(e);
}

/** A seeded PRNG (mulberry32): `next()` in [0, 1), `int(lo, hi)` inclusive. */
export class Rng {
  private s: number;
  /** Seed the generator. */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A number in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** One element. */
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
}

/** A variable with the inclusive interval its samples are drawn from. */
export interface SampledVar {
  readonly v: Var;
  readonly lo: number;
  readonly hi: number;
}

/**
 * A random int32 expression of at most `depth` levels over `vars`: sums, products (mostly by
 * constants), floordiv/floormod/div/mod by constants and by variables, min/max and selects.
 */
export function randomIntExpr(rng: Rng, vars: readonly SampledVar[], depth: number): PrimExpr {
  if (depth <= 0 || rng.next() < 0.2) {
    return rng.next() < 0.75 ? rng.pick(vars).v : int(rng.int(-9, 9), vars[0].v.dtype);
  }
  const sub1 = () => randomIntExpr(rng, vars, depth - 1);
  const k = () => rng.pick([1, 2, 3, 4, 8, 16, -2, -3, 5, 6]);
  switch (rng.int(0, 11)) {
    case 0:
    case 1:
      return add(sub1(), sub1());
    case 2:
      return sub(sub1(), sub1());
    case 3:
      return mul(sub1(), k());
    case 4:
      return rng.next() < 0.5 ? mul(sub1(), sub1()) : mul(k(), sub1());
    case 5:
      return floordiv(sub1(), rng.pick([2, 3, 4, 8, 16, -4]));
    case 6:
      return floormod(sub1(), rng.pick([2, 3, 4, 8, 16, -4]));
    case 7: {
      const op = rng.pick<BinaryOp>(["floordiv", "floormod", "div", "mod"]);
      return binary(op, sub1(), rng.next() < 0.5 ? rng.pick(vars).v : rng.pick([4, 3, -3]));
    }
    case 8:
      return rng.next() < 0.5 ? min(sub1(), sub1()) : max(sub1(), sub1());
    case 9:
      return select(randomCond(rng, vars, depth - 1), sub1(), sub1());
    case 10:
      return add(mul(sub1(), k()), floordiv(sub1(), k() > 0 ? 4 : 8));
    default:
      return sub(sub1(), mul(floordiv(sub1(), 8), 8));
  }
}

/** A random bool expression: comparisons of random integer expressions, and/or/not. */
export function randomCond(rng: Rng, vars: readonly SampledVar[], depth: number): PrimExpr {
  const x = () => randomIntExpr(rng, vars, Math.max(0, depth - 1));
  const r = rng.int(0, 8);
  if (depth > 0 && r === 7) {
    const a = randomCond(rng, vars, depth - 1), b = randomCond(rng, vars, depth - 1);
    return rng.next() < 0.5 ? and(a, b) : or(a, b);
  }
  if (depth > 0 && r === 8) return not(randomCond(rng, vars, depth - 1));
  const cmp = [lt, le, gt, ge, eq, ne][r % 6];
  return cmp(x(), x());
}

/** Draw a point: each variable uniformly in its interval. */
export function samplePoint(rng: Rng, vars: readonly SampledVar[]): Map<Var, number> {
  return new Map(vars.map((s) => [s.v, rng.int(s.lo, s.hi)]));
}

/** Evaluate, or undefined where the expression is not defined. */
export function tryEval(e: PrimExpr, env: ReadonlyMap<Var, number>): number | undefined {
  try {
    return evalExpr(e, env);
  } catch (err) {
    if (err instanceof Undefined) return undefined;
    throw err;
  }
}
