/**
 * Expression nodes (`PrimExpr`): immutable plain objects tagged by `kind`, built only through the
 * constructor functions below, which check dtypes and fold constants.
 *
 * Symbolic sizes are plain `Var`s. Variables are identified by object identity; structural
 * equality (`structural.ts`) maps them at their binding sites and ignores their names.
 *
 * @module
 */
import {
  bitsOf,
  type DType,
  elementOf,
  intRange,
  isBool,
  isFloat,
  isInt,
  lanesOf,
  normalize,
  parseDType,
  withLanes,
} from "./dtype.ts";
import { IRTypeError } from "./errors.ts";
import type { Buffer } from "./stmt.ts";

/** An integer constant. Values are kept normalized to the dtype (wrapped). */
export interface IntImm {
  readonly kind: "IntImm";
  readonly dtype: DType;
  readonly value: number;
}
/** A floating-point constant, rounded to the dtype. */
export interface FloatImm {
  readonly kind: "FloatImm";
  readonly dtype: DType;
  readonly value: number;
}
/** A variable: a loop index, a symbolic size, a let-bound value. Identity is the object. */
export interface Var {
  readonly kind: "Var";
  readonly dtype: DType;
  readonly name: string;
}
/** Binary operators; `div`/`mod` truncate for integers (C semantics), `floordiv`/`floormod` floor. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "mod"
  | "floordiv"
  | "floormod"
  | "min"
  | "max"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "and"
  | "or";
/** A binary operation; comparisons and `and`/`or` have a bool dtype. */
export interface Binary {
  readonly kind: "Binary";
  readonly dtype: DType;
  readonly op: BinaryOp;
  readonly a: PrimExpr;
  readonly b: PrimExpr;
}
/** Logical negation. */
export interface Not {
  readonly kind: "Not";
  readonly dtype: DType;
  readonly a: PrimExpr;
}
/** `cond ? t : f`. Only the chosen arm is evaluated (like C's `?:`), so an arm may hold a load that is out of bounds when not chosen (padding). */
export interface Select {
  readonly kind: "Select";
  readonly dtype: DType;
  readonly cond: PrimExpr;
  readonly t: PrimExpr;
  readonly f: PrimExpr;
}
/** Conversion to another dtype (float→int truncates toward zero and saturates; int→int wraps). */
export interface Cast {
  readonly kind: "Cast";
  readonly dtype: DType;
  readonly value: PrimExpr;
}
/** A read of a buffer element (or a vector of elements when an index is a `Ramp`). */
export interface BufferLoad {
  readonly kind: "BufferLoad";
  readonly dtype: DType;
  readonly buffer: Buffer;
  readonly indices: readonly PrimExpr[];
}
/** A call of a pure math function or a target intrinsic, by name (see `CALL_OPS`). */
export interface Call {
  readonly kind: "Call";
  readonly dtype: DType;
  readonly op: string;
  readonly args: readonly PrimExpr[];
}
/** The vector `[base, base+stride, …]` of `lanes` elements. */
export interface Ramp {
  readonly kind: "Ramp";
  readonly dtype: DType;
  readonly base: PrimExpr;
  readonly stride: PrimExpr;
  readonly lanes: number;
}
/** A scalar repeated over `lanes` lanes. */
export interface Broadcast {
  readonly kind: "Broadcast";
  readonly dtype: DType;
  readonly value: PrimExpr;
  readonly lanes: number;
}
/** `let v = value in body`. */
export interface Let {
  readonly kind: "Let";
  readonly dtype: DType;
  readonly v: Var;
  readonly value: PrimExpr;
  readonly body: PrimExpr;
}

/** Every expression node. */
export type PrimExpr =
  | IntImm
  | FloatImm
  | Var
  | Binary
  | Not
  | Select
  | Cast
  | BufferLoad
  | Call
  | Ramp
  | Broadcast
  | Let;

