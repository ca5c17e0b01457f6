/**
 * The cpu's register-tile micro-kernels, the intrinsics auto-tensorization maps matmul, dense and
 * conv2d onto: `C[m, n] += Σ_k A[m, k] · B[k, n]` on a `4 × 8` output tile held in `local`
 * (registers, once clang has inlined the call into the reduction loop), `A` read in place, `B`
 * packed by auto-tensorization into tiles stored the way the kernel loads them
 * (`operandLayouts`).
 *
 * Two int8 kernels, because the fast int8 instruction is only defined on part of the int8 range:
 *
 * - `cpu.mma_u7i8` (int8 × uint7 → int32, k = 4; `operandRanges: { B: [0, 127] }`): the way
 *   FBGEMM/PyTorch use `pmaddubsw` on x86 without VNNI ("reduce_range": activations quantized to
 *   7 bits). `i32x4.relaxed_dot_i8x16_i7x16_add_s` is exact on every engine when its second
 *   operand is in [0, 127] — x64 V8 lowers it to `pmaddubsw` (second operand read as unsigned,
 *   i16 pair sums saturating — which [0, 127] keeps below 2·128·127 = 32512) + `pmaddwd` with
 *   ones + `paddd`, arm64 to `sdot` (signed) — and implementation-defined otherwise. `B` tiles are
 *   packed `[n][k]` (32 bytes per k-step of 4: byte `4j + q` of half `h` is `B[q, 4h + j]`, two
 *   `v128.load`), `A[i, 0..3]` is broadcast by `v128.load32_splat` from the packed `[m][k]` tile.
 *   The kernel spells the dot as its two halves, `i16x8.relaxed_dot_i8x16_i7x16_s` (one
 *   `pmaddubsw`) and `i32x4.dot_i16x8_s` with a vector of ones kept in a register (one
 *   `pmaddwd`), + `i32x4.add`: V8 (x64, no VNNI) rebuilds the ones for every fused relaxed dot
 *   (`pcmpeqd` + `psrlw`: five instructions instead of three), which measured 1.1× over
 *   `cpu.mma_i8` fused and 1.2–1.7× split (matmul 1024, one thread; 71.7 vs 52.2 GOP/s in one
 *   bench run). 8 accumulators + 2 `B` + 1 `A` + ones + 1 temporary: 13 live `v128`.
 *   Auto-tensorization picks it only where a declared value range proves `B` (or `A`, by the
 *   transposed correspondence) in [0, 127] (`tensorize/auto/ranges.ts`); it comes first in the
 *   cpu's lists, so such blocks use it and every other int8 block falls through to:
 * - `cpu.mma_i8` (int8 × int8 → int32, k = 2): `B` tiles stored column by column (`[n][k]`), so
 *   16 bytes are 8 columns × 2 steps; each half is loaded sign-extended to `i16x8`
 *   (`v128.load8x8_s`) and multiplied with a broadcast pair `(A[i, k], A[i, k+1])` (from the
 *   packed `[m][k]` `A` tile, one more `load8x8_s` and a lane shuffle per row) by
 *   `i32x4.dot_i16x8_s` — **exact for every int8 input**
 *   (products ≤ 2¹⁴, pair sums ≤ 2¹⁵; the int32 accumulation wraps as the description's does).
 *   Full-range int8 through the relaxed dot needs two of them per 16 products (`cpu.dot_i8x4`
 *   does that split), slower than this widening kernel. Measured here (Zen 5, V8 in
 *   Deno 2.9.6, independent chains): 0.70 relaxed dots per cycle (11 int8 MACs/cycle — the
 *   fused lowering, no VNNI) against 1.3 `dot_i16x8_s` + add per cycle (10 MACs per
 *   cycle) and 1.8 `relaxed_madd` per cycle (7 fp32 MACs per cycle).
 * - `cpu.mma_f32` (float32, k = 4): `B` tiles row by row (`[k][n]`, two `f32x4` per step),
 *   `A` broadcast, `f32x4.relaxed_madd` into 8 accumulators when relaxed SIMD is on (fused or
 *   not per engine, as the `fma` of the default schedules; `mul` + `add` otherwise).
 *
 * Eight `v128` accumulators, two of `B` and one of `A` (and the ones of `cpu.mma_u7i8`): within
 * the ~13 registers V8 keeps without spilling (`PERF_NOTES.md`).
 *
 * @module
 */
import { cast, mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation } from "../../sdk/intrinsic_run.ts";
import { accumulating } from "../../tensorize/auto/describe.ts";

