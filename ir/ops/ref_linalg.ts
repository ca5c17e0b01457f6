/**
 * Plain-TypeScript references of `matmul`, `batchMatmul` and `dense`: triple loops accumulating in
 * double (exact for integer products of test sizes), stored into the output dtype.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { NDArray } from "../ndarray.ts";
import { broadcastShape, fill, get, roundTo, stridesOf, unravel } from "./ref_util.ts";

/** Attributes of the reference matrix products. */
export interface RefMatmulAttrs {
  /** `a` is stored transposed. */
  readonly transposeA?: boolean;
  /** `b` is stored transposed. */
  readonly transposeB?: boolean;
  /** Accumulator and result dtype. */
  readonly outDtype?: DType;
}

/**
 * Batched product with numpy batch broadcasting (rank 2 operands are one batch).
 *
 * @example
 * ```ts
 * import { refBatchMatmul } from "./ref_linalg.ts";
 * import { ndarray } from "../ndarray.ts";
 * const c = refBatchMatmul(ndarray("float32", [1, 2], [1, 2]), ndarray("float32", [2, 1], [3, 4]));
 * console.assert(c.data[0] === 11);
 * ```
 */
export function refBatchMatmul(a: NDArray, b: NDArray, attrs: RefMatmulAttrs = {}): NDArray {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [M, K] = attrs.transposeA
    ? [a.shape[ra - 1], a.shape[ra - 2]]
    : [a.shape[ra - 2], a.shape[ra - 1]];
  const N = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.shape.slice(0, ra - 2);
  const batchB = b.shape.slice(0, rb - 2);
  const batch = broadcastShape([batchA, batchB]);
  const d = attrs.outDtype ?? a.dtype;
  const sa = stridesOf(a.shape);
  const sb = stridesOf(b.shape);
  const offset = (bs: readonly number[], s: readonly number[], bi: readonly number[]) => {
    let o = 0;
    const skip = bi.length - bs.length;
    bs.forEach((dim, k) => (o += (dim === 1 ? 0 : bi[k + skip]) * s[k]));
    return o;
  };
  const mn = M * N;
  return fill(d, [...batch, M, N], (lin) => {
    const bi = unravel(Math.floor(lin / mn), batch);
    const i = Math.floor((lin % mn) / N);
    const j = lin % N;
    const oa = offset(batchA, sa, bi);
    const ob = offset(batchB, sb, bi);
    let acc = 0;
    for (let k = 0; k < K; k++) {
      const x = get(a, oa + (attrs.transposeA ? k * sa[ra - 2] + i : i * sa[ra - 2] + k));
      const y = get(b, ob + (attrs.transposeB ? j * sb[rb - 2] + k : k * sb[rb - 2] + j));
      acc += roundTo(d, x) * roundTo(d, y);
    }
    return acc;
  });
}

/** 2-D product (`refBatchMatmul` without batch dimensions). @example `refMatmul(a, b)` */
export function refMatmul(a: NDArray, b: NDArray, attrs: RefMatmulAttrs = {}): NDArray {
  return refBatchMatmul(a, b, attrs);
}

/**
 * `x·Wᵀ + bias` with `W` as `[N, K]` and `x` as `[…, K]`.
 *
 * @example
 * ```ts
 * import { refDense } from "./ref_linalg.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refDense(ndarray("float32", [1, 2], [1, 2]), ndarray("float32", [1, 2], [3, 4]));
 * console.assert(y.data[0] === 11);
 * ```
 */
export function refDense(
  x: NDArray,
  w: NDArray,
  bias?: NDArray,
  attrs: { readonly outDtype?: DType } = {},
): NDArray {
  const [N, K] = w.shape;
  const d = attrs.outDtype ?? x.dtype;
  return fill(d, [...x.shape.slice(0, -1), N], (lin) => {
    const r = Math.floor(lin / N);
    const j = lin % N;
    let acc = 0;
    for (let k = 0; k < K; k++) {
      acc += roundTo(d, get(x, r * K + k)) * roundTo(d, get(w, j * K + k));
    }
    // the product is stored (rounded) before the bias is added, as the op's two stages do
    return bias ? roundTo(d, acc) + get(bias, j) : acc;
  });
}
