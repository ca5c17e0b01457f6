/**
 * `reshape` with symbolic sizes, and the shape-only ops built on it (`expandDims`, `squeeze`,
 * `flatten`).
 *
 * The element order is row-major. Leading and trailing dimensions the two shapes share (same
 * expression) map one to one; the dimensions in between go through the linear index:
 * `lin = Σ out_k · stride_k`, `in_j = ⌊lin / stride_j⌋ mod dim_j`, with `floordiv`/`floormod`, so a
 * symbolic size needs no division at build time.
 *
 * @module
 */
import * as E from "../expr.ts";
import type { ExprLike, PrimExpr } from "../expr.ts";
import { compute, type Tensor } from "../te.ts";
import type { OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import {
  constOf,
  dimExpr,
  divideExact,
  normalizeAxes,
  numelOf,
  provablyDifferent,
  proveEqual,
  sameExpr,
  type Shape,
  showShape,
} from "./shape.ts";

/** Resolve a `-1` entry: the input's size divided by the other entries' product. */
function resolveShape(x: Tensor, newShape: readonly ExprLike[]): PrimExpr[] {
  const op = "reshape";
  const holes = newShape.filter((d) => d === -1).length;
  if (holes > 1) throw opError("OP_BAD_PARAM", op, "newShape", "more than one -1 entry");
  const known = newShape.map((d) => (d === -1 ? E.int(1) : dimExpr(d, op, "newShape")));
  const total = numelOf(x.shape);
  if (holes === 1) {
    const inferred = divideExact(total, numelOf(known));
    if (!inferred) {
      throw opError(
        constOf(total) !== undefined && constOf(numelOf(known)) !== undefined
          ? "OP_SHAPE_MISMATCH"
          : "OP_UNPROVABLE_SHAPE",
        op,
        "newShape",
        `cannot infer the -1 entry: ${showShape(x.shape)} does not divide by the other entries`,
      );
    }
    return newShape.map((d, k) => (d === -1 ? inferred : known[k]));
  }
  const n = numelOf(known);
  if (!proveEqual(n, total)) {
    throw opError(
      provablyDifferent(n, total) ? "OP_SHAPE_MISMATCH" : "OP_UNPROVABLE_SHAPE",
      op,
      "newShape",
      `${showShape(known)} does not have as many elements as the input ${showShape(x.shape)}`,
    );
  }
  return known;
}

/** Input indices for output indices, through the linear index of the unshared middle part. */
function mapIndices(from: Shape, to: Shape, outIdx: readonly PrimExpr[]): PrimExpr[] {
  let pre = 0;
  while (pre < from.length && pre < to.length && sameExpr(from[pre], to[pre])) pre++;
  let suf = 0;
  while (
    suf < from.length - pre && suf < to.length - pre &&
    sameExpr(from[from.length - 1 - suf], to[to.length - 1 - suf])
  ) suf++;
  const midTo = to.slice(pre, to.length - suf);
  const midFrom = from.slice(pre, from.length - suf);
  let lin: PrimExpr = E.int(0);
  midTo.forEach((d, k) => {
    lin = E.add(E.mul(lin, d), outIdx[pre + k]);
  });
  const mid: PrimExpr[] = [];
  let stride: PrimExpr = E.int(1);
  for (let k = midFrom.length - 1; k >= 0; k--) {
    const q = E.floordiv(lin, stride);
    mid.unshift(k === 0 ? q : E.floormod(q, midFrom[k]));
    stride = E.mul(stride, midFrom[k]);
  }
  return [
    ...outIdx.slice(0, pre),
    ...mid,
    ...outIdx.slice(outIdx.length - suf),
  ];
}

/**
 * The same elements in a new shape (row-major order). `newShape` holds numbers, size
 * expressions, and at most one `-1` (inferred).
 *
 * @example
 * ```ts
 * import { reshape } from "./reshape.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const B = reshape(placeholder([n, 12], "float32", "A"), [n, 3, -1]);
 * console.assert(B.shape[2].kind === "IntImm");
 * ```
 */
export function reshape(
  x: Tensor,
  newShape: readonly ExprLike[],
  options: OpOptions = {},
): Tensor {
  const shape = resolveShape(x, newShape);
  return compute(
    shape,
    (idx) => x.at(...mapIndices(x.shape, shape, idx)),
    options.name ?? "T_reshape",
  );
}

/**
 * Insert a dimension of size 1 at `axis` (in `[-rank-1, rank]`).
 *
 * @example
 * ```ts
 * import { expandDims } from "./reshape.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(expandDims(placeholder([3, 4], "float32", "A"), -1).shape.length === 3);
 * ```
 */
export function expandDims(x: Tensor, axis: number, options: OpOptions = {}): Tensor {
  const r = x.shape.length;
  if (!Number.isInteger(axis) || axis < -r - 1 || axis > r) {
    throw opError(
      "OP_BAD_AXIS",
      "expand_dims",
      "axis",
      `axis ${axis} is out of range for rank ${r}`,
    );
  }
  const a = axis < 0 ? axis + r + 1 : axis;
  const shape = [...x.shape.slice(0, a), E.int(1), ...x.shape.slice(a)];
  return compute(
    shape,
    (idx) => x.at(...idx.filter((_, k) => k !== a)),
    options.name ?? "T_expand_dims",
  );
}

/**
 * Remove dimensions of size 1 (the given axes, or every constant-1 dimension).
 *
 * @example
 * ```ts
 * import { squeeze } from "./reshape.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(squeeze(placeholder([3, 1, 4], "float32", "A")).shape.length === 2);
 * ```
 */
export function squeeze(
  x: Tensor,
  axes?: number | readonly number[],
  options: OpOptions = {},
): Tensor {
  const list = axes === undefined
    ? x.shape.flatMap((d, k) => (constOf(d) === 1 ? [k] : []))
    : normalizeAxes("squeeze", "axes", axes, x.shape.length);
  for (const a of list) {
    if (constOf(x.shape[a]) !== 1) {
      throw opError(
        "OP_BAD_AXIS",
        "squeeze",
        "axes",
        `dimension ${a} of ${showShape(x.shape)} is not 1`,
      );
    }
  }
  const shape = x.shape.filter((_, k) => !list.includes(k));
  return compute(shape, (idx) => {
    let o = 0;
    return x.at(...x.shape.map((_, k) => (list.includes(k) ? E.int(0) : idx[o++])));
  }, options.name ?? "T_squeeze");
}

/**
 * Keep dimensions `[0, axis)` and collapse the rest into one: `[d0, …, d(axis−1), Π rest]`.
 * (ONNX `Flatten` also collapses the leading dimensions into one; here they stay.)
 *
 * @example
 * ```ts
 * import { flatten } from "./reshape.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(flatten(placeholder([2, 3, 4], "float32", "A"), 1).shape.length === 2);
 * ```
 */
export function flatten(x: Tensor, axis = 1, options: OpOptions = {}): Tensor {
  const r = x.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis > r) {
    throw opError("OP_BAD_AXIS", "flatten", "axis", `axis ${axis} is out of range for rank ${r}`);
  }
  const shape = [...x.shape.slice(0, axis), numelOf(x.shape.slice(axis))];
  return reshape(x, shape, { name: options.name ?? "T_flatten" });
}
