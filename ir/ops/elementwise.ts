/**
 * Elementwise ops: unary math and activations, binary arithmetic and comparisons with numpy-style
 * broadcasting, `cast` and `clip`. Every op makes one `compute` (one block) named `T_<op>`
 * unless `options.name` says otherwise.
 *
 * ```ts
 * import { add, exp } from "./elementwise.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n, 4], "float32", "A");
 * const B = placeholder([4], "float32", "B");
 * const C = exp(add(A, B)); // [n, 4]
 * console.assert(C.shape[0] === n);
 * ```
 *
 * @module
 */
import { type DType, isBool, isFloat, isInt } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { compute, type Tensor } from "../te.ts";
import { opError } from "./errors.ts";
import { broadcastShapes, constOf, type Shape } from "./shape.ts";

/** A tensor, or a number that takes the dtype of the other operand. */
export type Operand = Tensor | number;

/** Options every op takes. */
export interface OpOptions {
  /** Name of the output tensor and its block (default `T_<op>`). */
  readonly name?: string;
}

/**
 * Indices into a tensor of `shape` for output indices `outIdx` under broadcasting: dimensions are
 * aligned on the right, and a dimension of constant 1 is read at 0.
 */
export function broadcastIndices(shape: Shape, outIdx: readonly PrimExpr[]): PrimExpr[] {
  const skip = outIdx.length - shape.length;
  return shape.map((d, k) => (constOf(d) === 1 ? E.int(0) : outIdx[k + skip]));
}

/**
 * The general elementwise op: broadcast `inputs` together and compute `fn` of their elements.
 * Dtypes are not unified: `fn` sees each input's own dtype.
 *
 * @example
 * ```ts
 * import { broadcastCompute } from "./elementwise.ts";
 * import { placeholder } from "../te.ts";
 * import { add, mul } from "../expr.ts";
 * const A = placeholder([3, 4], "float32", "A");
 * const B = placeholder([4], "float32", "B");
 * const C = broadcastCompute("fma2", [A, B], ([a, b]) => add(mul(a, 2), b));
 * console.assert(C.shape.length === 2 && C.name === "T_fma2");
 * ```
 */
export function broadcastCompute(
  op: string,
  inputs: readonly Tensor[],
  fn: (values: PrimExpr[]) => PrimExpr,
  options: OpOptions = {},
  argNames: readonly string[] = inputs.map((t) => t.name),
): Tensor {
  const shape = broadcastShapes(op, argNames, inputs.map((t) => t.shape));
  return compute(
    shape,
    (idx) => fn(inputs.map((t) => t.at(...broadcastIndices(t.shape, idx)))),
    options.name ?? `T_${op}`,
  );
}

function checkNumeric(op: string, arg: string, t: Tensor, floatOnly: boolean): void {
  if (isBool(t.dtype) || (floatOnly && !isFloat(t.dtype))) {
    throw opError(
      "OP_DTYPE_MISMATCH",
      op,
      arg,
      `has dtype ${t.dtype}, need ${floatOnly ? "a float" : "a number"} dtype`,
      floatOnly ? "cast() the tensor to a float dtype first" : undefined,
    );
  }
}

/** A number as a constant of `dtype` (integers only for integer dtypes). */
export function scalarOf(op: string, arg: string, x: number, dtype: DType): PrimExpr {
  if (isInt(dtype) && !Number.isInteger(x)) {
    throw opError("OP_BAD_PARAM", op, arg, `${x} is not an integer, the tensor is ${dtype}`);
  }
  return E.constant(x, dtype);
}

type Binary = (a: PrimExpr, b: PrimExpr) => PrimExpr;

