/**
 * Scalar C for operators, conversions and math calls, with the exact semantics of
 * docs/semantics.md. Every function takes C operand expressions of the dtype's value type
 * (c_types.ts) and returns an expression of the result's value type; each operand text appears
 * once in the result (helpers or temporaries take operands used twice).
 *
 * | op                | float32/64                 | float16/bfloat16      | ints (W = wrap)                        |
 * | ----------------- | -------------------------- | --------------------- | -------------------------------------- |
 * | add sub mul div   | IEEE op (−ffp-contract=off) | R(op in float32)      | W (compiled with −fwrapv); div: trunc, ÷0 traps, MIN/−1 wraps |
 * | mod               | fmod (host, exact)          | same, R               | C %, sign of a; MIN % −1 = 0           |
 * | floordiv floormod | R(⌊a/b⌋), a−⌊a/b⌋·b in double | same                | helpers in the prelude                 |
 * | min max           | wasm f32.min/max (NaN propagates, −0 < +0) | same  | __builtin_elementwise_min/max          |
 *
 * @module
 */
import { inlineF32Math } from "./c_math.ts";
import { InternalError } from "../../ir/errors.ts";
import {
  bitsOf,
  type DType,
  elementOf,
  intRange,
  isBool,
  isFloat,
  isUInt,
} from "../../ir/dtype.ts";
import type { BinaryOp } from "../../ir/expr.ts";
import type { CContext } from "./c_context.ts";
import { cLiteral, cValue, cWrap, isHalf, paren } from "./c_types.ts";

const COMPARE: Readonly<Record<string, string>> = {
  eq: "==",
  ne: "!=",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
};
const ARITH: Readonly<Record<string, string>> = { add: "+", sub: "-", mul: "*", div: "/" };

/** The C comparison operator of a comparison op, if `op` is one. */
export function compareOp(op: BinaryOp): string | undefined {
  return COMPARE[op];
}

/** Round a float-typed C expression to dtype `d` (identity for float32/float64). */
export function roundTo(d: DType, x: string): string {
  const e = elementOf(d);
  if (e === "float16") return `__tsr_round_f16(${x})`;
  if (e === "bfloat16") return `__tsr_round_bf16(${x})`;
  return x;
}

/** A double-typed C expression converted to dtype `d` (floats round once; ints truncate, saturate). */
export function fromDouble(d: DType, x: string): string {
  const e = elementOf(d);
  if (e === "float64") return x;
  if (e === "float32") return `(float)${paren(x)}`;
  if (e === "float16") return `__tsr_f64_to_f16v(${x})`;
  if (e === "bfloat16") return `__tsr_f64_to_bf16v(${x})`;
  if (e === "bool") return `(uint8_t)(${paren(x)} != 0)`;
  return floatToInt(e, x, "f64");
}

/** A float (`src` f32 or f64) C expression to an integer dtype: truncate, saturate, NaN → 0. */
function floatToInt(to: DType, x: string, src: "f32" | "f64"): string {
  const t = cValue(to);
  switch (elementOf(to)) {
    case "int32":
      return `__builtin_wasm_trunc_saturate_s_i32_${src}(${x})`;
    case "uint32":
      return `(uint32_t)__builtin_wasm_trunc_saturate_u_i32_${src}(${x})`;
    case "int64":
      return `(int64_t)__builtin_wasm_trunc_saturate_s_i64_${src}(${x})`;
    case "uint64":
      return `(uint64_t)__builtin_wasm_trunc_saturate_u_i64_${src}(${x})`;
  }
  const [lo, hi] = intRange(to);
  return `(${t})__tsr_sat_f64(${x}, ${lo}, ${hi})`;
}

/**
 * Convert a value of scalar dtype `from` to scalar dtype `to`.
 *
 * @example
 * ```ts
 * import { castScalar } from "./c_scalar.ts";
 * console.assert(castScalar("int32", "int8", "x") === "(int8_t)x");
 * ```
 */
