/**
 * WGSL helper functions the generated code calls: the interpreter's semantics where WGSL's
 * built-ins differ (C `round`, C `pow`, floor division, float→int saturation, NaN tests), the
 * float16/bfloat16 rounding of emulated narrow floats, and `erf`, which WGSL lacks. A kernel's
 * source holds only the helpers it uses (`preludeFor`).
 *
 * @module
 */

/** Helpers by name; each entry is WGSL text defining the function of that name. */
export const HELPERS: Readonly<Record<string, string>> = {
  // f32 → the bits of the nearest binary16 (ties to even; NaN stays NaN; ≥ 65520 → inf).
  tsr_f16bits: `fn tsr_f16bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let s = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return s | 0x7e00u | ((a >> 13u) & 0x3ffu); }
  if (a >= 0x477ff000u) { return s | 0x7c00u; }
  if (a >= 0x38800000u) {
    let r = a - 0x38000000u;
    return s | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
  }
  // below 2^-14: multiples of 2^-24; x * 2^24 is exact, round() ties to even
  return s | u32(round(bitcast<f32>(a) * 16777216.0));
}`,
  // binary16 bits → f32 (exact).
  tsr_f16val: `fn tsr_f16val(h: u32) -> f32 {
  let s = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let v = f32(m) * 5.9604644775390625e-8;
    return select(v, -v, s != 0u);
  }
  if (e == 31u) { return bitcast<f32>(s | 0x7f800000u | (m << 13u)); }
  return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
}`,
  tsr_r16: `fn tsr_r16(x: f32) -> f32 { return tsr_f16val(tsr_f16bits(x)); }`,
  // f32 → bfloat16 bits (ties to even, NaN kept quiet).
  tsr_bf16bits: `fn tsr_bf16bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return (b >> 16u) | 0x40u; }
  return ((b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u) & 0xffffu;
}`,
  tsr_rbf16: `fn tsr_rbf16(x: f32) -> f32 { return bitcast<f32>(tsr_bf16bits(x) << 16u); }`,
  // Truncated remainder on i32 from the quotient: WGSL's % reaches GLSL on some backends (wgpu
  // over OpenGL, e.g. llvmpipe here), where % of negative operands is undefined.
  tsr_mod_i32: `fn tsr_mod_i32(a: i32, b: i32) -> i32 { return a - (a / b) * b; }`,
  // floor division on i32: quotient rounded down, remainder with the divisor's sign.
  tsr_floordiv_i32: `fn tsr_floordiv_i32(a: i32, b: i32) -> i32 {
  let q = a / b;
  let r = a - q * b;
  return select(q, q - 1, (r != 0) && ((r < 0) != (b < 0)));
}`,
  tsr_floormod_i32: `fn tsr_floormod_i32(a: i32, b: i32) -> i32 {
  let r = a - (a / b) * b;
  return select(r, r + b, (r != 0) && ((r < 0) != (b < 0)));
}`,
  // ⌊a/b⌋ corrected when a/b rounded across an integer: the residue a − q·b decides.
  tsr_floordiv_f32: `fn tsr_floordiv_f32(a: f32, b: f32) -> f32 {
  let q = floor(a / b);
  let r = fma(-q, b, a);
  return select(q, q - 1.0, (r != 0.0) && ((r < 0.0) != (b < 0.0)) && (abs(r) < abs(b) * 2.0));
}`,
  tsr_floormod_f32: `fn tsr_floormod_f32(a: f32, b: f32) -> f32 {
  return fma(-tsr_floordiv_f32(a, b), b, a);
}`,
  // C round: half away from zero, -0 kept.
  tsr_round: `fn tsr_round(x: f32) -> f32 {
  let t = trunc(x);
  return select(t, t + sign(x), abs(x - t) >= 0.5);
}`,
  // C pow: pow(1, y) = pow(x, ±0) = 1; negative bases with integral exponents.
  tsr_pow: `fn tsr_pow(x: f32, y: f32) -> f32 {
  if (x == 1.0 || y == 0.0) { return 1.0; }
  if (tsr_isnan(x) || tsr_isnan(y)) { return x + y; }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) {
    r = select(bitcast<f32>(0x7f800000u), 0.0, y > 0.0);
  } else {
    r = exp2(y * log2(ax));
  }
  if (x < 0.0 || (x == 0.0 && bitcast<u32>(x) != 0u)) {
    if (trunc(y) != y) { return bitcast<f32>(0x7fc00000u); }
    if (abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1) { return -r; }
  }
  return r;
}`,
  tsr_isnan:
    `fn tsr_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`,
  tsr_isinf:
    `fn tsr_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`,
  // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7) above 0.5, the Taylor series below.
  tsr_erf: `fn tsr_erf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let z = x * x;
    return x * (1.1283791671 + z * (-0.3761263890 + z * (0.1128379167 + z * (-0.0268661706 + z * (0.0052239776 + z * -0.0008548327)))));
  }
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - p * exp(-a * a));
}`,
  tsr_sigmoid: `fn tsr_sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }`,
  // tanh without the overflow of (e^2x − 1)/(e^2x + 1) for large |x|.
  tsr_tanh: `fn tsr_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 9.0) { return sign(x); }
  if (a < 0.0004) { return x; }
  let e = exp(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}`,
  // float → integer: truncate toward zero, saturate to [lo, hi], NaN → 0 (the interpreter's cast).
  tsr_f2i: `fn tsr_f2i(x: f32, lo: i32, hi: i32) -> i32 {
  if (tsr_isnan(x)) { return 0; }
  if (x <= f32(lo)) { return lo; }
  if (x >= f32(hi)) { return hi; }
  return i32(trunc(x));
}`,
  tsr_f2u: `fn tsr_f2u(x: f32, hi: u32) -> u32 {
  if (tsr_isnan(x) || x <= 0.0) { return 0u; }
  if (x >= f32(hi)) { return hi; }
  return u32(trunc(x));
}`,
};

/** Helpers other helpers call. */
const DEPENDS: Readonly<Record<string, readonly string[]>> = {
  tsr_r16: ["tsr_f16bits", "tsr_f16val"],
  tsr_rbf16: ["tsr_bf16bits"],
  tsr_floormod_f32: ["tsr_floordiv_f32"],
  tsr_pow: ["tsr_isnan"],
  tsr_f2i: ["tsr_isnan"],
  tsr_f2u: ["tsr_isnan"],
};

/**
 * The helper definitions `source` calls (and those they call), in a stable order.
 *
 * @example
 * ```ts
 * import { preludeFor } from "./wgsl_prelude.ts";
 * console.assert(preludeFor("x = tsr_r16(y);").includes("fn tsr_f16bits"));
 * ```
 */
export function preludeFor(source: string): string {
  const need = new Set<string>();
  const add = (name: string): void => {
    if (need.has(name)) return;
    need.add(name);
    for (const d of DEPENDS[name] ?? []) add(d);
  };
  for (const name of Object.keys(HELPERS)) {
    if (new RegExp(`\\b${name}\\(`).test(source)) add(name);
  }
  return Object.keys(HELPERS).filter((n) => need.has(n)).map((n) => HELPERS[n]).join("\n");
}