/** What the constructors accept where an expression is expected: numbers become immediates. */
export type ExprLike = PrimExpr | number | boolean;

/** Pure math functions: name → arity. Their results have the dtype of their first argument. */
export const CALL_OPS: Readonly<Record<string, number>> = {
  exp: 1,
  exp2: 1,
  log: 1,
  log2: 1,
  sqrt: 1,
  rsqrt: 1,
  tanh: 1,
  sigmoid: 1,
  erf: 1,
  sin: 1,
  cos: 1,
  abs: 1,
  floor: 1,
  ceil: 1,
  round: 1,
  trunc: 1,
  pow: 2,
  fma: 3,
  isnan: 1,
  isinf: 1,
};

// ---------------------------------------------------------------------------------------------
// Leaves

/**
 * An integer constant, wrapped into its dtype.
 *
 * @example
 * ```ts
 * import { int } from "./expr.ts";
 * console.assert(int(300, "int8").value === 44);
 * ```
 */
export function int(value: number, dtype: DType = "int32"): IntImm {
  if (!isInt(dtype) && !isBool(dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot make an integer constant of dtype ${dtype}`);
  }
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    throw new IRTypeError("BAD_CONSTANT", `Cannot make an integer constant from ${value}`);
  }
  return { kind: "IntImm", dtype, value: normalize(dtype, value) };
}

/**
 * A boolean constant.
 *
 * @example
 * ```ts
 * import { bool } from "./expr.ts";
 * console.assert(bool(true).value === 1);
 * ```
 */
export function bool(value: boolean): IntImm {
  return { kind: "IntImm", dtype: "bool", value: value ? 1 : 0 };
}

/**
 * A float constant, rounded to its dtype.
 *
 * @example
 * ```ts
 * import { float } from "./expr.ts";
 * console.assert(float(0.1).value === Math.fround(0.1));
 * ```
 */
export function float(value: number, dtype: DType = "float32"): FloatImm {
  if (!isFloat(dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot make a float constant of dtype ${dtype}`);
  }
  return { kind: "FloatImm", dtype, value: normalize(dtype, value) };
}

/**
 * A constant of any scalar dtype.
 *
 * @example
 * ```ts
 * import { constant } from "./expr.ts";
 * console.assert(constant(2, "float16").kind === "FloatImm");
 * ```
 */
export function constant(value: number, dtype: DType): IntImm | FloatImm {
  parseDType(dtype);
  if (lanesOf(dtype) !== 1) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot make a scalar constant of vector ${dtype}`);
  }
  if (isFloat(dtype)) return float(value, dtype);
  if (isBool(dtype)) return bool(value !== 0);
  return int(Math.trunc(value), dtype);
}

/**
 * A new variable; every call makes a distinct one, whatever its name.
 *
 * @example
 * ```ts
 * import { variable } from "./expr.ts";
 * const n = variable("n");
 * console.assert(n.dtype === "int32" && n !== variable("n"));
 * ```
 */
export function variable(name: string, dtype: DType = "int32"): Var {
  parseDType(dtype);
  return { kind: "Var", dtype, name };
}

/** Turn an `ExprLike` into an expression; plain numbers take `like`'s dtype (int32 by default). */
export function toExpr(x: ExprLike, like?: DType): PrimExpr {
  if (typeof x === "object") return x;
  if (typeof x === "boolean") return bool(x);
  const d = like ? elementOf(like) : Number.isInteger(x) ? "int32" : "float32";
  const c = constant(x, d);
  return like && lanesOf(like) > 1 ? broadcast(c, lanesOf(like)) : c;
}

/** True if `e` is an integer immediate (optionally equal to `value`). */
export function isConst(e: PrimExpr, value?: number): e is IntImm | FloatImm {
  return (e.kind === "IntImm" || e.kind === "FloatImm") &&
    (value === undefined || e.value === value);
}

// ---------------------------------------------------------------------------------------------
// Binary operators

const ARITH: ReadonlySet<BinaryOp> = new Set([
  "add",
  "sub",
  "mul",
  "div",
  "mod",
  "floordiv",
  "floormod",
  "min",
  "max",
]);
const COMPARE: ReadonlySet<BinaryOp> = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

function unify(op: string, a: ExprLike, b: ExprLike): [PrimExpr, PrimExpr] {
  const ea = typeof a === "object" ? a : typeof b === "object" ? toExpr(a, b.dtype) : toExpr(a);
  const eb = typeof b === "object" ? b : toExpr(b, ea.dtype);
  if (ea.dtype !== eb.dtype) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot apply "${op}" to ${ea.dtype} and ${eb.dtype}: operands must have one dtype`,
      { hint: "insert a cast() so both operands have the same dtype" },
    );
  }
  return [ea, eb];
}

