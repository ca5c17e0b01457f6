/**
 * Data movement: `transpose`, `concat`, `pad`, `slice`, `broadcastTo`. Each is one `compute`
 * whose indices are affine in the output's (plus a lazy `select` for `pad` and `concat`).
 *
 * @module
 */
import * as E from "../expr.ts";
import type { ExprLike, PrimExpr } from "../expr.ts";
import { compute, type Tensor } from "../te.ts";
import { broadcastIndices, type OpOptions, scalarOf } from "./elementwise.ts";
import { opError } from "./errors.ts";
import {
  broadcastShapes,
  ceilDiv,
  checkRank,
  dimExpr,
  normalizeAxis,
  proveEqual,
  requireEqual,
  showShape,
} from "./shape.ts";

/**
 * Permute dimensions: output dimension `j` is input dimension `perm[j]` (default: reversed).
 *
 * @example
 * ```ts
 * import { transpose } from "./transform.ts";
 * import { placeholder } from "../te.ts";
 * const B = transpose(placeholder([2, 3, 4], "float32", "A"), [2, 0, 1]);
 * console.assert(B.shape.map((d) => (d as { value: number }).value).join() === "4,2,3");
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[], options: OpOptions = {}): Tensor {
  const r = x.shape.length;
  const p = (perm ?? [...Array(r).keys()].reverse()).map((a) =>
    normalizeAxis("transpose", "perm", a, r)
  );
  if (p.length !== r || new Set(p).size !== r) {
    throw opError(
      "OP_BAD_AXIS",
      "transpose",
      "perm",
      `[${perm?.join(", ")}] is not a permutation of the ${r} axes`,
    );
  }
  return compute(p.map((a) => x.shape[a]), (idx) => {
    const src: PrimExpr[] = new Array(r);
    p.forEach((a, j) => (src[a] = idx[j]));
    return x.at(...src);
  }, options.name ?? "T_transpose");
}

/**
 * Join tensors along an axis; every other dimension must agree.
 *
 * @example
 * ```ts
 * import { concat } from "./transform.ts";
 * import { placeholder } from "../te.ts";
 * const A = placeholder([2, 3], "float32", "A");
 * const B = placeholder([2, 5], "float32", "B");
 * console.assert(concat([A, B], 1).shape[1].kind === "IntImm");
 * ```
 */
export function concat(xs: readonly Tensor[], axis: number, options: OpOptions = {}): Tensor {
  const op = "concat";
  if (xs.length === 0) throw opError("OP_BAD_PARAM", op, "xs", "no tensors to join");
  const first = xs[0];
  const r = first.shape.length;
  const a = normalizeAxis(op, "axis", axis, r);
  const offsets: PrimExpr[] = [];
  let total: PrimExpr = E.int(0);
  xs.forEach((t, k) => {
    checkRank(op, `xs[${k}]`, t.shape, r);
    if (t.dtype !== first.dtype) {
      throw opError(
        "OP_DTYPE_MISMATCH",
        op,
        `xs[${k}]`,
        `has dtype ${t.dtype}, but xs[0] has ${first.dtype}`,
      );
    }
    t.shape.forEach((d, j) => {
      if (j !== a) requireEqual(op, `xs[${k}]`, `dimension ${j}`, d, first.shape[j]);
    });
    offsets.push(total);
    total = E.add(total, t.shape[a]);
  });
  const shape = first.shape.map((d, j) => (j === a ? total : d));
  return compute(shape, (idx) => {
    const at = (k: number) => xs[k].at(...idx.map((i, j) => (j === a ? E.sub(i, offsets[k]) : i)));
    let v = at(xs.length - 1);
    for (let k = xs.length - 2; k >= 0; k--) v = E.select(E.lt(idx[a], offsets[k + 1]), at(k), v);
    return v;
  }, options.name ?? "T_concat");
}

/**
 * Pad with a constant: `before[k]` and `after[k]` elements on each side of dimension `k`
 * (numbers ≥ 0; missing entries are 0).
 *
 * @example
 * ```ts
 * import { pad } from "./transform.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const P = pad(placeholder([n, 4], "float32", "A"), [1, 0], [2, 3], -Infinity);
 * console.assert(P.shape[1].kind === "IntImm");
 * ```
 */
export function pad(
  x: Tensor,
  before: readonly number[],
  after: readonly number[] = before,
  value = 0,
  options: OpOptions = {},
): Tensor {
  const op = "pad";
  const r = x.shape.length;
  for (const [w, arg] of [[before, "before"], [after, "after"]] as const) {
    if (w.length > r || w.some((p) => !Number.isInteger(p) || p < 0)) {
      throw opError(
        "OP_BAD_PARAM",
        op,
        arg,
        `[${w.join(", ")}] must hold at most ${r} integers ≥ 0`,
      );
    }
  }
  const fill = scalarOf(op, "value", value, x.dtype);
  const lo = x.shape.map((_, k) => before[k] ?? 0);
  const hi = x.shape.map((_, k) => after[k] ?? 0);
  const shape = x.shape.map((d, k) => E.add(E.add(d, lo[k]), hi[k]));
  return compute(shape, (idx) => {
    let inside: PrimExpr = E.bool(true);
    const src = idx.map((i, k) => {
      if (lo[k] > 0) inside = E.and(inside, E.ge(i, lo[k]));
      if (hi[k] > 0) inside = E.and(inside, E.lt(i, E.add(x.shape[k], lo[k])));
      return E.sub(i, lo[k]);
    });
    return E.select(inside, x.at(...src), fill);
  }, options.name ?? "T_pad");
}