/** Rows of the micro-kernels' output tile. */
export const MMA_ROWS = 4;
/** Columns of the micro-kernels' output tile. */
export const MMA_COLS = 8;

/**
 * `C[m, n] += Σ_k acc(A[m, k]) · acc(B[k, n])` with `A`, `B` of `dtype` and `C` of `accDtype`
 * (the casts are left out when they are equal), named `name`.
 *
 * @example
 * ```ts
 * import { mmaDescription } from "./intrinsics_mma.ts";
 * const d = mmaDescription("int8", "int32", 4, 8, 2);
 * console.assert(d.params.length === 3 && d.name === "cpu_mma_i8");
 * ```
 */
export function mmaDescription(
  dtype: "int8" | "float32",
  accDtype: "int32" | "float32",
  m: number,
  n: number,
  k: number,
  name: string = dtype === "int8" ? "cpu_mma_i8" : "cpu_mma_f32",
): PrimFunc {
  const A = placeholder([m, k], dtype, "A");
  const B = placeholder([k, n], dtype, "B");
  const r = reduceAxis(k, "k");
  const up = (e: Parameters<typeof cast>[1]) => (dtype === accDtype ? e : cast(accDtype, e));
  const C = compute(
    [m, n],
    ([i, j]) => sum(mul(up(A.at(i, r)), up(B.at(r, j))), [r]),
    "C",
  );
  return accumulating(createPrimFunc([A, B, C], name));
}

const TYPES = `#ifndef TSRC_MMA_TYPES
#define TSRC_MMA_TYPES
typedef signed char tsrc_m_i8x16 __attribute__((vector_size(16)));
typedef unsigned char tsrc_m_u8x16 __attribute__((vector_size(16)));
typedef signed char tsrc_m_i8x8 __attribute__((vector_size(8)));
typedef unsigned char tsrc_m_u8x8 __attribute__((vector_size(8)));
typedef short tsrc_m_i16x8 __attribute__((vector_size(16)));
typedef unsigned short tsrc_m_u16x8 __attribute__((vector_size(16)));
typedef int tsrc_m_i32x4 __attribute__((vector_size(16)));
typedef long long tsrc_m_i64x2 __attribute__((vector_size(16)));
typedef float tsrc_m_f32x4 __attribute__((vector_size(16)));
#endif`;

/** Load/store of the `4 × 8` accumulator tile (`T` = element type, `V` = vector type). */
function accumulatorIO(t: string, v: string): { load: string; store: string } {
  return {
    load: `  ${v} acc[4][2];
  for (int i = 0; i < 4; i++)
    for (int h = 0; h < 2; h++) {
      if (c1 == 1) __builtin_memcpy(&acc[i][h], c + i * c0 + 4 * h, 16);
      else for (int l = 0; l < 4; l++) acc[i][h][l] = c[i * c0 + (4 * h + l) * c1];
    }`,
    store: `  for (int i = 0; i < 4; i++)
    for (int h = 0; h < 2; h++) {
      if (c1 == 1) __builtin_memcpy(c + i * c0 + 4 * h, &acc[i][h], 16);
      else for (int l = 0; l < 4; l++) c[i * c0 + (4 * h + l) * c1] = (${t})acc[i][h][l];
    }`,
  };
}

const I8_IO = accumulatorIO("int", "tsrc_m_i32x4");

