/**
 * Shape operands that are symbolic sizes rather than numbers — `Range(0, seq, 1)`,
 * `Slice(table, 0, seq)`, `ConstantOfShape([seq, seq])`, `Expand` to `[n·4, …]` — as DSL
 * functions called with `callTIR`. Their result dims are the size expressions themselves; a
 * function whose output size is a plain size variable binds it from the output it is given.
 *
 * The symbolic Slice assumes what exporters emit: step 1 and `0 ≤ start ≤ end ≤ dim` for
 * symbolic bounds (numbers are clamped as usual).
 *
 * @module
 */
import * as E from "../../expr.ts";
import { simplify } from "../../arith/simplify.ts";
import type { DType } from "../../dtype.ts";
import { broadcastTo } from "../../ops/transform.ts";
import { compute } from "../../te.ts";
import { asExpr, asNumber, type Known, type NodeContext, type Val } from "./context.ts";
import { callTe } from "./tir.ts";

/** Refuse result dims a function cannot bind from its output (compound size expressions). */
function checkBindable(ctx: NodeContext, dims: readonly E.PrimExpr[], what: string): void {
  for (const d of dims) {
    if (d.kind !== "IntImm" && d.kind !== "Var") {
      throw ctx.fail(
        "ONNX_DYNAMIC_SHAPE",
        `its ${what} has the size expression ${
          JSON.stringify(d.kind)
        }; only numbers and plain size variables are supported here`,
      );
    }
  }
}

/** `Range(start, limit, delta)` with a symbolic limit: `start + i·delta` for `i < ⌈(limit − start)/delta⌉`. */
export function symbolicRange(
  ctx: NodeContext,
  dtype: DType,
  start: number,
  limit: Known,
  delta: number,
): Val {
  const span = E.sub(asExpr(limit), start);
  const n = simplify(delta === 1 ? span : E.floordiv(E.add(span, delta - 1), delta));
  checkBindable(ctx, [n], "length");
  return callTe(
    ctx,
    "range",
    [],
    () => compute([n], ([i]) => E.cast(dtype, E.add(E.mul(i, delta), start)), "T_range"),
  );
}

/** `ConstantOfShape` of symbolic dims. */
export function symbolicFill(
  ctx: NodeContext,
  dims: readonly Known[],
  dtype: DType,
  value: number,
): Val {
  const shape = dims.map((d) => simplify(asExpr(d)));
  checkBindable(ctx, shape, "shape");
  return callTe(ctx, "fill", [], () => compute(shape, () => E.constant(value, dtype), "T_fill"));
}

/** `Expand` to dims with size expressions. */
export function symbolicExpand(ctx: NodeContext, x: Val, dims: readonly Known[]): Val {
  const shape = dims.map((d) => simplify(asExpr(d)));
  checkBindable(ctx, shape, "target shape");
  return callTe(ctx, "expand", [x], ([t]) => broadcastTo(t, shape));
}

/** `Slice` with symbolic starts or ends (step 1 on those axes): `out[…, i, …] = x[…, start + i, …]`. */
export function symbolicSlice(
  ctx: NodeContext,
  x: Val,
  starts: readonly Known[],
  ends: readonly Known[],
  axes: readonly number[],
  steps: readonly number[],
): Val {
  const bounds = axes.map((a, k) => {
    if (steps[k] !== 1) {
      throw ctx.fail("ONNX_DYNAMIC_SHAPE", "a symbolic slice bound with a step other than 1");
    }
    const dim = x.type.shape[a];
    const at = (v: Known, isEnd: boolean): E.PrimExpr => {
      const n = asNumber(v);
      if (n === undefined) return asExpr(v);
      if (n >= 2 ** 31) return dim;
      if (n < 0) return E.max(E.add(dim, Math.max(n, -(2 ** 31 - 1))), 0);
      return isEnd ? E.min(E.int(n), dim) : E.int(n);
    };
    const b = simplify(at(starts[k], false));
    const e = simplify(at(ends[k], true));
    return { axis: a, b, len: simplify(E.max(E.sub(e, b), 0)) };
  });
  checkBindable(ctx, bounds.map((q) => q.len), "result");
  return callTe(ctx, "slice", [x], ([t]) => {
    const shape = t.shape.map((d, a) => {
      const s = bounds.find((q) => q.axis === a);
      return s ? s.len : d;
    });
    return compute(shape, (idx) =>
      t.at(...idx.map((i, a) => {
        const s = bounds.find((q) => q.axis === a);
        return s ? E.add(i, s.b) : i;
      })), "T_slice");
  });
}