/** Fold a binary operation on two scalar constants, with the dtype's exact semantics. */
function foldConst(op: BinaryOp, d: DType, x: number, y: number): number | undefined {
  const intLike = !isFloat(d);
  switch (op) {
    case "add":
      return x + y;
    case "sub":
      return x - y;
    case "mul":
      return intLike && bitsOf(d) >= 32 ? mulExact(x, y, d) : x * y;
    case "div":
      if (intLike) return y === 0 ? undefined : Math.trunc(x / y);
      return x / y;
    case "mod":
      if (intLike) return y === 0 ? undefined : x % y;
      return x % y;
    case "floordiv":
      if (y === 0) return undefined;
      return intLike ? Math.floor(x / y) : Math.floor(x / y);
    case "floormod":
      if (y === 0) return undefined;
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
      return +(!!x && !!y);
    case "or":
      return +(!!x || !!y);
  }
}

function mulExact(x: number, y: number, d: DType): number {
  const p = x * y;
  if (Number.isSafeInteger(p)) return p;
  return normalize(d, Number(BigInt.asIntN(64, BigInt(x) * BigInt(y))));
}

/**
 * Make a binary node, folding constants and the identities that hold for every value
 * (`x+0 → x`, `x*1 → x`, and for integers `x*0 → 0`). Floats keep IEEE semantics, so
 * `x*0` is not folded for them.
 *
 * @example
 * ```ts
 * import { binary, int, variable } from "./expr.ts";
 * console.assert(binary("add", int(2), int(3)).kind === "IntImm");
 * const x = variable("x");
 * console.assert(binary("mul", x, 1) === x);
 * ```
 */
export function binary(op: BinaryOp, a: ExprLike, b: ExprLike): PrimExpr {
  const [x, y] = unify(op, a, b);
  const d = x.dtype;
  const resultType = COMPARE.has(op) ? withLanes("bool", lanesOf(d)) : d;
  if ((op === "and" || op === "or") && !isBool(d)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot apply "${op}" to ${d}: operands must be bool`);
  }
  if (ARITH.has(op) && isBool(d)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot apply "${op}" to bool operands`);
  }
  if (isConst(x) && isConst(y)) {
    const v = foldConst(op, d, x.value, y.value);
    if (v !== undefined) return constant(v, resultType);
  }
  const intLike = isInt(d) || isBool(d);
  switch (op) {
    case "add":
      if (isConst(y, 0) && intLike) return x; // x + 0 -> x
      if (isConst(x, 0) && intLike) return y; // 0 + y -> y
      break;
    case "sub":
      if (isConst(y, 0) && intLike) return x; // x - 0 -> x
      break;
    case "mul":
      if (isConst(y, 1)) return x; // x * 1 -> x
      if (isConst(x, 1)) return y; // 1 * y -> y
      if (intLike && (isConst(y, 0) || isConst(x, 0))) return constant(0, d); // x * 0 -> 0
      break;
    case "div":
    case "floordiv":
      if (isConst(y, 1)) return x; // x / 1 -> x
      if (isConst(y, 0) && intLike) {
        throw new IRTypeError("DIVIDE_BY_ZERO", `Cannot divide by the constant 0 (${op})`);
      }
      break;
    case "mod":
    case "floormod":
      if (isConst(y, 1) && intLike) return constant(0, d); // x % 1 -> 0
      if (isConst(y, 0) && intLike) {
        throw new IRTypeError("DIVIDE_BY_ZERO", `Cannot take ${op} by the constant 0`);
      }
      break;
    case "and":
      if (isConst(x, 1)) return y; // true && y -> y
      if (isConst(y, 1)) return x;
      if (isConst(x, 0) || isConst(y, 0)) return bool(false);
      break;
    case "or":
      if (isConst(x, 0)) return y; // false || y -> y
      if (isConst(y, 0)) return x;
      if (isConst(x, 1) || isConst(y, 1)) return bool(true);
      break;
  }
  return { kind: "Binary", dtype: resultType, op, a: x, b: y };
}

