/**
 * Inline float32 transcendental functions (exp, erf, tanh, sigmoid) for cpu kernels, on scalars
 * and on `ext_vector_type` vectors alike (one C helper per type, the same formula for every
 * width, so vectorised and tail lanes agree bit for bit). They replace the host import
 * `env.tsr_<op>` (computed in double by the host, one call per lane) for float32 values unless
 * the codegen option `exactMath` is set: a host call costs tens of nanoseconds per lane, these
 * a few nanoseconds per vector.
 *
 * They are not correctly rounded; the conformance tolerance (`conformance/tolerance.ts`,
 * float32: 64 ulps or 1e-5 absolute) allows math calls to differ. Max errors measured
 * against the interpreter (`c_math_test.ts` sweeps them):
 *
 * | op      | formula                                                                 | max error        |
 * | ------- | ----------------------------------------------------------------------- | ---------------- |
 * | exp     | x = n·ln2 + r (Cody–Waite), degree-6 polynomial (Estrin), ·2^n in two steps (subnormals) | 2 ulp |
 * | erf     | x·P(x²)/Q(x²) on [−4, 4] (degrees 13/8 rational, Eigen's), ±1 beyond     | 8 ulp or 1e-7 absolute (measured 6 ulp near ±3.9) |
 * | tanh    | 1 − 2/(e^{2x} + 1) for |x| ≥ 0.625, odd polynomial below; ±1 past 9      | 4 ulp or 1e-7 absolute |
 * | sigmoid | 1 / (1 + e^{−x})                                                        | 4 ulp; results below 1e-37 (x < −85) lose precision but stay within 1e-37 |
 *
 * NaN in gives NaN out; exp(±inf) is inf/0, erf and tanh of ±inf are ±1.
 *
 * @module
 */
import type { CContext } from "./c_context.ts";

/** The ops computed inline for float32. */
export const INLINE_F32_MATH: ReadonlySet<string> = new Set(["exp", "erf", "tanh", "sigmoid"]);

/** The C type names of a float32 value of `lanes` lanes (1: scalar) and its int32 twin. */
function types(ctx: CContext, lanes: number): { f: string; i: string; tag: string } {
  if (lanes === 1) return { f: "float", i: "int32_t", tag: "f32" };
  const f = ctx.vec(`__tsr_f32x${lanes}`);
  const i = ctx.vec(`__tsr_i32x${lanes}`);
  return { f, i, tag: `f32x${lanes}` };
}

/** Bit casts between the float and int32 types (vector casts reinterpret; scalars go by memcpy). */
function casts(lanes: number, t: { f: string; i: string }) {
  return lanes === 1
    ? {
      toBits: (x: string) => `(int32_t)__tsr_bits_f32(${x})`,
      fromBits: (x: string) => `__tsr_f32_bits((uint32_t)(${x}))`,
    }
    : { toBits: (x: string) => `(${t.i})(${x})`, fromBits: (x: string) => `(${t.f})(${x})` };
}

/** C of a select: `c ? a : b` lane by lane (vector conditions are −1/0 masks). */
function sel(c: string, a: string, b: string): string {
  return `((${c}) ? (${a}) : (${b}))`;
}

function expHelper(ctx: CContext, lanes: number): string {
  const t = types(ctx, lanes);
  const { fromBits } = casts(lanes, t);
  const name = `__tsr_exp_${t.tag}`;
  return ctx.helper(name, () => {
    const F = (k: string) => `(${t.f})${k}`;
    const toBits = lanes === 1
      ? (x: string) => `(int32_t)__tsr_bits_f32(${x})`
      : (x: string) => `(${t.i})(${x})`;
    // n = roundeven(y·log2 e) by adding 1.5·2^23 (whose bits 0x4b400000 then hold n in the low
    // bits): the same n as roundeven, without wasm's nearest and trunc_sat (slow in V8); the
    // clamps as compares keep NaN (a min/max would too, at several instructions each).
    return [
      `/* e^x in float32: x = n·ln2 + r, |r| ≤ ln2/2 (ln2 split in two, Cody–Waite), e^r by a`,
      `   degree-6 polynomial (Estrin's scheme: half the dependent steps of Horner's), 2^n`,
      `   applied in two halves so subnormal results come out right;`,
      `   n = roundeven(x·log2 e) by the 1.5·2^23 shifter, its bits give n. */`,
      `static inline ${t.f} ${name}(${t.f} x) {`,
      `  ${t.f} y = x < ${F("-104.0f")} ? ${F("-104.0f")} : x;`,
      `  y = y > ${F("89.0f")} ? ${F("89.0f")} : y;`,
      `  ${t.f} m = y * ${F("1.44269504088896341f")} + ${F("12582912.0f")};`,
      `  ${t.f} n = m - ${F("12582912.0f")};`,
      `  ${t.f} r = y - n * ${F("0.693359375f")};`,
      `  r = r - n * ${F("-2.12194440e-4f")};`,
      `  ${t.f} r2 = r * r;`,
      `  ${t.f} a = ${F("1.6666665459e-1f")} * r + ${F("5.0000001201e-1f")};`,
      `  ${t.f} b = ${F("8.3334519073e-3f")} * r + ${F("4.1665795894e-2f")};`,
      `  ${t.f} c = ${F("1.9875691500e-4f")} * r + ${F("1.3981999507e-3f")};`,
      `  ${t.f} p = (c * (r2 * r2) + b * r2) + a;`,
      `  p = p * r2 + r + ${F("1.0f")};`,
      `  ${t.i} k = ${toBits("m")} - 0x4b400000;`,
      `  ${t.i} h = k >> 1;`,
      `  ${t.f} s1 = ${fromBits(`(h + 127) << 23`)};`,
      `  ${t.f} s2 = ${fromBits(`((k - h) + 127) << 23`)};`,
      `  return p * s1 * s2;`,
      `}`,
    ].join("\n");
  });
}

