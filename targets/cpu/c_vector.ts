/**
 * Vector C for operators, conversions and math calls on clang `ext_vector_type` values, which
 * clang lowers to wasm SIMD128 (`f32x4.add`, `i8x16.add`, …; wider vectors split into v128s).
 * Each function returns `undefined` when no whole-vector form has the exact semantics; the
 * caller then computes lane by lane with the scalar rules (c_scalar.ts).
 *
 * | op                 | whole-vector form                                                 |
 * | ------------------ | ----------------------------------------------------------------- |
 * | float + − × ÷      | `a op b` (float16/bfloat16: then rounded lane by lane)            |
 * | int + − ×          | in the unsigned vector type of the same width (wraps, no UB)      |
 * | min max            | `__builtin_elementwise_minimum/maximum` (floats: f32x4.min, NaN propagates), `_min/_max` (ints) |
 * | comparisons        | `a op b` gives a −1/0 mask of the operands' width; as bool: 0/1 bytes |
 * | and or not         | `&`, `|`, `^ 1` on 0/1 bytes                                      |
 * | casts              | `__builtin_convertvector` where LLVM's conversion is the exact rule (int↔int, int→float, float↔float) |
 * | abs floor ceil trunc sqrt | `__builtin_elementwise_*`                                  |
 * | fma                | float32: `relaxed_madd` (option relaxedSimd) or exact in f64x2 (c_fma.ts) |
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
  lanesOf,
} from "../../ir/dtype.ts";
import type { BinaryOp } from "../../ir/expr.ts";
import type { CContext } from "./c_context.ts";
import { vectorFma } from "./c_fma.ts";
import { inlineF32Math } from "./c_math.ts";
import { halfRound } from "./c_half.ts";
import { compareOp } from "./c_scalar.ts";
import { cShort, cVector, isHalf, paren, valueBytes, vecName } from "./c_types.ts";

/** The vector type name of `d`'s value type, made sure to be declared. */
export function vtype(ctx: CContext, d: DType): string {
  return ctx.vec(cVector(d));
}

/** Name of the signed-int mask vector with lanes of `bytes` bytes. */
export function maskType(ctx: CContext, bytes: number, lanes: number): string {
  return ctx.vec(vecName(`i${bytes * 8}`, lanes));
}

/** A −1/0 mask vector of any width as a bool vector (0/1 bytes). */
export function maskToBool(ctx: CContext, mask: string, lanes: number): string {
  return `__builtin_convertvector(-${paren(mask)}, ${ctx.vec(vecName("u8", lanes))})`;
}

/** float16/bfloat16 lanes rounded back to their dtype (identity for other dtypes). */
export function roundVector(ctx: CContext, d: DType, x: string): string {
  return isHalf(d) ? `${halfRound(ctx, d, lanesOf(d))}(${x})` : x;
}

/** `a op b` on vectors of dtype `d` (the operands' dtype), or undefined for lane-by-lane. */
export function vectorBinary(
  ctx: CContext,
  op: BinaryOp,
  d: DType,
  a: string,
  b: string,
): string | undefined {
  const n = lanesOf(d);
  const cmp = compareOp(op);
  if (cmp) return maskToBool(ctx, `${paren(a)} ${cmp} ${paren(b)}`, n);
  if (op === "and") return `${paren(a)} & ${paren(b)}`;
  if (op === "or") return `${paren(a)} | ${paren(b)}`;
  if (op === "min" || op === "max") {
    const fn = isFloat(d) ? (op === "min" ? "minimum" : "maximum") : op;
    return `__builtin_elementwise_${fn}(${a}, ${b})`;
  }
  const sym = { add: "+", sub: "-", mul: "*", div: "/" }[op as string];
  if (!sym) return undefined;
  if (isFloat(d)) return roundVector(ctx, d, `${paren(a)} ${sym} ${paren(b)}`);
  if (op === "div") return undefined;
  return `${paren(a)} ${sym} ${paren(b)}`; // wraps: compiled with -fwrapv
}