/** `a + b`. @example `add(variable("i"), 1)` */
export const add = (a: ExprLike, b: ExprLike): PrimExpr => binary("add", a, b);
/** `a - b`. @example `sub(variable("i"), 1)` */
export const sub = (a: ExprLike, b: ExprLike): PrimExpr => binary("sub", a, b);
/** `a * b`. @example `mul(variable("i"), 4)` */
export const mul = (a: ExprLike, b: ExprLike): PrimExpr => binary("mul", a, b);
/** `a / b` (truncating for integers). @example `div(float(1), variable("x", "float32"))` */
export const div = (a: ExprLike, b: ExprLike): PrimExpr => binary("div", a, b);
/** `a % b` (truncating). @example `mod(variable("i"), 4)` */
export const mod = (a: ExprLike, b: ExprLike): PrimExpr => binary("mod", a, b);
/** `⌊a / b⌋`. @example `floordiv(variable("i"), 16)` */
export const floordiv = (a: ExprLike, b: ExprLike): PrimExpr => binary("floordiv", a, b);
/** `a - ⌊a / b⌋·b`. @example `floormod(variable("i"), 16)` */
export const floormod = (a: ExprLike, b: ExprLike): PrimExpr => binary("floormod", a, b);
/** `min(a, b)`. @example `min(variable("i"), 7)` */
export const min = (a: ExprLike, b: ExprLike): PrimExpr => binary("min", a, b);
/** `max(a, b)`. @example `max(variable("i"), 0)` */
export const max = (a: ExprLike, b: ExprLike): PrimExpr => binary("max", a, b);
/** `a == b`. @example `eq(variable("i"), 0)` */
export const eq = (a: ExprLike, b: ExprLike): PrimExpr => binary("eq", a, b);
/** `a != b`. @example `ne(variable("i"), 0)` */
export const ne = (a: ExprLike, b: ExprLike): PrimExpr => binary("ne", a, b);
/** `a < b`. @example `lt(variable("i"), 10)` */
export const lt = (a: ExprLike, b: ExprLike): PrimExpr => binary("lt", a, b);
/** `a <= b`. @example `le(variable("i"), 10)` */
export const le = (a: ExprLike, b: ExprLike): PrimExpr => binary("le", a, b);
/** `a > b`. @example `gt(variable("i"), 10)` */
export const gt = (a: ExprLike, b: ExprLike): PrimExpr => binary("gt", a, b);
/** `a >= b`. @example `ge(variable("i"), 0)` */
export const ge = (a: ExprLike, b: ExprLike): PrimExpr => binary("ge", a, b);
/** `a && b` on bools. @example `and(lt(i, 4), ge(i, 0))` */
export const and = (a: ExprLike, b: ExprLike): PrimExpr => binary("and", a, b);
/** `a || b` on bools. @example `or(lt(i, 0), ge(i, 4))` */
export const or = (a: ExprLike, b: ExprLike): PrimExpr => binary("or", a, b);

