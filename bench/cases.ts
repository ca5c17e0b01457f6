/**
 * The benchmark cases: fp32 matmul at three sizes and as a GEMV (`1×4096 · 4096×4096`, bound by
 * memory), one ResNet-style 3×3 convolution and the wasm SIMD ceiling. Each case has a stable id (used by `--filter` and in the JSON), its FLOP count
 * and deterministic inputs in the canonical layouts every impl starts from.
 *
 * Canonical layouts: matmul `A[m,k] · B[k,n] → C[m,n]`; conv2d `X[n,c,h,w]` (NCHW) and
 * `W[o,c,r,s]` (OIHW) `→ Y[n,o,oh,ow]`. Peers with other layouts convert outside the timed loop.
 *
 * @module
 */
import { rng } from "../ir/ndarray.ts";
import type { ModelBenchCase } from "./models.ts";

/** `C[m,n] = Σ_k A[m,k]·B[k,n]`. */
export interface MatmulCase {
  /** Case id, e.g. `matmul_f32_512`. */
  readonly id: string;
  /** Discriminant. */
  readonly kind: "matmul";
  /** Rows of A and C. */
  readonly m: number;
  /** Columns of B and C. */
  readonly n: number;
  /** Reduction length. */
  readonly k: number;
  /**
   * `"int8"`: int8 operands, int32 result (inputs are integers in [−128, 127], held as floats;
   * only impls with int8 kernels run it, see `INT8_IMPLS` in main.ts). Default float32.
   */
  readonly dtype?: "int8";
  /**
   * int8 only: every element of `B` lies in this range, declared to the compiler
   * (`placeholder(..., { range })`) and kept by the inputs — `[0, 127]` is the 7-bit activation
   * range ("reduce_range") where the relaxed int8 dot is exact (`cpu.mma_u7i8`).
   */
  readonly bRange?: readonly [number, number];
}

/** `Y[b,o,y,x] = Σ_{c,r,s} X[b,c,y·stride+r−pad, x·stride+s−pad]·W[o,c,r,s]` (zero padding). */
export interface Conv2dCase {
  /** Case id, e.g. `conv2d_f32_1x64x56x56_k3`. */
  readonly id: string;
  /** Discriminant. */
  readonly kind: "conv2d";
  /** Batch. */
  readonly batch: number;
  /** Input channels. */
  readonly inC: number;
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Output channels. */
  readonly outC: number;
  /** Kernel height and width. */
  readonly kernel: number;
  /** Zero padding on each side. */
  readonly pad: number;
  /** Stride in both directions. */
  readonly stride: number;
}

/** A register-only f32x4 multiply-add loop: the machine's wasm SIMD ceiling. */
export interface PeakCase {
  /** Case id: `wasm_peak_f32`. */
  readonly id: string;
  /** Discriminant. */
  readonly kind: "peak";
  /** Floating-point operations per call; each kernel sets its trip count to do this many. */
  readonly flops: number;
}

/** Any benchmark case. */
export type BenchCase = MatmulCase | Conv2dCase | PeakCase | ModelBenchCase;

