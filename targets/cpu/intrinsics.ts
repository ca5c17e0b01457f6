/**
 * The cpu target's intrinsics, defined with the public SDK (`defineIntrinsic`) and the DSL; each
 * implementation is a C function in the `CIntrinsicImplementation` convention (a pointer to the
 * tile's origin, then one element stride per dimension), pasted into kernels that use it.
 *
 * - `cpu.dot_i8x4`: `C[j] += Σ_k i32(A[k]) · i32(B[j, k])`, j, k < 4 — four int8 dot products of
 *   length 4 into int32 lanes, the shape of `i32x4.relaxed_dot_i8x16_i7x16_add_s`.
 *   **Exactness.** That instruction is only deterministic when its second operand is in
 *   [0, 127] (i7): V8 on x86 lowers it to `pmaddubsw` (or AVX-VNNI `vpdpbusd`), which reads the
 *   second operand as *unsigned* bytes (and `pmaddubsw` saturates 16-bit pair sums), while arm64
 *   `sdot` reads it as signed. With both in i7 range every engine agrees, and a pair sum is at
 *   most 2·128·127 = 32512 < 2¹⁵, so no saturation. We therefore split the signed weight byte
 *   `b = (b & 0x7f) − 128·(b >>> 7)`: both parts are in [0, 127], and
 *   `dot(a, b) + c = relaxed_dot(a, b & 0x7f, c) − (relaxed_dot(a, b >>> 7, 0) << 7)` is exact
 *   for every int8 `a` and `b` on every engine (int32 wrap-around matches the description's
 *   int32 arithmetic). Without relaxed SIMD the same function uses the exact widening path
 *   `i32x4.dot_i16x8_s` on sign-extended halves.
 * - `cpu.mma_u7i8`, `cpu.mma_i8`, `cpu.mma_f32`: the register-tile micro-kernels
 *   (`intrinsics_mma.ts`), which auto-tensorization prefers; `cpu.mma_u7i8` uses the relaxed dot
 *   directly, with its precondition (`B` in [0, 127]) stated as `operandRanges`.
 *
 * @module
 */
import { cast, mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation } from "../../sdk/intrinsic_run.ts";
import { accumulating } from "../../tensorize/auto/describe.ts";
import { mmaIntrinsics } from "./intrinsics_mma.ts";

/**
 * `C[j] += Σ_k i32(A[k]) · i32(B[j, k])` with `lanes` outputs and `depth` products each.
 *
 * @example
 * ```ts
 * import { dotI8Description } from "./intrinsics.ts";
 * console.assert(dotI8Description().params.length === 3);
 * ```
 */
export function dotI8Description(lanes = 4, depth = 4): PrimFunc {
  const A = placeholder([depth], "int8", "A");
  const B = placeholder([lanes, depth], "int8", "B");
  const k = reduceAxis(depth, "k");
  const C = compute(
    [lanes],
    ([j]) => sum(mul(cast("int32", A.at(k)), cast("int32", B.at(j, k))), [k]),
    "C",
  );
  return accumulating(createPrimFunc([A, B, C], "cpu_dot_i8x4"));
}

const VECTOR_TYPES = `typedef signed char tsrc_i8x16 __attribute__((vector_size(16)));
typedef unsigned char tsrc_u8x16 __attribute__((vector_size(16)));
typedef short tsrc_i16x8 __attribute__((vector_size(16)));
typedef signed char tsrc_i8x8 __attribute__((vector_size(8)));
typedef int tsrc_i32x4 __attribute__((vector_size(16)));`;

