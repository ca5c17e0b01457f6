/**
 * Reductions over axes with `keepdims`: sum, mean, prod, max, min, argmax, argmin.
 *
 * ```ts
 * import { reduceSum } from "./reduce.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n, 7, 5], "float32", "A");
 * const S = reduceSum(A, { axes: [1], keepdims: true }); // [n, 1, 5]
 * console.assert(S.shape.length === 3);
 * ```
 *
 * @module
 */
import { type DType, isBool, isFloat } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr, Var } from "../expr.ts";
import {
  type Combiner,
  compute,
  maxReduce,
  minReduce,
  prod,
  type Reduce,
  reduceAxis,
  sum,
  type Tensor,
} from "../te.ts";
import type { OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import { normalizeAxes, normalizeAxis, numelOf } from "./shape.ts";

/** Options of the reductions. */
export interface ReduceOptions extends OpOptions {
  /** Axes to reduce (negative counts from the end); all axes when omitted. */
  readonly axes?: number | readonly number[];
  /** Keep reduced axes as dimensions of size 1 (default false). */
  readonly keepdims?: boolean;
  /**
   * Dtype of the accumulator and the result (sum, prod and mean only; default the input's).
   * Elements are cast to it before they are combined, e.g. int8 summed in int32.
   */
  readonly outDtype?: DType;
}

const REDUCERS: Record<Combiner, typeof sum> = { sum, prod, max: maxReduce, min: minReduce };

/** Output shape and the map from output indices + reduce axes to input indices. */
function plan(x: Tensor, axes: readonly number[], keepdims: boolean, names: string) {
  const shape: PrimExpr[] = [];
  x.shape.forEach((d, k) => {
    if (!axes.includes(k)) shape.push(d);
    else if (keepdims) shape.push(E.int(1));
  });
  const rvars = axes.map((a, k) => reduceAxis(x.shape[a], `${names}${k}`));
  const index = (out: readonly Var[]): PrimExpr[] => {
    let o = 0;
    return x.shape.map((_, k) => {
      const r = axes.indexOf(k);
      if (r >= 0) {
        if (keepdims) o++;
        return rvars[r];
      }
      return out[o++];
    });
  };
  return { shape, rvars, index };
}

function reduceWith(op: string, combiner: Combiner, x: Tensor, options: ReduceOptions): Tensor {
  if (isBool(x.dtype)) {
    throw opError("OP_DTYPE_MISMATCH", op, "x", `has dtype ${x.dtype}, need a number dtype`);
  }
  if (options.outDtype !== undefined && (combiner === "max" || combiner === "min")) {
    throw opError("OP_BAD_PARAM", op, "outDtype", "max and min keep the input's dtype");
  }
  const axes = normalizeAxes(op, "axes", options.axes, x.shape.length);
  const p = plan(x, axes, options.keepdims ?? false, "rv");
  const d = options.outDtype ?? x.dtype;
  return compute(
    p.shape,
    (idx): PrimExpr | Reduce => {
      const v = E.cast(d, x.at(...p.index(idx)));
      return p.rvars.length === 0 ? v : REDUCERS[combiner](v, p.rvars); // no axes: a copy
    },
    options.name ?? `T_${op}`,
  );
}

/** Sum over axes. @example `reduceSum(A, { axes: [-1] })` */
export function reduceSum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceWith("sum", "sum", x, options);
}

/** Product over axes. @example `reduceProd(A, { axes: 0 })` */
export function reduceProd(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceWith("prod", "prod", x, options);
}

/** Maximum over axes (NaN propagates). @example `reduceMax(A, { axes: 1, keepdims: true })` */
export function reduceMax(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceWith("max", "max", x, options);
}

/** Minimum over axes (NaN propagates). @example `reduceMin(A)` */
export function reduceMin(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceWith("min", "min", x, options);
}

/**
 * Mean over axes, floats only: a sum stage (`<name>_sum`), then a division by the number of
 * reduced elements.
 *
 * @example
 * ```ts
 * import { reduceMean } from "./reduce.ts";
 * import { placeholder } from "../te.ts";
 * const m = reduceMean(placeholder([3, 5], "float32", "A"), { axes: [1] });
 * console.assert(m.shape.length === 1 && m.name === "T_mean");
 * ```
 */
export function reduceMean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const d = options.outDtype ?? x.dtype;
  if (!isFloat(d)) {
    throw opError("OP_DTYPE_MISMATCH", "mean", "x", `has dtype ${d}, need a float dtype`);
  }
  const name = options.name ?? "T_mean";
  const axes = normalizeAxes("mean", "axes", options.axes, x.shape.length);
  const s = reduceWith("mean", "sum", x, { ...options, name: `${name}_sum` });
  const count = E.cast(d, numelOf(axes.map((a) => x.shape[a])));
  return compute(s.shape, (idx) => E.div(s.at(...idx), count), name);
}

/** Options of `argmax` and `argmin`. */
export interface ArgOptions extends OpOptions {
  /** The axis to search (default -1). */
  readonly axis?: number;
  /** Keep the axis as a dimension of size 1 (default false). */
  readonly keepdims?: boolean;
}

function argReduce(op: "argmax" | "argmin", x: Tensor, options: ArgOptions): Tensor {
  if (isBool(x.dtype)) {
    throw opError("OP_DTYPE_MISMATCH", op, "x", `has dtype ${x.dtype}, need a number dtype`);
  }
  const axis = normalizeAxis(op, "axis", options.axis ?? -1, x.shape.length);
  const keepdims = options.keepdims ?? false;
  const name = options.name ?? `T_${op}`;
  const best = reduceWith(op, op === "argmax" ? "max" : "min", x, {
    axes: [axis],
    keepdims,
    name: `${name}_value`,
  });
  const extent = x.shape[axis];
  const p = plan(x, [axis], keepdims, "rk");
  // The first index holding the extreme value; a NaN is the extreme (max/min propagate it), so a
  // NaN element matches too: the first NaN is found, as numpy does.
  return compute(p.shape, (idx) => {
    const v = x.at(...p.index(idx));
    let hit = E.eq(v, best.at(...idx));
    if (isFloat(x.dtype)) hit = E.or(hit, E.call("isnan", [v]));
    return minReduce(E.select(hit, p.rvars[0], extent), p.rvars);
  }, name);
}

/**
 * Index (int32) of the first maximum along an axis.
 *
 * @example
 * ```ts
 * import { argmax } from "./reduce.ts";
 * import { placeholder } from "../te.ts";
 * const i = argmax(placeholder([3, 5], "float32", "A"), { axis: 1 });
 * console.assert(i.dtype === "int32" && i.shape.length === 1);
 * ```
 */
export function argmax(x: Tensor, options: ArgOptions = {}): Tensor {
  return argReduce("argmax", x, options);
}

/** Index (int32) of the first minimum along an axis. @example `argmin(A, { axis: 0 })` */
export function argmin(x: Tensor, options: ArgOptions = {}): Tensor {
  return argReduce("argmin", x, options);
}