/** C of `cpu.mma_i8`: `C[4, 8] += A[4, 2] · B[2, 8]`, int8 → int32, exact (see the module doc). */
export const MMA_I8_C: string = `${TYPES}
static inline __attribute__((always_inline)) void tsrc_mma_i8(
    const signed char* a, int a0, int a1, const signed char* b, int b0, int b1,
    int* c, int c0, int c1) {
  /* byte 2j + k = B[k, j]: columns 0-3, then 4-7 (v128.load8x8_s each) */
  tsrc_m_i8x8 b8lo, b8hi;
  if (b0 == 1 && b1 == 2) {
    __builtin_memcpy(&b8lo, b, 8);
    __builtin_memcpy(&b8hi, b + 8, 8);
  } else {
    for (int q = 0; q < 8; q++) {
      b8lo[q] = b[(q & 1) * b0 + (q >> 1) * b1];
      b8hi[q] = b[(q & 1) * b0 + ((q >> 1) + 4) * b1];
    }
  }
  tsrc_m_i16x8 blo = __builtin_convertvector(b8lo, tsrc_m_i16x8);
  tsrc_m_i16x8 bhi = __builtin_convertvector(b8hi, tsrc_m_i16x8);
${I8_IO.load}
  tsrc_m_i32x4 pairs; /* lane i: (A[i, 0], A[i, 1]) as two int16 */
  if (a0 == 2 && a1 == 1) {
    /* a packed [4][2] tile: 8 bytes, sign-extended at once */
    long long w; __builtin_memcpy(&w, a, 8);
    tsrc_m_i8x16 v = (tsrc_m_i8x16)(tsrc_m_i64x2){w, w};
    pairs = (tsrc_m_i32x4)__builtin_convertvector(
        __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), tsrc_m_i16x8);
  } else {
    for (int i = 0; i < 4; i++)
      pairs[i] = (int)((unsigned short)a[i * a0] | ((unsigned)(int)a[i * a0 + a1] << 16));
  }
  for (int i = 0; i < 4; i++) {
    tsrc_m_i16x8 av = (tsrc_m_i16x8)(tsrc_m_i32x4){pairs[i], pairs[i], pairs[i], pairs[i]};
    acc[i][0] += __builtin_wasm_dot_s_i32x4_i16x8(av, blo);
    acc[i][1] += __builtin_wasm_dot_s_i32x4_i16x8(av, bhi);
  }
${I8_IO.store}
}`;

/** The operand range `cpu.mma_u7i8` requires of `B`: where the relaxed dot is exact everywhere. */
export const U7_RANGE: readonly [number, number] = [0, 127];

/**
 * C of `cpu.mma_u7i8`: `C[4, 8] += A[4, 4] · B[4, 8]`, int8 × uint7 → int32, one
 * `i32x4.relaxed_dot_i8x16_i7x16_add_s` per row and half: lane `j` of half `h` adds
 * `Σ_q A[i, q] · B[q, 4h + j]` — `B` bytes `4j + q` from the packed `[n][k]` tile (32 bytes, two
 * `v128.load`), `A[i, 0..3]` broadcast with `v128.load32_splat` from the packed `[m][k]` tile.
 * Exact only when every `B` element is in [0, 127] (the intrinsic's `operandRanges`); without
 * relaxed SIMD the same sums by the exact widening `i32x4.dot_i16x8_s`.
 */
export const MMA_U7I8_C: string = `${TYPES}
static inline __attribute__((always_inline)) void tsrc_mma_u7i8(
    const signed char* a, int a0, int a1, const signed char* b, int b0, int b1,
    int* c, int c0, int c1) {
  /* half h, byte 4j + q = B[q, 4h + j]: columns 0-3, then 4-7 */
  tsrc_m_i8x16 bv[2];
  if (b0 == 1 && b1 == 4) {
    __builtin_memcpy(&bv[0], b, 16);
    __builtin_memcpy(&bv[1], b + 16, 16);
  } else {
    for (int h = 0; h < 2; h++)
      for (int p = 0; p < 16; p++) bv[h][p] = b[(p & 3) * b0 + (4 * h + (p >> 2)) * b1];
  }
${I8_IO.load}
  const tsrc_m_i16x8 ones = {1, 1, 1, 1, 1, 1, 1, 1};
  for (int i = 0; i < 4; i++) {
    tsrc_m_i8x16 av; /* A[i, 0..3] in every lane */
    if (a1 == 1) {
      int w; __builtin_memcpy(&w, a + i * a0, 4);
      av = (tsrc_m_i8x16)(tsrc_m_i32x4){w, w, w, w};
    } else {
      for (int p = 0; p < 16; p++) av[p] = a[i * a0 + (p & 3) * a1];
    }
    for (int h = 0; h < 2; h++) {
#ifdef __wasm_relaxed_simd__
      /* i16 pair sums (|s| <= 2 * 128 * 127 = 32512: no i16 saturation, B in [0, 127]), widened
         and paired by a dot with ones: what i32x4.relaxed_dot_i8x16_i7x16_add_s computes, but
         x64 V8 without VNNI lowers it to pmaddubsw + pmaddwd (ones in a register) + paddd
         instead of rebuilding the ones for every instruction (see the module doc) */
      tsrc_m_i16x8 pairs = __builtin_wasm_relaxed_dot_i8x16_i7x16_s_i16x8(av, bv[h]);
      acc[i][h] += __builtin_wasm_dot_s_i32x4_i16x8(pairs, ones);
#else
      tsrc_m_i16x8 al = __builtin_convertvector(__builtin_shufflevector(av, av, 0, 1, 2, 3, 4, 5, 6, 7), tsrc_m_i16x8);
      tsrc_m_i16x8 bl = __builtin_convertvector(__builtin_shufflevector(bv[h], bv[h], 0, 1, 2, 3, 4, 5, 6, 7), tsrc_m_i16x8);
      tsrc_m_i16x8 bh = __builtin_convertvector(__builtin_shufflevector(bv[h], bv[h], 8, 9, 10, 11, 12, 13, 14, 15), tsrc_m_i16x8);
      tsrc_m_i32x4 d0 = __builtin_wasm_dot_s_i32x4_i16x8(al, bl);
      tsrc_m_i32x4 d1 = __builtin_wasm_dot_s_i32x4_i16x8(al, bh);
      acc[i][h] += __builtin_shufflevector(d0, d1, 0, 2, 4, 6) + __builtin_shufflevector(d0, d1, 1, 3, 5, 7);
#endif
    }
  }
${I8_IO.store}
}`;