function binaryOp(op: string, fn: Binary, floatOnly = false, numericOnly = true) {
  return (a: Operand, b: Operand, options: OpOptions = {}): Tensor => {
    if (typeof a === "number" && typeof b === "number") {
      throw opError("OP_BAD_PARAM", op, "a", "both operands are numbers; one must be a tensor");
    }
    const ta = typeof a === "number" ? undefined : a;
    const tb = typeof b === "number" ? undefined : b;
    const dtype = (ta ?? tb)!.dtype;
    if (ta && tb && ta.dtype !== tb.dtype) {
      throw opError(
        "OP_DTYPE_MISMATCH",
        op,
        "b",
        `has dtype ${tb.dtype}, but "a" has ${ta.dtype}`,
        "cast() one operand so both have the same dtype",
      );
    }
    for (const [t, arg] of [[ta, "a"], [tb, "b"]] as const) {
      if (t && numericOnly) checkNumeric(op, arg, t, floatOnly);
    }
    const tensors = [ta, tb].filter((t): t is Tensor => t !== undefined);
    return broadcastCompute(
      op,
      tensors,
      (vals) => {
        const va = ta ? vals[0] : scalarOf(op, "a", a as number, dtype);
        const vb = tb ? vals[ta ? 1 : 0] : scalarOf(op, "b", b as number, dtype);
        return fn(va, vb);
      },
      options,
      ta && tb ? ["a", "b"] : [ta ? "a" : "b"],
    );
  };
}

/** Signature of the binary elementwise ops. */
export type BinaryOpFn = (a: Operand, b: Operand, options?: OpOptions) => Tensor;

/** `a + b` with broadcasting. @example `add(A, B)`, `add(A, 1)` */
export const add: BinaryOpFn = binaryOp("add", E.add);
/** `a − b` with broadcasting. @example `sub(A, B)` */
export const sub: BinaryOpFn = binaryOp("sub", E.sub);
/** `a · b` with broadcasting. @example `mul(A, B)` */
export const mul: BinaryOpFn = binaryOp("mul", E.mul);
/** `a / b` with broadcasting (integers truncate toward zero, like C). @example `div(A, B)` */
export const div: BinaryOpFn = binaryOp("div", E.div);
/** `⌊a / b⌋` with broadcasting. @example `floorDiv(A, 4)` */
export const floorDiv: BinaryOpFn = binaryOp("floor_div", E.floordiv);
/** `a − ⌊a / b⌋·b` with broadcasting. @example `floorMod(A, 4)` */
export const floorMod: BinaryOpFn = binaryOp("floor_mod", E.floormod);
/** Elementwise maximum (NaN propagates). @example `maximum(A, 0)` */
export const maximum: BinaryOpFn = binaryOp("maximum", E.max);
/** Elementwise minimum (NaN propagates). @example `minimum(A, B)` */
export const minimum: BinaryOpFn = binaryOp("minimum", E.min);
/** `a ** b` (C `pow`), floats only. @example `pow(A, 2)` */
export const pow: BinaryOpFn = binaryOp("pow", (a, b) => E.call("pow", [a, b]), true);
/** `a == b` → bool. @example `equal(A, B)` */
export const equal: BinaryOpFn = binaryOp("equal", E.eq, false, false);
/** `a != b` → bool. @example `notEqual(A, B)` */
export const notEqual: BinaryOpFn = binaryOp("not_equal", E.ne, false, false);
/** `a < b` → bool. @example `less(A, B)` */
export const less: BinaryOpFn = binaryOp("less", E.lt);
/** `a <= b` → bool. @example `lessEqual(A, B)` */
export const lessEqual: BinaryOpFn = binaryOp("less_equal", E.le);
/** `a > b` → bool. @example `greater(A, B)` */
export const greater: BinaryOpFn = binaryOp("greater", E.gt);
/** `a >= b` → bool. @example `greaterEqual(A, B)` */
export const greaterEqual: BinaryOpFn = binaryOp("greater_equal", E.ge);

/** Signature of the unary elementwise ops. */
export type UnaryOpFn = (x: Tensor, options?: OpOptions) => Tensor;

function unaryOp(op: string, fn: (x: PrimExpr) => PrimExpr, floatOnly: boolean): UnaryOpFn {
  return (x: Tensor, options: OpOptions = {}): Tensor => {
    checkNumeric(op, "x", x, floatOnly);
    return compute(x.shape, (idx) => fn(x.at(...idx)), options.name ?? `T_${op}`);
  };
}

const math = (name: string) => (x: PrimExpr) => E.call(name, [x]);

