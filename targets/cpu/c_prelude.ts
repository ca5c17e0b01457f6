/**
 * The fixed C text every kernel starts with: integer typedefs (no libc headers), bit casts,
 * float16/bfloat16 conversions with round-to-nearest-even, exact conversions from double and
 * int64 (through round-to-odd), and integer division helpers with the semantics of
 * docs/semantics.md. Unused helpers cost nothing: they are `static inline`.
 *
 * Why round-to-odd: rounding x to a p-bit float in two steps can differ from one rounding
 * (double rounding). Rounding first to odd at q ≥ p + 2 bits and then to nearest is exact
 * (Boldo–Melquiond), so double → float16/bfloat16 goes double → float32 (to odd) → 16 bits,
 * and int64 → 16-bit floats goes int64 → double (to odd) → … .
 *
 * @module
 */

/** The C prelude. */
export const C_PRELUDE = `typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
#define TSR_INLINE static inline __attribute__((always_inline))
#define TSR_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

TSR_INLINE uint32_t __tsr_bits_f32(float f) { uint32_t u; __builtin_memcpy(&u, &f, 4); return u; }
TSR_INLINE float __tsr_f32_bits(uint32_t u) { float f; __builtin_memcpy(&f, &u, 4); return f; }

/* float16 bits -> float (exact): scale the shifted bits by 2^112, fix up inf/NaN. */
TSR_INLINE float __tsr_f16_to_f32(uint16_t h) {
  float f = __tsr_f32_bits((uint32_t)(h & 0x7fffu) << 13) * 0x1p112f;
  uint32_t u = __tsr_bits_f32(f);
  if (f >= 65536.0f) u |= 0x7f800000u;
  return __tsr_f32_bits(u | ((uint32_t)(h & 0x8000u) << 16));
}
/* float -> float16 bits, round to nearest even (F. Giesen's float_to_half_fast3_rtne). */
TSR_INLINE uint16_t __tsr_f32_to_f16(float x) {
  uint32_t u = __tsr_bits_f32(x);
  uint32_t sign = u & 0x80000000u;
  uint32_t o;
  u ^= sign;
  if (u >= (143u << 23)) {
    o = u > 0x7f800000u ? 0x7e00u : 0x7c00u;
  } else if (u < (113u << 23)) {
    o = __tsr_bits_f32(__tsr_f32_bits(u) + 0.5f) - 0x3f000000u;
  } else {
    uint32_t odd = (u >> 13) & 1u;
    u += 0xc8000fffu + odd;
    o = u >> 13;
  }
  return (uint16_t)(o | (sign >> 16));
}
TSR_INLINE float __tsr_bf16_to_f32(uint16_t h) { return __tsr_f32_bits((uint32_t)h << 16); }
/* float -> bfloat16 bits, round to nearest even; NaN stays NaN. */
TSR_INLINE uint16_t __tsr_f32_to_bf16(float x) {
  uint32_t b = __tsr_bits_f32(x);
  if (x != x) return (uint16_t)((b >> 16) | 0x40u);
  return (uint16_t)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}
TSR_INLINE float __tsr_round_f16(float x) { return __tsr_f16_to_f32(__tsr_f32_to_f16(x)); }
TSR_INLINE float __tsr_round_bf16(float x) { return __tsr_bf16_to_f32(__tsr_f32_to_bf16(x)); }

/* double -> float rounded to odd (exact when representable; else truncate and set the last bit). */
TSR_INLINE float __tsr_f64_to_f32_odd(double x) {
  float r = (float)x;
  if ((double)r != x && x - x == 0) {
    uint32_t b = __tsr_bits_f32(r);
    if (__builtin_fabs((double)r) > __builtin_fabs(x)) b -= 1u;
    r = __tsr_f32_bits(b | 1u);
  }
  return r;
}
TSR_INLINE float __tsr_f64_to_f16v(double x) { return __tsr_round_f16(__tsr_f64_to_f32_odd(x)); }
TSR_INLINE float __tsr_f64_to_bf16v(double x) { return __tsr_round_bf16(__tsr_f64_to_f32_odd(x)); }
/* 64-bit integers -> double rounded to odd. */
TSR_INLINE double __tsr_u64_to_f64_odd(uint64_t u) {
  if (u < (1ull << 53)) return (double)u;
  int shift = 11 - __builtin_clzll(u);
  uint64_t q = u >> shift;
  if ((q << shift) != u) q |= 1u;
  return (double)q * (double)(1ull << shift);
}
TSR_INLINE double __tsr_i64_to_f64_odd(int64_t x) {
  return x < 0 ? -__tsr_u64_to_f64_odd(0ull - (uint64_t)x) : __tsr_u64_to_f64_odd((uint64_t)x);
}

/* a*b + c for values of float32 or narrower, rounded to odd in double: the product is exact,
   TwoSum gives the sum's error, and an inexact even result steps one ulp toward the exact value.
   Rounding that once more (to float32, or via round-to-odd float32 to 16 bits) is the fused
   result (Boldo-Melquiond); it equals the interpreter's fmaNarrow bit for bit. */
TSR_INLINE double __tsr_fma_odd(double a, double b, double c) {
  double p = a * b, s = p + c, bb = s - p;
  double e = (p - (s - bb)) + (c - bb);
  uint64_t u;
  __builtin_memcpy(&u, &s, 8);
  if (e != 0 && s - s == 0 && (u & 1) == 0) {
    u += ((e > 0) == (s > 0)) ? 1 : (uint64_t)-1;
    __builtin_memcpy(&s, &u, 8);
  }
  return s;
}

/* C round(): half away from zero, -0 kept. */
TSR_INLINE double __tsr_round_f64(double x) {
  double t = __builtin_trunc(x);
  return __builtin_fabs(x - t) >= 0.5 ? t + __builtin_copysign(1.0, x) : t;
}
TSR_INLINE double __tsr_floormod_f64(double x, double y) { return x - __builtin_floor(x / y) * y; }

/* Float -> narrow int: truncate, saturate, NaN -> 0. */
TSR_INLINE int32_t __tsr_sat_f64(double x, int32_t lo, int32_t hi) {
  int32_t v = __builtin_wasm_trunc_saturate_s_i32_f64(x);
  return v < lo ? lo : v > hi ? hi : v;
}

/* Integer division: by zero traps (the division instruction does); MIN / -1 wraps. */
TSR_INLINE int32_t __tsr_div_i32(int32_t a, int32_t b) {
  return b == -1 ? (int32_t)(0u - (uint32_t)a) : a / b;
}
TSR_INLINE int32_t __tsr_mod_i32(int32_t a, int32_t b) { return b == -1 ? 0 : a % b; }
TSR_INLINE int32_t __tsr_floordiv_i32(int32_t a, int32_t b) {
  if (b == -1) return (int32_t)(0u - (uint32_t)a);
  int32_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
TSR_INLINE int32_t __tsr_floormod_i32(int32_t a, int32_t b) {
  if (b == -1) return 0;
  int32_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
TSR_INLINE int64_t __tsr_div_i64(int64_t a, int64_t b) {
  return b == -1 ? (int64_t)(0ull - (uint64_t)a) : a / b;
}
TSR_INLINE int64_t __tsr_mod_i64(int64_t a, int64_t b) { return b == -1 ? 0 : a % b; }
TSR_INLINE int64_t __tsr_floordiv_i64(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0ull - (uint64_t)a);
  int64_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
TSR_INLINE int64_t __tsr_floormod_i64(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
`;

/** Signatures of the host imports a kernel may declare (`env.<name>`). */
export const HOST_IMPORT_DECLS: Readonly<Record<string, string>> = {
  tsr_alloc: "void *tsr_alloc(int32_t bytes, int32_t align)",
  tsr_free: "void tsr_free(void *ptr)",
  tsr_assert_fail: "__attribute__((noreturn)) void tsr_assert_fail(int32_t id)",
  tsr_parallel_for:
    "void tsr_parallel_for(int32_t task, const void *args, int32_t extent, double work)",
  tsr_fmod: "double tsr_fmod(double x, double y)",
  tsr_pow: "double tsr_pow(double x, double y)",
  tsr_fma: "double tsr_fma(double a, double b, double c)",
  tsr_fma_narrow: "double tsr_fma_narrow(double a, double b, double c)",
};

/**
 * The declaration of host import `env.<name>` under the C name `__<name>` (C names of kernel
 * entries are `tsr_<function>`, so internal names must not share that prefix). Unary f64 → f64
 * unless listed above.
 */
export function hostImportDecl(name: string): string {
  const sig = HOST_IMPORT_DECLS[name] ?? `double ${name}(double x)`;
  return `TSR_IMPORT(${name}) ${sig.replace(name, `__${name}`)};`;
}