function erfHelper(ctx: CContext, lanes: number): string {
  const t = types(ctx, lanes);
  const name = `__tsr_erf_${t.tag}`;
  return ctx.helper(name, () => {
    const F = (k: string) => `(${t.f})${k}`;
    return [
      `/* erf in float32: x·P(x²)/Q(x²) on [−4, 4] (Eigen's generic_fast_erf_float), ±1 beyond. */`,
      `static inline ${t.f} ${name}(${t.f} a) {`,
      `  ${t.f} x = __builtin_elementwise_minimum(__builtin_elementwise_maximum(a, ${
        F("-4.0f")
      }), ${F("4.0f")});`,
      `  ${t.f} x2 = x * x;`,
      `  ${t.f} p = x2 * ${F("-2.72614225801306e-10f")} + ${F("2.77068142495902e-08f")};`,
      `  p = x2 * p + ${F("-2.10102402082508e-06f")};`,
      `  p = x2 * p + ${F("-5.69250639462346e-05f")};`,
      `  p = x2 * p + ${F("-7.34990630326855e-04f")};`,
      `  p = x2 * p + ${F("-2.95459980854025e-03f")};`,
      `  p = x2 * p + ${F("-1.60960333262415e-02f")};`,
      `  p = x * p;`,
      `  ${t.f} q = x2 * ${F("-1.45660718464996e-05f")} + ${F("-2.13374055278905e-04f")};`,
      `  q = x2 * q + ${F("-1.68282697438203e-03f")};`,
      `  q = x2 * q + ${F("-7.37332916720468e-03f")};`,
      `  q = x2 * q + ${F("-1.42647390514189e-02f")};`,
      `  return p / q;`,
      `}`,
    ].join("\n");
  });
}

function tanhHelper(ctx: CContext, lanes: number): string {
  const t = types(ctx, lanes);
  const name = `__tsr_tanh_${t.tag}`;
  return ctx.helper(name, () => {
    const F = (k: string) => `(${t.f})${k}`;
    const exp = expHelper(ctx, lanes);
    return [
      `/* tanh in float32: 1 − 2/(e^{2|x|} + 1) with the sign of x for |x| ≥ 0.625; an odd`,
      `   polynomial (Cephes tanhf) below, where the subtraction would cancel. */`,
      `static inline ${t.f} ${name}(${t.f} x) {`,
      `  ${t.f} ax = __builtin_elementwise_abs(x);`,
      `  ${t.f} e = ${exp}(${F("2.0f")} * __builtin_elementwise_minimum(ax, ${F("9.0f")}));`,
      `  ${t.f} big = __builtin_elementwise_copysign(${F("1.0f")} - ${F("2.0f")} / (e + ${
        F("1.0f")
      }), x);`,
      `  ${t.f} z = x * x;`,
      `  ${t.f} p = ${F("-5.70498872745e-3f")};`,
      `  p = p * z + ${F("2.06390887954e-2f")};`,
      `  p = p * z + ${F("-5.37397155531e-2f")};`,
      `  p = p * z + ${F("1.33314422036e-1f")};`,
      `  p = p * z + ${F("-3.33332819422e-1f")};`,
      `  ${t.f} small = x + x * z * p;`,
      `  return ${sel(`ax < ${F("0.625f")}`, "small", "big")};`,
      `}`,
    ].join("\n");
  });
}

function sigmoidHelper(ctx: CContext, lanes: number): string {
  const t = types(ctx, lanes);
  const name = `__tsr_sigmoid_${t.tag}`;
  return ctx.helper(name, () => {
    const exp = expHelper(ctx, lanes);
    return [
      `/* sigmoid in float32: 1 / (1 + e^−x). */`,
      `static inline ${t.f} ${name}(${t.f} x) {`,
      `  return (${t.f})1.0f / ((${t.f})1.0f + ${exp}(-x));`,
      `}`,
    ].join("\n");
  });
}

const HELPERS: Readonly<Record<string, (ctx: CContext, lanes: number) => string>> = {
  exp: expHelper,
  erf: erfHelper,
  tanh: tanhHelper,
  sigmoid: sigmoidHelper,
};

/**
 * The C of float32 math op `op` on `x` (a float or a float32 vector of `lanes` lanes), or
 * undefined when the op is not computed inline (or the codegen option `exactMath` is set).
 *
 * @example
 * ```ts
 * import { CContext } from "./c_context.ts";
 * import { inlineF32Math } from "./c_math.ts";
 * const ctx = new CContext("f");
 * console.assert(inlineF32Math(ctx, "exp", 4, "x") === "__tsr_exp_f32x4(x)");
 * ```
 */
export function inlineF32Math(
  ctx: CContext,
  op: string,
  lanes: number,
  x: string,
): string | undefined {
  if (ctx.options.exactMath === true) return undefined;
  const h = HELPERS[op];
  return h ? `${h(ctx, lanes)}(${x})` : undefined;
}
