/**
 * `fma(a, b, c)` on float vectors. The IR's `fma` is exactly fused (docs/semantics.md); plain
 * `a*b + c` is never contracted (`-ffp-contract=off`). So `fma` is the one place a schedule asks
 * for a fused multiply-add, and how it is emitted depends on the codegen option `relaxedSimd`:
 *
 * | lanes                     | relaxedSimd on                       | off                   |
 * | ------------------------- | ------------------------------------ | --------------------- |
 * | float32 × 4k              | `f32x4.relaxed_madd` per 4 lanes     | exact (below)         |
 * | float64 × 2k              | `f64x2.relaxed_madd` per 2 lanes     | lane by lane (exact)  |
 * | other float32             | exact (below)                        | exact (below)         |
 *
 * `relaxed_madd` may round once (a real FMA, what V8 emits on x86 with FMA3 and on arm64) or
 * twice (mul then add), at the engine's choice: results may differ from the interpreter's in
 * the last place, and conformance tolerances of such kernels must allow it (tolerance.ts).
 *
 * The exact form for float32 lanes: the product of two float32 values is exact in double; the
 * sum's error comes from TwoSum; an inexact result with an even last bit moves one ulp toward
 * the exact value (round to odd), and rounding that to float32 is the correctly rounded fused
 * result (Boldo–Melquiond: 53 ≥ 24 + 2 bits) — all in f64x2 SIMD, no host call.
 *
 * @module
 */
import { type DType, elementOf, lanesOf } from "../../ir/dtype.ts";
import type { CContext } from "./c_context.ts";
import { isHalf, vecName } from "./c_types.ts";

/** `__tsr_<op>_f32x<n>` on halves of the lanes down to the width of one v128. */
function relaxedHelper(ctx: CContext, short: "f32" | "f64", lanes: number): string {
  const base = short === "f32" ? 4 : 2;
  const name = `__tsr_madd_${short}x${lanes}`;
  return ctx.helper(name, () => {
    const v = ctx.vec(vecName(short, lanes));
    const body = lanes === base
      ? `  return __builtin_wasm_relaxed_madd_${short}x${base}(a, b, c);`
      : [
        `  ${v} r;`,
        `  r.lo = ${relaxedHelper(ctx, short, lanes / 2)}(a.lo, b.lo, c.lo);`,
        `  r.hi = ${relaxedHelper(ctx, short, lanes / 2)}(a.hi, b.hi, c.hi);`,
        "  return r;",
      ].join("\n");
    return [`TSR_INLINE ${v} ${name}(${v} a, ${v} b, ${v} c) {`, body, "}"].join("\n");
  });
}

function isPow2Multiple(lanes: number, base: number): boolean {
  return lanes % base === 0 && Number.isInteger(Math.log2(lanes / base));
}

/** The exactly fused float32 vector helper (see the module comment). */
function exactHelper(ctx: CContext, lanes: number): string {
  const name = `__tsr_fma_f32x${lanes}`;
  return ctx.helper(name, () => {
    const f = ctx.vec(vecName("f32", lanes));
    const d = ctx.vec(vecName("f64", lanes));
    const i = ctx.vec(vecName("i64", lanes));
    return [
      `TSR_INLINE ${f} ${name}(${f} a, ${f} b, ${f} c) {`,
      `  ${d} p = __builtin_convertvector(a, ${d}) * __builtin_convertvector(b, ${d});`,
      `  ${d} cd = __builtin_convertvector(c, ${d});`,
      `  ${d} s = p + cd;`,
      `  ${d} bb = s - p;`,
      `  ${d} e = (p - (s - bb)) + (cd - bb);`,
      `  ${i} u = (${i})s;`,
      "  /* inexact, finite and even: one ulp toward e (+1 in magnitude when e and s agree) */",
      `  ${i} fix = (e != 0) & (s - s == 0) & ((u & 1) == 0);`,
      `  u += fix & ((((e > 0) == (s > 0)) & 2) - 1);`,
      `  return __builtin_convertvector((${d})u, ${f});`,
      "}",
    ].join("\n");
  });
}

/**
 * C for `fma(a, b, c)` on vectors of dtype `d` (result `d`), or undefined where the caller
 * computes lane by lane with the scalar rule.
 */
export function vectorFma(ctx: CContext, d: DType, args: readonly string[]): string | undefined {
  const e = elementOf(d);
  const lanes = lanesOf(d);
  const relaxed = ctx.options.relaxedSimd === true;
  if (e === "float32" && !isHalf(d)) {
    const f = relaxed && isPow2Multiple(lanes, 4)
      ? relaxedHelper(ctx, "f32", lanes)
      : exactHelper(ctx, lanes);
    return `${f}(${args.join(", ")})`;
  }
  if (e === "float64" && relaxed && isPow2Multiple(lanes, 2)) {
    return `${relaxedHelper(ctx, "f64", lanes)}(${args.join(", ")})`;
  }
  return undefined;
}
