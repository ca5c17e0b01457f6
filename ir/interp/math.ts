/**
 * The pure math calls (`CALL_OPS` in ir/expr.ts). Each is computed in double on the lanes'
 * values and the double result is converted to the call's dtype (rounded for floats; for an
 * integer dtype truncated and saturated like a float→int cast).
 *
 * | op        | double function                                     |
 * | --------- | --------------------------------------------------- |
 * | exp exp2  | Math.exp(x), 2 ** x                                 |
 * | log log2  | Math.log(x), Math.log2(x)                           |
 * | sqrt rsqrt| Math.sqrt(x), 1 / Math.sqrt(x)                      |
 * | tanh      | Math.tanh(x)                                        |
 * | sigmoid   | 1 / (1 + Math.exp(−x))                              |
 * | erf       | erf(x), ./erf.ts, relative error < 1e-15            |
 * | sin cos   | Math.sin, Math.cos                                  |
 * | abs floor ceil trunc | Math.abs, Math.floor, Math.ceil, Math.trunc (exact) |
 * | round     | half away from zero (C `round`/`roundf`): round(2.5) = 3, round(−2.5) = −3, keeps −0 |
 * | pow       | C `pow`: pow(1, y) = 1 and pow(x, ±0) = 1 even for NaN, pow(−1, ±inf) = 1; else Math.pow |
 * | fma       | exact fused a·b + c with one rounding (./fma.ts)    |
 * | isnan isinf | bool                                              |
 *
 * On integer dtypes abs wraps (abs(−128 as int8) = −128), floor/ceil/round/trunc are the identity,
 * fma is `W(a·b + c)` in the dtype, isnan/isinf are false, and the rest go through double.
 *
 * @module
 */
import { type DType, elementOf, isFloat } from "../dtype.ts";
import { InternalError } from "../errors.ts";
import { castFn } from "./cast.ts";
import { erf } from "./erf.ts";
import { fma64, fmaNarrow } from "./fma.ts";
import { binaryFn, roundFn, wrapBigFn } from "./scalar.ts";
import { isBig, type Scalar } from "./values.ts";

/** A call on lanes: one, two or three arguments. */
export type CallFn = (a: Scalar, b?: Scalar, c?: Scalar) => Scalar;

/** C `round`: half away from zero, −0 kept. */
export function roundHalfAway(x: number): number {
  const t = Math.trunc(x);
  // x − t is exact (|x| < 2^52 or x already integral), so the tie test is exact.
  if (Math.abs(x - t) >= 0.5) return t + Math.sign(x);
  return t;
}

/** C `pow` (differs from Math.pow on a few NaN/∞ cases). */
export function powC(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/** Unary double functions. */
const UNARY: Readonly<Record<string, (x: number) => number>> = {
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  log: Math.log,
  log2: Math.log2,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  erf,
  sin: Math.sin,
  cos: Math.cos,
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfAway,
  trunc: Math.trunc,
};

/** True if `op` is a pure math call the interpreter computes itself. */
export function isMathCall(op: string): boolean {
  return op in UNARY || op === "pow" || op === "fma" || op === "isnan" || op === "isinf";
}

function floatCall(op: string, argType: DType, resultType: DType): CallFn {
  const out = castFn("float64", resultType);
  if (op === "isnan") return (x) => (Number.isNaN(x) ? 1 : 0);
  if (op === "isinf") return (x) => (x === Infinity || x === -Infinity ? 1 : 0);
  if (op === "pow") return (x, y) => out(powC(x as number, y as number));
  if (op === "fma") {
    if (elementOf(argType) === "float64") {
      return (a, b, c) => out(fma64(a as number, b as number, c as number));
    }
    return (a, b, c) => out(fmaNarrow(a as number, b as number, c as number));
  }
  const f = UNARY[op];
  if (!f) throw new InternalError(`no semantics for call "${op}"`);
  if (elementOf(resultType) === "float32") return (x) => Math.fround(f(x as number));
  return (x) => out(f(x as number));
}

function intCall(op: string, argType: DType, resultType: DType): CallFn {
  const same = elementOf(argType) === elementOf(resultType);
  if (op === "isnan" || op === "isinf") return () => 0;
  if (same && (op === "floor" || op === "ceil" || op === "round" || op === "trunc")) {
    return (x) => x;
  }
  if (same && op === "abs") {
    if (isBig(argType)) {
      const W = wrapBigFn(argType);
      return (x) => W((x as bigint) < 0n ? -(x as bigint) : (x as bigint));
    }
    const W = roundFn(argType);
    return (x) => W(Math.abs(x as number));
  }
  if (same && op === "fma") {
    const mul = binaryFn("mul", argType);
    const add = binaryFn("add", argType);
    return (a, b, c) => add(mul(a, b!), c!);
  }
  const toDouble = castFn(argType, "float64");
  const fromDouble = isFloat(resultType) || elementOf(resultType) === "bool"
    ? castFn("float64", resultType)
    : castFn("float32", resultType); // any float source: truncate + saturate
  const viaDouble = floatCall(op, "float64", "float64");
  return (a, b, c) =>
    fromDouble(
      viaDouble(
        toDouble(a),
        b === undefined ? undefined : toDouble(b),
        c === undefined ? undefined : toDouble(c),
      ),
    );
}

/**
 * The semantics of a math call on lanes whose arguments have scalar dtype `argType`, producing
 * `resultType` (usually the same; bool for isnan/isinf).
 *
 * @example
 * ```ts
 * import { callFn } from "./math.ts";
 * console.assert(callFn("round", "float32", "float32")(-2.5) === -3);
 * console.assert(callFn("abs", "int8", "int8")(-128) === -128);
 * ```
 */
export function callFn(op: string, argType: DType, resultType: DType): CallFn {
  return isFloat(argType) ? floatCall(op, argType, resultType) : intCall(op, argType, resultType);
}
