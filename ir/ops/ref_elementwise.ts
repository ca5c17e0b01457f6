/**
 * Plain-TypeScript references of the elementwise ops: loops over typed arrays, each value
 * computed in double and then rounded or wrapped to the dtype on store.
 *
 * @module
 */
import { type DType, isFloat, isInt } from "../dtype.ts";
import type { NDArray } from "../ndarray.ts";
import {
  broadcastOffset,
  broadcastShape,
  erfRef,
  fill,
  get,
  roundTo,
  unravel,
} from "./ref_util.ts";

type Fn2 = (a: number, b: number, dtype: DType) => number;

const int32Mul = (a: number, b: number, d: DType) =>
  isInt(d) && Math.abs(a * b) > Number.MAX_SAFE_INTEGER ? Math.imul(a, b) : a * b;

/** The binary ops by catalogue name. */
export const REF_BINARY: Readonly<Record<string, Fn2>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: int32Mul,
  div: (a, b, d) => (isFloat(d) ? a / b : Math.trunc(a / b)),
  floor_div: (a, b) => Math.floor(a / b),
  floor_mod: (a, b) => a - Math.floor(a / b) * b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  pow: (a, b) => Math.pow(a, b),
  equal: (a, b) => +(a === b),
  not_equal: (a, b) => +(a !== b),
  less: (a, b) => +(a < b),
  less_equal: (a, b) => +(a <= b),
  greater: (a, b) => +(a > b),
  greater_equal: (a, b) => +(a >= b),
};

const COMPARISONS = new Set([
  "equal",
  "not_equal",
  "less",
  "less_equal",
  "greater",
  "greater_equal",
]);

/**
 * `op(a, b)` elementwise with broadcasting; a number operand takes the other's dtype.
 *
 * @example
 * ```ts
 * import { refBinary } from "./ref_elementwise.ts";
 * import { ndarray } from "../ndarray.ts";
 * const c = refBinary("add", ndarray("int8", [2], [127, 1]), 1);
 * console.assert(c.data[0] === -128 && c.data[1] === 2);
 * ```
 */
export function refBinary(op: string, a: NDArray | number, b: NDArray | number): NDArray {
  const f = REF_BINARY[op];
  const ta = typeof a === "number" ? undefined : a;
  const tb = typeof b === "number" ? undefined : b;
  const dtype = (ta ?? tb)!.dtype;
  const shape = broadcastShape([ta?.shape ?? [], tb?.shape ?? []]);
  const out = COMPARISONS.has(op) ? "bool" : dtype;
  return fill(out, shape, (i) => {
    const idx = unravel(i, shape);
    const x = ta ? get(ta, broadcastOffset(ta, idx)) : (a as number);
    const y = tb ? get(tb, broadcastOffset(tb, idx)) : (b as number);
    return f(x, y, dtype);
  });
}

/** C `round`: half away from zero, keeping −0. */
function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The unary ops by catalogue name. */
export const REF_UNARY: Readonly<Record<string, (x: number) => number>> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  erf: erfRef,
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundAway,
  relu: (x) => Math.max(x, 0),
};

/**
 * `op(x)` elementwise.
 *
 * @example
 * ```ts
 * import { refUnary } from "./ref_elementwise.ts";
 * import { ndarray } from "../ndarray.ts";
 * console.assert(refUnary("relu", ndarray("float32", [2], [-1, 2])).data[1] === 2);
 * ```
 */
export function refUnary(op: string, x: NDArray): NDArray {
  const f = REF_UNARY[op];
  return fill(x.dtype, x.shape, (i) => f(get(x, i)));
}

/** `x` or `alpha·x` below zero. @example `refLeakyRelu(x, 0.1)` */
export function refLeakyRelu(x: NDArray, alpha: number): NDArray {
  const a = roundTo(x.dtype, alpha); // the op's constant has the tensor's dtype
  return fill(x.dtype, x.shape, (i) => {
    const v = get(x, i);
    return v >= 0 ? v : v * a;
  });
}

/** Convert to `dtype`: float→int truncates toward zero and saturates (NaN → 0); int→int wraps. */
export function refCast(x: NDArray, dtype: DType): NDArray {
  const fromFloat = isFloat(x.dtype);
  const sat = isInt(dtype) && fromFloat;
  const [lo, hi] = sat ? intLimits(dtype) : [0, 0];
  return fill(dtype, x.shape, (i) => {
    const v = get(x, i);
    if (dtype === "bool") return v !== 0 ? 1 : 0;
    if (!sat) return v; // int→int wraps, →float rounds: both on store
    return Number.isNaN(v) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(v)));
  });
}

function intLimits(d: DType): [number, number] {
  const bits = Number(/\d+/.exec(d)![0]);
  return d.startsWith("u") ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/** `min(max(x, lo), hi)`. @example `refClip(x, -1, 1)` */
export function refClip(x: NDArray, lo: number, hi: number): NDArray {
  return fill(x.dtype, x.shape, (i) => Math.min(Math.max(get(x, i), lo), hi));
}