/** Static slice parameters: per listed axis a begin, an end and a step (Python semantics). */
export interface SliceParams {
  /** First index per axis (negative counts from the end; default 0, or the last for step < 0). */
  readonly begin?: readonly (number | undefined)[];
  /** End per axis, exclusive (negative counts from the end; default: past the last element). */
  readonly end?: readonly (number | undefined)[];
  /** Step per axis (non-zero; default 1). */
  readonly step?: readonly (number | undefined)[];
  /** The axes the lists refer to (default 0, 1, …). */
  readonly axes?: readonly number[];
}

/** Clamp a static index into a symbolic dimension as Python's `slice.indices` does. */
function clampIndex(i: number | undefined, len: PrimExpr, step: number, isEnd: boolean): PrimExpr {
  const far = 2 ** 30; // beyond any int32 dimension: "to the end"
  if (step > 0) {
    if (i === undefined || i >= far) return isEnd ? len : E.int(0);
    return i < 0 ? E.max(E.add(len, i), 0) : E.min(E.int(i), len);
  }
  if (i === undefined || i <= -far) return isEnd ? E.int(-1) : E.sub(len, 1);
  return i < 0 ? E.max(E.add(len, i), -1) : E.min(E.int(i), E.sub(len, 1));
}

/**
 * A strided window: along each listed axis, indices `begin, begin + step, …` before `end`.
 *
 * @example
 * ```ts
 * import { slice } from "./transform.ts";
 * import { placeholder } from "../te.ts";
 * const B = slice(placeholder([10, 6], "float32", "A"), { begin: [1, -1], end: [8], step: [3, -2] });
 * console.assert(B.shape.map((d) => (d as { value: number }).value).join() === "3,3");
 * ```
 */
export function slice(x: Tensor, params: SliceParams, options: OpOptions = {}): Tensor {
  const op = "slice";
  const r = x.shape.length;
  const n = Math.max(
    params.axes?.length ?? 0,
    params.begin?.length ?? 0,
    params.end?.length ?? 0,
    params.step?.length ?? 0,
  );
  const axes = (params.axes ?? [...Array(n).keys()]).map((a) => normalizeAxis(op, "axes", a, r));
  if (new Set(axes).size !== axes.length) {
    throw opError("OP_BAD_AXIS", op, "axes", `[${params.axes?.join(", ")}] repeat an axis`);
  }
  const starts = x.shape.map(() => E.int(0) as PrimExpr);
  const steps = x.shape.map(() => 1);
  const shape = [...x.shape];
  axes.forEach((a, k) => {
    const step = params.step?.[k] ?? 1;
    if (!Number.isInteger(step) || step === 0) {
      throw opError("OP_BAD_PARAM", op, "step", `step ${step} must be a non-zero integer`);
    }
    for (const [v, arg] of [[params.begin?.[k], "begin"], [params.end?.[k], "end"]] as const) {
      if (v !== undefined && !Number.isInteger(v)) {
        throw opError("OP_BAD_PARAM", op, arg, `${v} is not an integer`);
      }
    }
    const b = clampIndex(params.begin?.[k], x.shape[a], step, false);
    const e = clampIndex(params.end?.[k], x.shape[a], step, true);
    const extent = step > 0 ? ceilDiv(E.sub(e, b), step) : ceilDiv(E.sub(b, e), -step);
    shape[a] = E.max(extent, 0);
    starts[a] = b;
    steps[a] = step;
  });
  return compute(
    shape,
    (idx) => x.at(...idx.map((i, k) => E.add(starts[k], E.mul(i, steps[k])))),
    options.name ?? "T_slice",
  );
}

/**
 * Broadcast to a shape numpy-style (the input's dimensions aligned on the right).
 *
 * @example
 * ```ts
 * import { broadcastTo } from "./transform.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(broadcastTo(placeholder([1, 4], "float32", "A"), [3, 4]).shape.length === 2);
 * ```
 */
export function broadcastTo(
  x: Tensor,
  shape: readonly ExprLike[],
  options: OpOptions = {},
): Tensor {
  const op = "broadcast_to";
  const target = shape.map((d) => dimExpr(d, op, "shape"));
  const out = broadcastShapes(op, ["x", "shape"], [x.shape, target]);
  if (out.length !== target.length || out.some((d, k) => !proveEqual(d, target[k]))) {
    throw opError(
      "OP_SHAPE_MISMATCH",
      op,
      "shape",
      `cannot broadcast ${showShape(x.shape)} to ${showShape(target)}`,
    );
  }
  return compute(
    target,
    (idx) => x.at(...broadcastIndices(x.shape, idx)),
    options.name ?? "T_broadcast_to",
  );
}
