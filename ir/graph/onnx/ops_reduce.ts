/**
 * Reduction ONNX ops: ReduceSum/Mean/Max/Min/Prod onto the graph's reductions, the composite
 * ones written out (`ReduceL2(x) = sqrt(Σ x²)`, `ReduceLogSumExp` stabilised by the maximum),
 * ArgMax/ArgMin (int64 results). Axes are an attribute before opset 18 (13 for ReduceSum),
 * an input since.
 *
 * @module
 */
import type { Atom } from "../ir.ts";
import { knownVal, type NodeContext, type OpRule, type Val } from "./context.ts";
import { knownProduct } from "./known.ts";
import { axesOf, axisOf } from "./ops_shape.ts";

/** Reduction attributes: `{ axes?, keepdims }`, or `undefined` for a no-op (empty axes, noop flag). */
function reduceAttrs(
  ctx: NodeContext,
  since: number,
): { axes?: number[]; keepdims: boolean } | undefined {
  const r = ctx.input(0).type.shape.length;
  const axes = axesOf(ctx, 1, since)?.map((a) => axisOf(ctx, a, r));
  const keepdims = ctx.int("keepdims", 1) !== 0;
  if ((axes === undefined || axes.length === 0) && ctx.int("noop_with_empty_axes", 0) !== 0) {
    return undefined;
  }
  return axes && axes.length > 0 ? { axes, keepdims } : { keepdims };
}

/** A reduction: `pre` maps the input, graph reduction `op`, `post` maps the result. */
function reduce(
  op: string,
  since: number,
  pre?: (ctx: NodeContext, x: Atom) => Atom,
  post?: (ctx: NodeContext, y: Val) => Val,
): OpRule {
  return (ctx) => {
    ctx.expectInputs(1, 2);
    const x = ctx.input(0);
    const attrs = reduceAttrs(ctx, since);
    if (attrs === undefined) return [x];
    if (
      x.known && x.type.shape.length === 1 && (op === "reduce_prod" || op === "reduce_sum") && !pre
    ) {
      const k = op === "reduce_prod" ? knownProduct(x.known) : x.known.reduce(
        (a, b) => (typeof a === "number" && typeof b === "number" ? a + b : NaN),
        0,
      );
      if (k === k) return [knownVal([k], attrs.keepdims ? [1] : [], x.type.dtype)];
    }
    const src = pre ? pre(ctx, ctx.atom(0)) : ctx.atom(0);
    const y = ctx.op(op, [src], attrs);
    return [post ? post(ctx, y) : y];
  };
}

const square = (ctx: NodeContext, x: Atom) => ctx.op("mul", [x, x]).atom!;

/** `log Σ exp(x) = m + log Σ exp(x − m)`, `m` the maximum (kept as a dimension, squeezed after). */
const logSumExp: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const attrs = reduceAttrs(ctx, 18);
  if (attrs === undefined) return [ctx.input(0)];
  const x = ctx.atom(0);
  const m = ctx.op("reduce_max", [x], { ...attrs, keepdims: true });
  const e = ctx.op("exp", [ctx.op("sub", [x, m.atom!]).atom!]);
  const s = ctx.op("reduce_sum", [e.atom!], { ...attrs, keepdims: true });
  const y = ctx.op("add", [ctx.op("log", [s.atom!]).atom!, m.atom!]);
  if (attrs.keepdims) return [y];
  const r = ctx.input(0).type.shape.length;
  return [ctx.op("squeeze", [y.atom!], { axes: attrs.axes ?? [...Array(r).keys()] })];
};

function arg(op: "argmax" | "argmin"): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    ctx.only("select_last_index", 0, "the first extreme index is taken");
    const r = ctx.input(0).type.shape.length;
    const axis = axisOf(ctx, ctx.int("axis", 0), r);
    const y = ctx.op(op, [ctx.atom(0)], { axis, keepdims: ctx.int("keepdims", 1) !== 0 });
    return [y.type.dtype === "int64" ? y : ctx.op("cast", [y.atom!], { dtype: "int64" })];
  };
}

/** The reduction rules by ONNX op type. */
export const REDUCE_RULES: Readonly<Record<string, OpRule>> = {
  ReduceSum: reduce("reduce_sum", 13),
  ReduceMean: reduce("reduce_mean", 18),
  ReduceMax: reduce("reduce_max", 18),
  ReduceMin: reduce("reduce_min", 18),
  ReduceProd: reduce("reduce_prod", 18),
  ReduceSumSquare: reduce("reduce_sum", 18, square),
  ReduceL1: reduce("reduce_sum", 18, (ctx, x) => ctx.op("abs", [x]).atom!),
  ReduceL2: reduce("reduce_sum", 18, square, (ctx, y) => ctx.op("sqrt", [y.atom!])),
  ReduceLogSum: reduce("reduce_sum", 18, undefined, (ctx, y) => ctx.op("log", [y.atom!])),
  ReduceLogSumExp: logSumExp,
  ArgMax: arg("argmax"),
  ArgMin: arg("argmin"),
};