export function castScalar(from: DType, to: DType, x: string): string {
  const f = elementOf(from);
  const t = elementOf(to);
  if (f === t) return x;
  if (t === "bool") return `(uint8_t)(${paren(x)} != 0)`;
  if (f === "bool") return `(${cValue(t)})${paren(x)}`;
  if (isFloat(f)) {
    if (f === "float64") return fromDouble(t, x);
    if (t === "float64") return `(double)${paren(x)}`;
    if (t === "float32") return x; // float16/bfloat16 values are floats already
    if (isFloat(t)) return roundTo(t, x);
    return floatToInt(t, x, "f32");
  }
  if (t === "float64" || t === "float32") return `(${cValue(t)})${paren(x)}`;
  if (isHalf(t)) {
    const conv = t === "float16" ? "__tsr_f64_to_f16v" : "__tsr_f64_to_bf16v";
    if (bitsOf(f) < 64) return `${conv}(${x})`; // exact in double
    return `${conv}(${isUInt(f) ? "__tsr_u64_to_f64_odd" : "__tsr_i64_to_f64_odd"}(${x}))`;
  }
  return `(${cValue(t)})${paren(x)}`; // int → int wraps
}

function intHelper(name: string, d: DType, a: string, b: string): string {
  const bits = bitsOf(d) > 32 ? 64 : 32;
  const wide = bits === 64 ? "int64_t" : "int32_t";
  const call = `__tsr_${name}_i${bits}(${a}, ${b})`;
  return cValue(d) === wide ? call : `(${cValue(d)})${call}`;
}

function intBinary(ctx: CContext, op: BinaryOp, d: DType, a: string, b: string): string {
  const t = cValue(d);
  const unsigned = isUInt(d);
  switch (op) {
    case "add":
    case "sub":
    case "mul": {
      // Wraps: kernels compile with -fwrapv; narrower types compute in int and convert back.
      const e = `${paren(a)} ${ARITH[op]} ${paren(b)}`;
      return bitsOf(d) >= 32 ? e : `(${t})(${e})`;
    }
    case "div":
    case "mod":
    case "floordiv":
    case "floormod": {
      const c = op === "div" || op === "floordiv" ? "/" : "%";
      if (unsigned || isBool(d)) {
        // uint8/16 promote to int (non-negative); uint32/64 divide unsigned
        return `(${t})(${paren(a)} ${c} ${paren(b)})`;
      }
      return intHelper(op, d, a, b);
    }
    case "min":
    case "max":
      return `__builtin_elementwise_${op}((${t})${paren(a)}, (${t})${paren(b)})`;
  }
  return unreachable(ctx, op, d);
}

function floatBinary(ctx: CContext, op: BinaryOp, d: DType, a: string, b: string): string {
  const e = elementOf(d);
  const f64 = e === "float64";
  switch (op) {
    case "add":
    case "sub":
    case "mul":
    case "div":
      return roundTo(e, `${paren(a)} ${ARITH[op]} ${paren(b)}`);
    case "mod":
      return fromDouble(e, `${ctx.hostImport("tsr_fmod")}(${a}, ${b})`);
    case "floordiv":
      return fromDouble(e, `__builtin_floor((double)${paren(a)} / (double)${paren(b)})`);
    case "floormod":
      return fromDouble(e, `__tsr_floormod_f64(${a}, ${b})`);
    case "min":
    case "max":
      return `__builtin_wasm_${op}_${f64 ? "f64" : "f32"}(${a}, ${b})`;
  }
  return unreachable(ctx, op, d);
}

function unreachable(ctx: CContext, op: string, d: DType): never {
  throw new InternalError(`no C for "${op}" on ${d} in function "${ctx.func}"`);
}

/**
 * `a op b` on scalars of dtype `d` (the operands' dtype; comparisons give bool).
 *
 * @example
 * ```ts
 * import { CContext } from "./c_context.ts";
 * import { scalarBinary } from "./c_scalar.ts";
 * const s = scalarBinary(new CContext("f"), "add", "int8", "a", "b");
 * console.assert(s === "(int8_t)(a + b)");
 * ```
 */
export function scalarBinary(
  ctx: CContext,
  op: BinaryOp,
  d: DType,
  a: string,
  b: string,
): string {
  const cmp = COMPARE[op];
  if (cmp) return `(uint8_t)(${paren(a)} ${cmp} ${paren(b)})`;
  if (op === "and") return `(uint8_t)(${paren(a)} && ${paren(b)})`;
  if (op === "or") return `(uint8_t)(${paren(a)} || ${paren(b)})`;
  return isFloat(d) ? floatBinary(ctx, op, d, a, b) : intBinary(ctx, op, d, a, b);
}