/** `x` of vector dtype `from` converted to vector dtype `to`, or undefined for lane-by-lane. */
export function vectorCast(ctx: CContext, from: DType, to: DType, x: string): string | undefined {
  const f = elementOf(from);
  const t = elementOf(to);
  const n = lanesOf(to);
  if (f === t) return x;
  if (isBool(t)) return maskToBool(ctx, `${paren(x)} != 0`, n);
  const conv = `__builtin_convertvector(${x}, ${vtype(ctx, to)})`;
  if (isBool(f)) return conv; // 0/1 are exact in every dtype
  if (isHalf(t)) {
    // float16/bfloat16 from float32 values: round lane by lane; others need care (lane by lane)
    return f === "float32" || isHalf(f) ? roundVector(ctx, to, x) : undefined;
  }
  if (isFloat(f)) {
    if (!isFloat(t)) {
      if (cShort(from) === "f32" && t === "int32" && n === 4) {
        return `(${vtype(ctx, to)})__builtin_wasm_trunc_saturate_s_i32x4_f32x4(${x})`;
      }
      return bitsOf(t) <= 32 ? `${floatToIntVector(ctx, from, to)}(${x})` : undefined;
    }
    return cShort(from) === cShort(to) ? x : conv; // float ↔ double round to nearest even
  }
  return conv; // int → int wraps; int → float32/64 rounds once to nearest even
}

/**
 * Float lanes → integers of at most 32 bits, truncating and saturating (NaN → 0): NaN lanes
 * become 0, the rest are clamped to the largest range of floats that convert exactly, converted
 * (truncating), and lanes at or above 2^bits saturate to the maximum. Returns the helper's name.
 */
function floatToIntVector(ctx: CContext, from: DType, to: DType): string {
  const n = lanesOf(to);
  const src = cShort(from); // f32 (also float16/bfloat16 values) or f64
  const name = `__tsr_fti_${src}_${cShort(to)}_x${n}`;
  return ctx.helper(name, () => {
    const v = vtype(ctx, from);
    const r = vtype(ctx, to);
    const [lo, hi] = intRange(to);
    const signed = lo < 0;
    // 32-bit limits are not float32 values: clamp to the largest float below, fix up above
    const wide = src === "f32" && bitsOf(to) === 32;
    const top = wide ? (signed ? 2 ** 31 - 128 : 2 ** 32 - 256) : hi;
    const lit = (k: number) => (src === "f32" ? `${k}.0f` : `${k}.0`);
    const lines = [
      `static inline ${r} ${name}(${v} x) {`,
      `  ${v} y = (x != x) ? (${v})0 : x;`,
      `  y = __builtin_elementwise_maximum(y, (${v})${lit(lo)});`,
      `  y = __builtin_elementwise_minimum(y, (${v})${lit(top)});`,
      `  ${r} out = __builtin_convertvector(y, ${r});`,
    ];
    if (wide) {
      lines.push(`  out = (x >= (${v})${lit(signed ? 2 ** 31 : 2 ** 32)}) ? (${r})${hi}u : out;`);
    }
    lines.push("  return out;", "}");
    return lines.join("\n");
  });
}

/** Math call `op` on a vector of dtype `d` giving dtype `d`, or undefined for lane-by-lane. */
export function vectorCall(
  ctx: CContext,
  op: string,
  d: DType,
  result: DType,
  args: readonly string[],
): string | undefined {
  if (!isFloat(d) || elementOf(d) !== elementOf(result)) return undefined;
  switch (op) {
    case "fma":
      return vectorFma(ctx, d, args); // relaxed_madd or exactly fused (c_fma.ts)
    case "abs":
    case "floor":
    case "ceil":
    case "trunc":
      return `__builtin_elementwise_${op}(${args[0]})`; // exact, also for 16-bit floats
    case "sqrt":
      return isHalf(d) ? undefined : `__builtin_elementwise_sqrt(${args[0]})`;
  }
  // exp, erf, tanh, sigmoid: inline float32 approximations (c_math.ts)
  return cShort(d) === "f32" && !isHalf(d)
    ? inlineF32Math(ctx, op, lanesOf(d), args[0])
    : undefined;
}

/** Byte width of the value lanes of `d` (the width a select mask must have). */
export function laneBytes(d: DType): number {
  return valueBytes(d);
}