/**
 * Logical negation, folding constants and double negation.
 *
 * @example
 * ```ts
 * import { bool, not } from "./expr.ts";
 * console.assert(not(bool(true)).kind === "IntImm");
 * ```
 */
export function not(a: ExprLike): PrimExpr {
  const x = toExpr(a);
  if (!isBool(x.dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot negate ${x.dtype}: "not" needs a bool`);
  }
  if (isConst(x)) return bool(x.value === 0);
  if (x.kind === "Not") return x.a; // !!x -> x
  return { kind: "Not", dtype: x.dtype, a: x };
}

/**
 * `cond ? t : f`; folds a constant condition.
 *
 * @example
 * ```ts
 * import { bool, int, select } from "./expr.ts";
 * console.assert(select(bool(true), int(1), int(2)).kind === "IntImm");
 * ```
 */
export function select(cond: ExprLike, t: ExprLike, f: ExprLike): PrimExpr {
  const c = toExpr(cond);
  if (!isBool(c.dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot select on a ${c.dtype} condition: need bool`);
  }
  const [x, y] = unify("select", t, f);
  if (isConst(c)) return c.value ? x : y;
  return { kind: "Select", dtype: x.dtype, cond: c, t: x, f: y };
}

/**
 * Convert to `dtype`; a no-op if the dtype already matches, folded for constants.
 *
 * @example
 * ```ts
 * import { cast, float } from "./expr.ts";
 * console.assert(cast("int32", float(2.7)).kind === "IntImm");
 * ```
 */