/** Unary math ops computed by the host in double (`env.tsr_<op>`, host_math.ts). */
const HOST_UNARY = new Set(["exp", "exp2", "log", "log2", "tanh", "sigmoid", "erf", "sin", "cos"]);

/** The double-typed C of math op `op` on double-typed arguments. */
function doubleCall(ctx: CContext, op: string, args: readonly string[], f64: boolean): string {
  const [x, y, z] = args;
  if (HOST_UNARY.has(op)) return `${ctx.hostImport(`tsr_${op}`)}(${x})`;
  switch (op) {
    case "sqrt":
    case "floor":
    case "ceil":
    case "trunc":
      return `__builtin_${op}(${x})`;
    case "abs":
      return `__builtin_fabs(${x})`;
    case "rsqrt":
      return `1.0 / __builtin_sqrt(${x})`;
    case "round":
      return `__tsr_round_f64(${x})`;
    case "pow":
      return `${ctx.hostImport("tsr_pow")}(${x}, ${y})`;
    case "fma":
      // float64: the exact fused result (host); narrower: rounded to odd in double (inline), so
      // one more rounding is exact
      return f64
        ? `${ctx.hostImport("tsr_fma")}(${x}, ${y}, ${z})`
        : `__tsr_fma_odd(${x}, ${y}, ${z})`;
  }
  return unreachable(ctx, op, "float64");
}

function floatCall(
  ctx: CContext,
  op: string,
  arg: DType,
  result: DType,
  args: readonly string[],
): string {
  if (op === "isnan") return castScalar("bool", result, `(uint8_t)__builtin_isnan(${args[0]})`);
  if (op === "isinf") return castScalar("bool", result, `(uint8_t)__builtin_isinf(${args[0]})`);
  if (elementOf(arg) === elementOf(result) && arg !== "float64") {
    const x = args[0];
    switch (op) {
      case "abs":
      case "floor":
      case "ceil":
      case "trunc":
        return `__builtin_${op === "abs" ? "fabs" : op}f(${x})`; // exact for float16/bfloat16 too
      case "sqrt":
        return roundTo(arg, `__builtin_sqrtf(${x})`); // √ in float32 then to 16 bits is exact
    }
  }
  if (arg === "float32" && result === "float32") {
    const fast = inlineF32Math(ctx, op, 1, args[0]);
    if (fast !== undefined) return fast;
  }
  const f64 = elementOf(arg) === "float64";
  const dargs = args.map((a) => (f64 ? a : `(double)${paren(a)}`));
  return fromDouble(result, doubleCall(ctx, op, dargs, f64));
}

function intCall(
  ctx: CContext,
  op: string,
  arg: DType,
  result: DType,
  args: readonly string[],
): string {
  if (op === "isnan" || op === "isinf") return cLiteral(0, result);
  if (elementOf(arg) === elementOf(result)) {
    const x = args[0];
    const t = cValue(arg);
    switch (op) {
      case "floor":
      case "ceil":
      case "round":
      case "trunc":
        return x;
      case "abs": {
        if (isUInt(arg) || isBool(arg)) return x;
        const v = ctx.fresh("a");
        const u = cWrap(arg);
        return `({ ${t} ${v} = ${x}; (${t})(${v} < 0 ? (${u})0 - (${u})${v} : (${u})${v}); })`;
      }
      case "fma":
        if (isBool(arg)) return `(uint8_t)((${paren(x)} & ${paren(args[1])}) | ${paren(args[2])})`;
        return scalarBinary(ctx, "add", arg, scalarBinary(ctx, "mul", arg, x, args[1]), args[2]);
    }
  }
  const dargs = args.map((a) => castScalar(arg, "float64", a));
  return fromDouble(result, doubleCall(ctx, op, dargs, true));
}

/**
 * A math call (`CALL_OPS`) on scalars: computed in double and rounded once to `result`, exactly
 * as the interpreter does; exact operations use wasm instructions directly.
 */
export function scalarCall(
  ctx: CContext,
  op: string,
  arg: DType,
  result: DType,
  args: readonly string[],
): string {
  return isFloat(arg)
    ? floatCall(ctx, op, elementOf(arg), elementOf(result), args)
    : intCall(ctx, op, elementOf(arg), elementOf(result), args);
}
