/**
 * Linear algebra: `matmul` (2-D, optional transposes), `batchMatmul` (batch dimensions broadcast
 * numpy-style) and `dense` (`x·Wᵀ + bias`). Each takes an `outDtype`: operands are cast to it
 * before they are multiplied, so int8 inputs accumulate exactly in int32.
 *
 * ```ts
 * import { matmul } from "./linalg.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const m = sizeVar("m");
 * const A = placeholder([m, 16], "int8", "A");
 * const B = placeholder([16, 8], "int8", "B");
 * const C = matmul(A, B, { outDtype: "int32" }); // [m, 8] int32
 * console.assert(C.dtype === "int32");
 * ```
 *
 * @module
 */
import { type DType, isBool } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { compute, reduceAxis, sum, type Tensor } from "../te.ts";
import { broadcastIndices, type OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import { broadcastShapes, checkRank, requireEqual } from "./shape.ts";

/** Options of the matrix products. */
export interface MatmulOptions extends OpOptions {
  /** Read `a` as transposed (`[K, M]`). */
  readonly transposeA?: boolean;
  /** Read `b` as transposed (`[N, K]`). */
  readonly transposeB?: boolean;
  /** Accumulator and result dtype (default: the operands'). */
  readonly outDtype?: DType;
}

function checkOperands(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw opError(
      "OP_DTYPE_MISMATCH",
      op,
      "b",
      `has dtype ${b.dtype}, but "a" has ${a.dtype}`,
      "cast() one operand; use outDtype for a wider accumulator",
    );
  }
  if (isBool(a.dtype)) {
    throw opError("OP_DTYPE_MISMATCH", op, "a", "bool operands cannot be multiplied");
  }
}

/** `cast(d, x) · cast(d, y)`. */
function product(d: DType, x: PrimExpr, y: PrimExpr): PrimExpr {
  return E.mul(E.cast(d, x), E.cast(d, y));
}

/**
 * `C[i, j] = Σₖ A[i, k] · B[k, j]` for 2-D operands.
 *
 * @example
 * ```ts
 * import { matmul } from "./linalg.ts";
 * import { placeholder } from "../te.ts";
 * const C = matmul(placeholder([3, 5], "float32", "A"), placeholder([7, 5], "float32", "B"), {
 *   transposeB: true,
 * });
 * console.assert(C.shape.length === 2);
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const op = "matmul";
  checkRank(op, "a", a.shape, 2);
  checkRank(op, "b", b.shape, 2);
  checkOperands(op, a, b);
  const ta = options.transposeA ?? false;
  const tb = options.transposeB ?? false;
  const [M, Ka] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = tb ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  requireEqual(op, "b", "the reduction dimension (K) of b", Kb, Ka);
  const d = options.outDtype ?? a.dtype;
  const k = reduceAxis(Ka, "k");
  return compute([M, N], ([i, j]) =>
    sum(
      product(d, ta ? a.at(k, i) : a.at(i, k), tb ? b.at(j, k) : b.at(k, j)),
      [k],
    ), options.name ?? "T_matmul");
}

/**
 * Batched matrix product, numpy `matmul` semantics for operands of rank ≥ 2: the last two
 * dimensions multiply, the leading (batch) dimensions broadcast.
 *
 * @example
 * ```ts
 * import { batchMatmul } from "./linalg.ts";
 * import { placeholder } from "../te.ts";
 * const C = batchMatmul(placeholder([2, 3, 4, 5], "float32", "A"), placeholder([3, 5, 6], "float32", "B"));
 * console.assert(C.shape.length === 4);
 * ```
 */
export function batchMatmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const op = "batch_matmul";
  checkRank(op, "a", a.shape, 2, true);
  checkRank(op, "b", b.shape, 2, true);
  checkOperands(op, a, b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const ta = options.transposeA ?? false;
  const tb = options.transposeB ?? false;
  const [M, Ka] = ta ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [Kb, N] = tb ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  requireEqual(op, "b", "the reduction dimension (K) of b", Kb, Ka);
  const batchA = a.shape.slice(0, ra - 2);
  const batchB = b.shape.slice(0, rb - 2);
  const batch = broadcastShapes(op, ["a", "b"], [batchA, batchB]);
  const d = options.outDtype ?? a.dtype;
  const k = reduceAxis(Ka, "k");
  return compute([...batch, M, N], (idx) => {
    const bi = idx.slice(0, batch.length);
    const [i, j] = idx.slice(batch.length);
    const ia = broadcastIndices(batchA, bi);
    const ib = broadcastIndices(batchB, bi);
    return sum(
      product(
        d,
        ta ? a.at(...ia, k, i) : a.at(...ia, i, k),
        tb ? b.at(...ib, j, k) : b.at(...ib, k, j),
      ),
      [k],
    );
  }, options.name ?? "T_batch_matmul");
}

/** Options of `dense`. */
export interface DenseOptions extends OpOptions {
  /** Accumulator and result dtype (default: the operands'); the bias must have it. */
  readonly outDtype?: DType;
}

/**
 * `Y[..., j] = Σₖ X[..., k] · W[j, k] (+ bias[j])`: a fully connected layer with `W` as `[N, K]`.
 * The bias, when given, is added by a second stage (`<name>_bias` is the product).
 *
 * @example
 * ```ts
 * import { dense } from "./linalg.ts";
 * import { placeholder } from "../te.ts";
 * const X = placeholder([4, 16], "float32", "X");
 * const W = placeholder([8, 16], "float32", "W");
 * const b = placeholder([8], "float32", "b");
 * console.assert(dense(X, W, b).shape[1].kind === "IntImm");
 * ```
 */
export function dense(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: DenseOptions = {},
): Tensor {
  const op = "dense";
  checkRank(op, "x", x.shape, 1, true);
  checkRank(op, "weight", weight.shape, 2);
  if (x.dtype !== weight.dtype) {
    throw opError(
      "OP_DTYPE_MISMATCH",
      op,
      "weight",
      `has dtype ${weight.dtype}, but "x" has ${x.dtype}`,
    );
  }
  checkOperands(op, x, weight);
  const r = x.shape.length;
  const [N, Kw] = weight.shape;
  requireEqual(op, "weight", "the input dimension (dimension 1) of weight", Kw, x.shape[r - 1]);
  const d = options.outDtype ?? x.dtype;
  const name = options.name ?? "T_dense";
  const k = reduceAxis(Kw, "k");
  const lead = x.shape.slice(0, r - 1);
  const y = compute(
    [...lead, N],
    (idx) => sum(product(d, x.at(...idx.slice(0, r - 1), k), weight.at(idx[r - 1], k)), [k]),
    bias ? `${name}_matmul` : name,
  );
  if (!bias) return y;
  checkRank(op, "bias", bias.shape, 1);
  requireEqual(op, "bias", "the length of bias", bias.shape[0], N);
  if (bias.dtype !== d) {
    throw opError("OP_DTYPE_MISMATCH", op, "bias", `has dtype ${bias.dtype}, need ${d}`);
  }
  return compute(y.shape, (idx) => E.add(y.at(...idx), bias.at(idx[r - 1])), name);
}