/** `−x` (−0 for 0 on floats; wraps on integers). @example `neg(A)` */
export const neg: UnaryOpFn = unaryOp("neg", (x) => E.mul(x, E.constant(-1, x.dtype)), false);
/** `|x|` (wraps on the most negative integer). @example `abs(A)` */
export const abs: UnaryOpFn = unaryOp("abs", math("abs"), false);
/** `eˣ`. @example `exp(A)` */
export const exp: UnaryOpFn = unaryOp("exp", math("exp"), true);
/** Natural logarithm. @example `log(A)` */
export const log: UnaryOpFn = unaryOp("log", math("log"), true);
/** Square root. @example `sqrt(A)` */
export const sqrt: UnaryOpFn = unaryOp("sqrt", math("sqrt"), true);
/** `1 / √x`. @example `rsqrt(A)` */
export const rsqrt: UnaryOpFn = unaryOp("rsqrt", math("rsqrt"), true);
/** Hyperbolic tangent. @example `tanh(A)` */
export const tanh: UnaryOpFn = unaryOp("tanh", math("tanh"), true);
/** `1 / (1 + e⁻ˣ)`. @example `sigmoid(A)` */
export const sigmoid: UnaryOpFn = unaryOp("sigmoid", math("sigmoid"), true);
/** The error function. @example `erf(A)` */
export const erf: UnaryOpFn = unaryOp("erf", math("erf"), true);
/** Sine. @example `sin(A)` */
export const sin: UnaryOpFn = unaryOp("sin", math("sin"), true);
/** Cosine. @example `cos(A)` */
export const cos: UnaryOpFn = unaryOp("cos", math("cos"), true);
/** Round down. @example `floor(A)` */
export const floor: UnaryOpFn = unaryOp("floor", math("floor"), true);
/** Round up. @example `ceil(A)` */
export const ceil: UnaryOpFn = unaryOp("ceil", math("ceil"), true);
/** Round half away from zero. @example `round(A)` */
export const round: UnaryOpFn = unaryOp("round", math("round"), true);
/** `max(x, 0)` (NaN propagates). @example `relu(A)` */
export const relu: UnaryOpFn = unaryOp("relu", (x) => E.max(x, E.constant(0, x.dtype)), false);

/**
 * `x` for `x ≥ 0`, else `alpha·x`.
 *
 * @example
 * ```ts
 * import { leakyRelu } from "./elementwise.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(leakyRelu(placeholder([4], "float32", "A"), 0.1).shape.length === 1);
 * ```
 */
export function leakyRelu(x: Tensor, alpha = 0.01, options: OpOptions = {}): Tensor {
  checkNumeric("leaky_relu", "x", x, true);
  const a = E.constant(alpha, x.dtype);
  return compute(
    x.shape,
    (idx) => {
      const v = x.at(...idx);
      return E.select(E.ge(v, E.constant(0, x.dtype)), v, E.mul(v, a));
    },
    options.name ?? "T_leaky_relu",
  );
}

/**
 * Convert every element to `dtype` (float→int truncates and saturates; int→int wraps). Always
 * makes a new tensor, even when the dtype is unchanged.
 *
 * @example
 * ```ts
 * import { cast } from "./elementwise.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(cast(placeholder([4], "int8", "A"), "float32").dtype === "float32");
 * ```
 */
export function cast(x: Tensor, dtype: DType, options: OpOptions = {}): Tensor {
  return compute(x.shape, (idx) => E.cast(dtype, x.at(...idx)), options.name ?? "T_cast");
}

/**
 * Clamp every element into `[lo, hi]`: `min(max(x, lo), hi)`.
 *
 * @example
 * ```ts
 * import { clip } from "./elementwise.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(clip(placeholder([4], "float32", "A"), -1, 1).name === "T_clip");
 * ```
 */
export function clip(x: Tensor, lo: number, hi: number, options: OpOptions = {}): Tensor {
  checkNumeric("clip", "x", x, false);
  if (!(lo <= hi)) {
    throw opError("OP_BAD_PARAM", "clip", "lo", `lo ${lo} is greater than hi ${hi}`);
  }
  const l = scalarOf("clip", "lo", lo, x.dtype);
  const h = scalarOf("clip", "hi", hi, x.dtype);
  return compute(x.shape, (idx) => E.min(E.max(x.at(...idx), l), h), options.name ?? "T_clip");
}
