/**
 * Where a case's reference output comes from. Small cases: `ts-loop`, the plain loops tested
 * against the interpreter. Big cases (matmul 1024, the GEMV) would spend seconds there, so their
 * reference is a fast trusted impl (onnxruntime-node, one thread) — itself checked first at
 * sampled output positions against sums done in fp64 here (`spotError`).
 *
 * Tolerance, both ways: `FP32_RTOL` (1e-4) of the norm-wise `relativeError` (largest absolute
 * difference over the largest reference magnitude). Two correct fp32 kernels differ only in the
 * order of their sums: for K = 4096 and inputs in [−1, 1) that is about 1e-6 in this measure,
 * while a missed or doubled term of the sums is at least about 1e-2.
 *
 * @module
 */
import { rng } from "../ir/ndarray.ts";
import { type BenchCase, caseFlops, convOut, inputShapes, outputShape } from "./cases.ts";

/** Cases with at most this many FLOPs … */
export const LOOP_REF_MAX_FLOPS = 3e8;
/** … and at most this many input bytes are checked against `ts-loop`. */
export const LOOP_REF_MAX_BYTES: number = 16 * 2 ** 20;

/**
 * Whether `ts-loop` is the reference of a case (otherwise the trusted fast impl is, when it runs).
 *
 * @example
 * ```ts
 * import { loopReference } from "./reference.ts";
 * import { GEMV_4096, matmulCase } from "./cases.ts";
 * console.assert(loopReference(matmulCase(512)) && !loopReference(matmulCase(1024)));
 * console.assert(!loopReference(GEMV_4096));
 * ```
 */
export function loopReference(c: BenchCase): boolean {
  const bytes = inputShapes(c).reduce((sum, s) => sum + 4 * s.reduce((a, b) => a * b, 1), 0);
  return caseFlops(c) <= LOOP_REF_MAX_FLOPS && bytes <= LOOP_REF_MAX_BYTES;
}

/**
 * Output element `index` (row-major, canonical layout) of a case, summed in fp64.
 *
 * @example
 * ```ts
 * import { exactAt } from "./reference.ts";
 * import { matmulCase } from "./cases.ts";
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]);
 * console.assert(exactAt(matmulCase(2), [a, b], 3) === 3 * 6 + 4 * 8);
 * ```
 */
export function exactAt(c: BenchCase, inputs: readonly Float32Array[], index: number): number {
  const [x, w] = inputs;
  let sum = 0;
  if (c.kind === "matmul") {
    const i = Math.floor(index / c.n), j = index % c.n;
    for (let p = 0; p < c.k; p++) sum += x[i * c.k + p] * w[p * c.n + j];
    return sum;
  }
  if (c.kind !== "conv2d") return NaN;
  const oh = convOut(c.h, c.kernel, c.pad, c.stride), ow = convOut(c.w, c.kernel, c.pad, c.stride);
  const ox = index % ow, oy = Math.floor(index / ow) % oh;
  const o = Math.floor(index / (ow * oh)) % c.outC, b = Math.floor(index / (ow * oh * c.outC));
  for (let ci = 0; ci < c.inC; ci++) {
    for (let r = 0; r < c.kernel; r++) {
      const iy = oy * c.stride + r - c.pad;
      if (iy < 0 || iy >= c.h) continue;
      for (let s = 0; s < c.kernel; s++) {
        const ix = ox * c.stride + s - c.pad;
        if (ix < 0 || ix >= c.w) continue;
        const xv = x[((b * c.inC + ci) * c.h + iy) * c.w + ix];
        sum += xv * w[((o * c.inC + ci) * c.kernel + r) * c.kernel + s];
      }
    }
  }
  return sum;
}

/**
 * `relativeError` of `got` against fp64 sums at `samples` pseudo-random output positions (plus
 * the first and the last); `Infinity` when `got` has the wrong length.
 *
 * @example
 * ```ts
 * import { spotError } from "./reference.ts";
 * import { matmulCase } from "./cases.ts";
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]);
 * console.assert(spotError(matmulCase(2), [a, b], new Float32Array([19, 22, 43, 50])) === 0);
 * ```
 */
export function spotError(
  c: BenchCase,
  inputs: readonly Float32Array[],
  got: Float32Array,
  samples = 64,
): number {
  const len = outputShape(c).reduce((a, b) => a * b, 1);
  if (got.length !== len) return Infinity;
  const r = rng(len);
  const at = [0, len - 1, ...Array.from({ length: samples }, () => Math.floor(r() * len))];
  let diff = 0, scale = 0;
  for (const i of at) {
    const e = exactAt(c, inputs, i);
    const d = Math.abs(got[i] - e);
    if (Number.isNaN(d)) return NaN;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(e));
  }
  return diff / Math.max(scale, Number.MIN_VALUE);
}
