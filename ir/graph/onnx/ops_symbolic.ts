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
import { callTe, teCall } from "./tir.ts";
import { visit } from "../../node.ts";
import type { GraphBuilder } from "../builder.ts";
import { OnnxError } from "./errors.ts";

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

/**
 * A known value with symbolic elements as data (a `Shape` used in arithmetic, a shape returned
 * as an output): a function of the graph inputs whose shapes bind the size variables, returning
 * the elements. `ONNX_DYNAMIC_SHAPE` if no input binds a variable, or the value has rank > 1.
 */
export function knownAsData(b: GraphBuilder, inputs: readonly Val[], v: Val, vname: string): Val {
  const k = v.known!;
  const vars = new Set<E.Var>();
  for (const e of k) {
    if (typeof e !== "number") {
      visit(e, (n) => void (n.kind === "Var" && vars.add(n)));
    }
  }
  const needed = inputs.filter((inp) =>
    inp.type.shape.some((d) => d.kind === "Var" && vars.has(d))
  );
  const bound = new Set(needed.flatMap((inp) => inp.type.shape.filter((d) => d.kind === "Var")));
  const missing = [...vars].filter((x) => !bound.has(x));
  if (v.type.shape.length > 1 || missing.length > 0) {
    throw new OnnxError(
      "ONNX_DYNAMIC_SHAPE",
      `Cannot import value "${vname}": it is a shape computed from symbolic sizes (${
        missing.map((x) => x.name).join(", ") || "rank > 1"
      }) and used as data`,
      { hint: "fix the symbolic sizes with importOnnx(..., { shapes })" },
    );
  }
  const dtype = v.type.dtype;
  const elem = (e: Known) => E.cast(dtype, asExpr(e));
  const args = needed.map((inp) => ({ type: inp.type, atom: inp.atom! }));
  return teCall(b, "shape_data", args, () => {
    if (v.type.shape.length === 0) return compute([], () => elem(k[0]), "T_shape_data");
    return compute(
      [k.length],
      ([i]) =>
        k.slice(0, -1).reduceRight<E.PrimExpr>(
          (acc, e, j) => E.select(E.eq(i, j), elem(e), acc),
          elem(k[k.length - 1]),
        ),
      "T_shape_data",
    );
  }, vname);
}