const F32_IO = accumulatorIO("float", "tsrc_m_f32x4");

/** C of `cpu.mma_f32`: `C[4, 8] += A[4, 4] · B[4, 8]` in float32, one `relaxed_madd` per step. */
export const MMA_F32_C: string = `${TYPES}
static inline __attribute__((always_inline)) void tsrc_mma_f32(
    const float* a, int a0, int a1, const float* b, int b0, int b1,
    float* c, int c0, int c1) {
${F32_IO.load}
  for (int k = 0; k < 4; k++) {
    tsrc_m_f32x4 bv[2];
    for (int h = 0; h < 2; h++) {
      if (b1 == 1) __builtin_memcpy(&bv[h], b + k * b0 + 4 * h, 16);
      else for (int l = 0; l < 4; l++) bv[h][l] = b[k * b0 + (4 * h + l) * b1];
    }
    for (int i = 0; i < 4; i++) {
      float s = a[i * a0 + k * a1];
      tsrc_m_f32x4 av = {s, s, s, s};
      for (int h = 0; h < 2; h++) {
#ifdef __wasm_relaxed_simd__
        acc[i][h] = __builtin_wasm_relaxed_madd_f32x4(av, bv[h], acc[i][h]);
#else
        acc[i][h] = acc[i][h] + av * bv[h];
#endif
      }
    }
  }
${F32_IO.store}
}`;

/**
 * The micro-kernel intrinsics, in the order auto-tensorization tries them: `cpu.mma_u7i8` (only
 * where `B` is declared in [0, 127]), `cpu.mma_i8` (any int8) and `cpu.mma_f32` (accumulators in
 * `local`, `B` packed column- or row-wise per tile).
 *
 * @example
 * ```ts
 * import { mmaIntrinsics } from "./intrinsics_mma.ts";
 * const names = mmaIntrinsics().map((x) => x.name).join();
 * console.assert(names === "cpu.mma_u7i8,cpu.mma_i8,cpu.mma_f32");
 * ```
 */
export function mmaIntrinsics(): Intrinsic<CIntrinsicImplementation>[] {
  return [
    defineIntrinsic<CIntrinsicImplementation>({
      name: "cpu.mma_u7i8",
      description: mmaDescription("int8", "int32", MMA_ROWS, MMA_COLS, 4, "cpu_mma_u7i8"),
      implementation: { kind: "c", symbol: "tsrc_mma_u7i8", source: MMA_U7I8_C },
      operandScopes: { A: "global", B: "global", C: "local" },
      operandLayouts: { A: [0, 1], B: [1, 0] },
      operandRanges: { B: U7_RANGE },
      cost: { cycles: 8 },
    }),
    defineIntrinsic<CIntrinsicImplementation>({
      name: "cpu.mma_i8",
      description: mmaDescription("int8", "int32", MMA_ROWS, MMA_COLS, 2),
      implementation: { kind: "c", symbol: "tsrc_mma_i8", source: MMA_I8_C },
      operandScopes: { A: "global", B: "global", C: "local" },
      operandLayouts: { A: [0, 1], B: [1, 0] },
      cost: { cycles: 8 },
    }),
    defineIntrinsic<CIntrinsicImplementation>({
      name: "cpu.mma_f32",
      description: mmaDescription("float32", "float32", MMA_ROWS, MMA_COLS, 4),
      implementation: { kind: "c", symbol: "tsrc_mma_f32", source: MMA_F32_C },
      operandScopes: { A: "global", B: "global", C: "local" },
      operandLayouts: { B: [0, 1] },
      cost: { cycles: 16 },
    }),
  ];
}