export function cast(dtype: DType, value: ExprLike): PrimExpr {
  const v = toExpr(value);
  parseDType(dtype);
  if (v.dtype === dtype) return v;
  if (lanesOf(v.dtype) !== lanesOf(dtype)) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot cast ${v.dtype} to ${dtype}: lane counts differ`,
    );
  }
  if (isConst(v)) return constant(castValue(v.value, dtype, isFloat(v.dtype)), dtype);
  return { kind: "Cast", dtype, value: v };
}

/** The number a scalar value becomes when cast to `dtype` (float→int truncates and saturates). */
export function castValue(
  v: number,
  dtype: DType,
  fromFloat: boolean = !Number.isInteger(v),
): number {
  if (isFloat(dtype)) return normalize(dtype, v);
  if (isBool(dtype)) return v !== 0 ? 1 : 0;
  if (Number.isNaN(v)) return 0;
  if (fromFloat) {
    // float -> int: truncate toward zero, saturate to the integer range (NaN -> 0)
    const [lo, hi] = intRange(dtype);
    return normalize(dtype, Math.min(hi, Math.max(lo, Math.trunc(v))));
  }
  return normalize(dtype, v); // int -> int: wrap around
}

/**
 * A call of a pure math function (see `CALL_OPS`) or, with an explicit dtype, of a target
 * intrinsic.
 *
 * @example
 * ```ts
 * import { call, variable } from "./expr.ts";
 * const e = call("exp", [variable("x", "float32")]);
 * console.assert(e.dtype === "float32");
 * ```
 */
export function call(op: string, args: readonly ExprLike[], dtype?: DType): Call {
  const arity = CALL_OPS[op];
  const exprs = args.map((a, i) =>
    toExpr(a, i > 0 && typeof args[0] === "object" ? args[0].dtype : undefined)
  );
  if (arity !== undefined) {
    if (exprs.length !== arity) {
      throw new IRTypeError(
        "CALL_ARITY",
        `Cannot call "${op}" with ${exprs.length} arguments: it takes ${arity}`,
      );
    }
    const d0 = exprs[0].dtype;
    for (const e of exprs) {
      if (e.dtype !== d0) {
        throw new IRTypeError(
          "DTYPE_MISMATCH",
          `Cannot call "${op}" on mixed ${d0} and ${e.dtype}`,
        );
      }
    }
    const resultType = op === "isnan" || op === "isinf" ? withLanes("bool", lanesOf(d0)) : d0;
    return { kind: "Call", dtype: dtype ?? resultType, op, args: exprs };
  }
  if (dtype === undefined) {
    throw new IRTypeError(
      "CALL_UNKNOWN",
      `Cannot call unknown function "${op}" without a result dtype`,
      { hint: `known functions: ${Object.keys(CALL_OPS).join(", ")}` },
    );
  }
  parseDType(dtype);
  return { kind: "Call", dtype, op, args: exprs };
}

/**
 * Load `buffer[indices]`. The number of indices must equal the buffer's rank (1 after flattening);
 * a `Ramp` index makes a vector load.
 *
 * @example
 * ```ts
 * import { bufferLoad, variable } from "./expr.ts";
 * import { decl } from "./stmt.ts";
 * const A = decl("A", [4], "float32");
 * console.assert(bufferLoad(A, [variable("i")]).dtype === "float32");
 * ```
 */
export function bufferLoad(buffer: Buffer, indices: readonly ExprLike[]): BufferLoad {
  if (indices.length !== buffer.shape.length) {
    throw new IRTypeError(
      "INDEX_RANK",
      `Cannot load buffer "${buffer.name}" with ${indices.length} indices: it has rank ${buffer.shape.length}`,
      { path: `buffer "${buffer.name}"` },
    );
  }
  const idx = indices.map((i) => toExpr(i));
  let lanes = 1;
  for (const i of idx) {
    if (!isInt(i.dtype)) {
      throw new IRTypeError(
        "DTYPE_MISMATCH",
        `Cannot index buffer "${buffer.name}" with a ${i.dtype} expression: need an integer`,
      );
    }
    lanes = Math.max(lanes, lanesOf(i.dtype));
  }
  return { kind: "BufferLoad", dtype: withLanes(buffer.dtype, lanes), buffer, indices: idx };
}

/**
 * The vector `[base, base + stride, …]`.
 *
 * @example
 * ```ts
 * import { ramp, variable } from "./expr.ts";
 * console.assert(ramp(variable("i"), 1, 4).dtype === "int32x4");
 * ```
 */
export function ramp(base: ExprLike, stride: ExprLike, lanes: number): Ramp {
  const [b, s] = unify("ramp", base, stride);
  if (lanesOf(b.dtype) !== 1 || lanes < 2) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot make a ramp of ${lanes} lanes from ${b.dtype}`);
  }
  return { kind: "Ramp", dtype: withLanes(b.dtype, lanes), base: b, stride: s, lanes };
}

/**
 * A scalar repeated over `lanes` lanes.
 *
 * @example
 * ```ts
 * import { broadcast, float } from "./expr.ts";
 * console.assert(broadcast(float(1), 4).dtype === "float32x4");
 * ```
 */
export function broadcast(value: ExprLike, lanes: number): PrimExpr {
  const v = toExpr(value);
  if (lanes === 1) return v;
  if (lanesOf(v.dtype) !== 1) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot broadcast vector ${v.dtype}`);
  }
  return { kind: "Broadcast", dtype: withLanes(v.dtype, lanes), value: v, lanes };
}

/**
 * `let v = value in body`.
 *
 * @example
 * ```ts
 * import { add, letExpr, variable } from "./expr.ts";
 * const v = variable("v");
 * console.assert(letExpr(v, 3, add(v, 1)).kind === "Let");
 * ```
 */
export function letExpr(v: Var, value: ExprLike, body: PrimExpr): Let {
  const val = toExpr(value, v.dtype);
  if (val.dtype !== v.dtype) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot bind ${val.dtype} to variable "${v.name}" of ${v.dtype}`,
    );
  }
  return { kind: "Let", dtype: body.dtype, v, value: val, body };
}