/** Output height or width of a convolution. @example `convOut(56, 3, 1, 1) === 56` */
export function convOut(size: number, kernel: number, pad: number, stride: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/**
 * Floating-point operations of one run (a multiply-add counts 2).
 *
 * @example
 * ```ts
 * import { caseFlops, matmulCase } from "./cases.ts";
 * console.assert(caseFlops(matmulCase(256)) === 2 * 256 ** 3);
 * ```
 */
export function caseFlops(c: BenchCase): number {
  switch (c.kind) {
    case "matmul":
      return 2 * c.m * c.n * c.k;
    case "conv2d": {
      const oh = convOut(c.h, c.kernel, c.pad, c.stride);
      const ow = convOut(c.w, c.kernel, c.pad, c.stride);
      return 2 * c.batch * c.outC * oh * ow * c.inC * c.kernel * c.kernel;
    }
    case "peak":
    case "model":
      return c.flops;
  }
}

/**
 * An fp32 matmul case `[m,k]·[k,n]`: id `matmul_f32_<size>` when square, else `matmul_f32_<m>x<k>x<n>`.
 *
 * @example
 * ```ts
 * import { matmulCase } from "./cases.ts";
 * console.assert(matmulCase(512).id === "matmul_f32_512");
 * console.assert(matmulCase(1, 4096, 4096).id === "matmul_f32_1x4096x4096");
 * ```
 */
export function matmulCase(m: number, k: number = m, n: number = m): MatmulCase {
  const id = m === k && k === n ? `matmul_f32_${m}` : `matmul_f32_${m}x${k}x${n}`;
  return { id, kind: "matmul", m, n, k };
}

/** GEMV: one row times a 4096×4096 matrix (64 MiB of weights streamed per run). */
export const GEMV_4096: MatmulCase = matmulCase(1, 4096, 4096);

/** The 3×3, 64→64 channel, 56×56 convolution of ResNet's first stage (pad 1, stride 1). */
export const CONV_RESNET: Conv2dCase = {
  id: "conv2d_f32_1x64x56x56_k3",
  kind: "conv2d",
  batch: 1,
  inC: 64,
  h: 56,
  w: 56,
  outC: 64,
  kernel: 3,
  pad: 1,
  stride: 1,
};

/** The SIMD ceiling case: 96 × 2²⁰ ≈ 101 MFLOP per call (about 2 ms at the ceiling). */
export const WASM_PEAK: PeakCase = { id: "wasm_peak_f32", kind: "peak", flops: 96 * 2 ** 20 };

/** int8 matmul 1024 (int32 result), timed beside `matmul_f32_1024` for the int8-over-fp32 ratio. */
export const MATMUL_I8_1024: MatmulCase = {
  id: "matmul_i8_1024",
  kind: "matmul",
  m: 1024,
  n: 1024,
  k: 1024,
  dtype: "int8",
};

/**
 * int8 × uint7 matmul 1024: `A` int8 over its full range, `B` declared and drawn in [0, 127], so
 * the cpu runs it through the relaxed dot (`cpu.mma_u7i8`); beside `matmul_i8_1024` (exact
 * widening kernel) for the int8-over-fp32 ratios.
 */
export const MATMUL_U7I8_1024: MatmulCase = {
  ...MATMUL_I8_1024,
  id: "matmul_u7i8_1024",
  bRange: [0, 127],
};

/** Every case of `deno task bench`, in table order. */
export const CASES: readonly BenchCase[] = [
  matmulCase(256),
  matmulCase(512),
  matmulCase(1024),
  MATMUL_I8_1024,
  MATMUL_U7I8_1024,
  GEMV_4096,
  CONV_RESNET,
  WASM_PEAK,
];

/** Shapes of a case's inputs in the canonical layouts (none for the peak case). */
export function inputShapes(c: BenchCase): number[][] {
  switch (c.kind) {
    case "matmul":
      return [[c.m, c.k], [c.k, c.n]];
    case "conv2d":
      return [[c.batch, c.inC, c.h, c.w], [c.outC, c.inC, c.kernel, c.kernel]];
    case "peak":
      return [];
    case "model":
      return [c.inputShape];
  }
}

/** Shape of a case's output in the canonical layout (none for the peak case). */
export function outputShape(c: BenchCase): number[] {
  switch (c.kind) {
    case "matmul":
      return [c.m, c.n];
    case "conv2d":
      return [
        c.batch,
        c.outC,
        convOut(c.h, c.kernel, c.pad, c.stride),
        convOut(c.w, c.kernel, c.pad, c.stride),
      ];
    case "peak":
      return [];
    case "model":
      return c.outputShape;
  }
}

/**
 * Deterministic inputs, uniform in [−1, 1) (int8 cases: integers in [−128, 127], `B` in its
 * `bRange` when given), in the canonical layouts.
 *
 * @example
 * ```ts
 * import { caseInputs, matmulCase } from "./cases.ts";
 * const [a, b] = caseInputs(matmulCase(4), 1);
 * console.assert(a.length === 16 && b.length === 16);
 * ```
 */
export function caseInputs(c: BenchCase, seed = 1): Float32Array[] {
  return inputShapes(c).map((shape, i) => {
    const r = rng(seed * 7919 + i);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const int8 = c.kind === "matmul" && c.dtype === "int8";
    const [lo, hi] = (c.kind === "matmul" && i === 1 && c.bRange) || [-128, 127];
    for (let j = 0; j < out.length; j++) {
      out[j] = int8 ? lo + Math.floor((hi - lo + 1) * r()) : 2 * r() - 1;
    }
    return out;
  });
}
