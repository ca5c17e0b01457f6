/**
 * `ts-loop`: the kernels as a careful programmer writes them in plain TypeScript — matmul in
 * i-k-j order (the inner loop streams a row of B and a row of C), convolution as a direct loop
 * nest whose inner loop walks a contiguous output row. It is the baseline every other impl is
 * checked against and compared with.
 *
 * @module
 */
import {
  type BenchCase,
  type Conv2dCase,
  convOut,
  type MatmulCase,
  outputShape,
} from "../cases.ts";
import { InternalError } from "../../ir/errors.ts";
import type { Impl, Prepared } from "./peer.ts";

/**
 * `C = A·B` for row-major `A[m,k]`, `B[k,n]` into `C[m,n]` (overwritten), i-k-j order.
 *
 * @example
 * ```ts
 * import { matmulLoop } from "./ts_loop.ts";
 * const c = new Float32Array(4);
 * matmulLoop(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), c, 2, 2, 2);
 * console.assert(c[0] === 19 && c[3] === 50);
 * ```
 */
export function matmulLoop(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
): void {
  for (let i = 0; i < m; i++) {
    // Row views let V8 drop the index arithmetic and most bounds checks (about 1.5× here).
    const crow = c.subarray(i * n, i * n + n);
    crow.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const brow = b.subarray(p * n, p * n + n);
      for (let j = 0; j < n; j++) crow[j] += aip * brow[j];
    }
  }
}

/**
 * Direct convolution: NCHW input, OIHW weights, NCHW output (overwritten), zero padding.
 * For each weight tap the inner loop runs over the output columns whose input column is in range,
 * so there is no bounds test inside it.
 *
 * @example
 * ```ts
 * import { conv2dLoop } from "./ts_loop.ts";
 * const y = new Float32Array(4);
 * const spec = { batch: 1, inC: 1, h: 2, w: 2, outC: 1, kernel: 1, pad: 0, stride: 1 };
 * conv2dLoop(new Float32Array([1, 2, 3, 4]), new Float32Array([2]), y, spec);
 * console.assert(y[3] === 8);
 * ```
 */
export function conv2dLoop(
  x: Float32Array,
  wt: Float32Array,
  y: Float32Array,
  c: Omit<Conv2dCase, "id" | "kind">,
): void {
  const { batch, inC, h, w, outC, kernel: ks, pad, stride } = c;
  const oh = convOut(h, ks, pad, stride), ow = convOut(w, ks, pad, stride);
  y.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outC; o++) {
      const yo = (b * outC + o) * oh * ow;
      for (let ci = 0; ci < inC; ci++) {
        const xc = (b * inC + ci) * h * w;
        for (let r = 0; r < ks; r++) {
          for (let s = 0; s < ks; s++) {
            const wv = wt[((o * inC + ci) * ks + r) * ks + s];
            // Output columns ox with 0 ≤ ox·stride + s − pad < w.
            const x0 = Math.max(0, Math.ceil((pad - s) / stride));
            const x1 = Math.min(ow, Math.floor((w - 1 + pad - s) / stride) + 1);
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * stride + r - pad;
              if (iy < 0 || iy >= h) continue;
              const yrow = yo + oy * ow, xrow = xc + iy * w + s - pad;
              for (let ox = x0; ox < x1; ox++) y[yrow + ox] += wv * x[xrow + ox * stride];
            }
          }
        }
      }
    }
  }
}

function runner(c: MatmulCase | Conv2dCase, ins: Float32Array[], out: Float32Array): () => void {
  if (c.kind === "matmul") return () => matmulLoop(ins[0], ins[1], out, c.m, c.n, c.k);
  return () => conv2dLoop(ins[0], ins[1], out, c);
}

/** The plain-TypeScript baseline impl (one thread). */
export const tsLoop: Impl = {
  name: "ts-loop",
  role: "baseline",
  init: () => Promise.resolve(),
  threads: () => 1,
  supports: (c: BenchCase) => c.kind === "matmul" || c.kind === "conv2d",
  prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
    if (c.kind === "peak" || c.kind === "model") {
      throw new InternalError(`ts-loop has no ${c.kind} kernel`);
    }
    const out = new Float32Array(outputShape(c).reduce((a, b) => a * b, 1));
    const run = runner(c, inputs, out);
    return Promise.resolve({ run, result: () => out.slice(), dispose: () => {} });
  },
};