/** C of `cpu.dot_i8x4` (see the module doc for why it is exact). */
export const DOT_I8X4_C: string = `#ifndef TSRC_VECTOR_TYPES
#define TSRC_VECTOR_TYPES
${VECTOR_TYPES}
#endif
static inline __attribute__((always_inline)) void tsrc_dot_i8x4(
    const signed char* a, int a0, const signed char* b, int b0, int b1, int* c, int c0) {
  tsrc_i8x16 av, bv;
  if (a0 == 1) {
    int w; __builtin_memcpy(&w, a, 4);
    av = (tsrc_i8x16)((tsrc_i32x4){w, w, w, w});
  } else {
    for (int q = 0; q < 16; q++) av[q] = a[(q & 3) * a0];
  }
  if (b1 == 1 && b0 == 4) {
    __builtin_memcpy(&bv, b, 16);
  } else if (b1 == 1) {
    tsrc_i32x4 w;
    for (int j = 0; j < 4; j++) { int x; __builtin_memcpy(&x, b + j * b0, 4); w[j] = x; }
    bv = (tsrc_i8x16)w;
  } else {
    for (int q = 0; q < 16; q++) bv[q] = b[(q >> 2) * b0 + (q & 3) * b1];
  }
  tsrc_i32x4 cv;
  if (c0 == 1) __builtin_memcpy(&cv, c, 16);
  else for (int j = 0; j < 4; j++) cv[j] = c[j * c0];
#ifdef __wasm_relaxed_simd__
  /* b = (b & 0x7f) - 128 * (b >>> 7): both parts in [0, 127], where every engine is exact */
  tsrc_i8x16 lo = bv & (tsrc_i8x16)(tsrc_u8x16){127,127,127,127,127,127,127,127,127,127,127,127,127,127,127,127};
  tsrc_i8x16 hi = (tsrc_i8x16)((tsrc_u8x16)bv >> 7);
  cv = __builtin_wasm_relaxed_dot_i8x16_i7x16_add_s_i32x4(av, lo, cv);
  tsrc_i32x4 neg = __builtin_wasm_relaxed_dot_i8x16_i7x16_add_s_i32x4(av, hi, (tsrc_i32x4){0, 0, 0, 0});
  typedef unsigned int tsrc_u32x4 __attribute__((vector_size(16)));
  cv = (tsrc_i32x4)((tsrc_u32x4)cv - ((tsrc_u32x4)neg << 7)); /* int32 wrap-around */
#else
  /* exact widening path: i32x4.dot_i16x8_s on sign-extended halves, then pairwise adds */
  tsrc_i16x8 al = __builtin_convertvector(__builtin_shufflevector(av, av, 0, 1, 2, 3, 4, 5, 6, 7), tsrc_i16x8);
  tsrc_i16x8 ah = __builtin_convertvector(__builtin_shufflevector(av, av, 8, 9, 10, 11, 12, 13, 14, 15), tsrc_i16x8);
  tsrc_i16x8 bl = __builtin_convertvector(__builtin_shufflevector(bv, bv, 0, 1, 2, 3, 4, 5, 6, 7), tsrc_i16x8);
  tsrc_i16x8 bh = __builtin_convertvector(__builtin_shufflevector(bv, bv, 8, 9, 10, 11, 12, 13, 14, 15), tsrc_i16x8);
  tsrc_i32x4 d0 = __builtin_wasm_dot_s_i32x4_i16x8(al, bl);
  tsrc_i32x4 d1 = __builtin_wasm_dot_s_i32x4_i16x8(ah, bh);
  cv += __builtin_shufflevector(d0, d1, 0, 2, 4, 6) + __builtin_shufflevector(d0, d1, 1, 3, 5, 7);
#endif
  if (c0 == 1) __builtin_memcpy(c, &cv, 16);
  else for (int j = 0; j < 4; j++) c[j * c0] = cv[j];
}`;

/**
 * The cpu intrinsics, in the order auto-tensorization tries them: the register-tile
 * micro-kernels (`intrinsics_mma.ts`), then the single relaxed dot `cpu.dot_i8x4`. Every C
 * function takes any strides.
 *
 * @example
 * ```ts
 * import { cpuIntrinsics } from "./intrinsics.ts";
 * const names = cpuIntrinsics().map((x) => x.name).join();
 * console.assert(names === "cpu.mma_u7i8,cpu.mma_i8,cpu.mma_f32,cpu.dot_i8x4");
 * ```
 */
export function cpuIntrinsics(): Intrinsic<CIntrinsicImplementation>[] {
  return [
    ...mmaIntrinsics(),
    defineIntrinsic<CIntrinsicImplementation>({
      name: "cpu.dot_i8x4",
      description: dotI8Description(),
      implementation: { kind: "c", symbol: "tsrc_dot_i8x4", source: DOT_I8X4_C },
      operandScopes: { A: "global", B: "global", C: "global" },
      cost: { cycles: 4 },
    }),
  ];
}
