/**
 * Index-driven ONNX ops as DSL functions: TopK (ranks by counting, then selects by rank),
 * GatherND, ScatterElements and ScatterND (each output element searches the updates for the
 * last one that targets it). Searches are reductions, quadratic in the searched extent — meant
 * for the small index tensors models carry (top-k heads, cache updates), not bulk scatters.
 *
 * @module
 */
import * as E from "../../expr.ts";
import { compute, maxReduce, reduceAxis, sum, type Tensor } from "../../te.ts";
import type { NodeContext, OpRule, Val } from "./context.ts";
import { axisOf } from "./ops_shape.ts";
import { callTe } from "./tir.ts";

type X = E.PrimExpr;
const clampTo = (i: X, n: X): X => E.max(E.min(i, E.sub(n, 1)), 0);
/** An index tensor's element as an int32 position in a dimension of length `n` (negative wraps). */
const position = (v: X, n: X): X => {
  const i = E.cast("int32", v);
  return E.select(E.lt(i, 0), E.add(i, n), i);
};

/**
 * `TopK(x, k)`: `rank_i = #{j : x_j beats x_i}` (larger, or equal at a lower index; smaller for
 * `largest=0`), then output `p` is the element of rank `p` and its index.
 */
const topK: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const x = ctx.input(0);
  const axis = axisOf(ctx, ctx.int("axis", -1), x.type.shape.length);
  const k = ctx.scalarInput(1, "k");
  const largest = ctx.int("largest", 1) !== 0;
  const rank = callTe(ctx, "topk_rank", [x], ([t]) => {
    const j = reduceAxis(t.shape[axis], "j");
    return compute(t.shape, (idx) => {
      const xi = t.at(...idx);
      const xj = t.at(...idx.map((e, a) => (a === axis ? j : e)));
      const beats = E.or(
        largest ? E.gt(xj, xi) : E.lt(xj, xi),
        E.and(E.eq(xj, xi), E.lt(j, idx[axis])),
      );
      return sum(E.select(beats, 1, 0), [j]);
    }, "T_topk_rank");
  });
  const pick = (tag: string, out: number, value: (t: Tensor, i: X, idx: X[]) => X, dtype: string) =>
    callTe(ctx, tag, [x, rank], ([t, r]) => {
      const i = reduceAxis(t.shape[axis], "i");
      const shape = t.shape.map((d, a) => (a === axis ? E.int(k) : d));
      return compute(shape, (idx) => {
        const at = idx.map((e, a) => (a === axis ? i : e));
        return sum(E.select(E.eq(r.at(...at), idx[axis]), value(t, i, at), E.constant(0, dtype)), [
          i,
        ]);
      }, `T_${tag}`);
    }, out);
  return [
    pick("topk_values", 0, (t, _i, at) => t.at(...at), x.type.dtype),
    pick("topk_indices", 1, (_t, i) => E.cast("int64", i), "int64"),
  ];
};

/** `GatherND(data, indices)` (batch_dims 0): `out[i…, r…] = data[indices[i…, :], r…]`. */
const gatherND: OpRule = (ctx) => {
  ctx.expectInputs(2);
  if (ctx.int("batch_dims", 0) !== 0) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "batch_dims > 0 is not supported");
  }
  const ind = ctx.input(1);
  const last = ind.type.shape[ind.type.shape.length - 1];
  if (last?.kind !== "IntImm") {
    throw ctx.fail("ONNX_DYNAMIC_SHAPE", "the last dimension of the indices must be a number");
  }
  const m = last.value;
  return [callTe(ctx, "gather_nd", [ctx.input(0), ind], ([d, I]) => {
    const q = I.shape.length - 1;
    return compute([...I.shape.slice(0, q), ...d.shape.slice(m)], (idx) => {
      const lead = idx.slice(0, q);
      const src = Array.from(
        { length: m },
        (_, a) => clampTo(position(I.at(...lead, a), d.shape[a]), d.shape[a]),
      );
      return d.at(...src, ...idx.slice(q));
    }, "T_gather_nd");
  })];
};

/** The reduction of ScatterElements/ScatterND: `none` takes the last matching update, `add` sums them. */
function reductionOf(ctx: NodeContext): "none" | "add" {
  const r = ctx.string("reduction", "none");
  if (r !== "none" && r !== "add") {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", `reduction "${r}" is not supported`);
  }
  return r;
}

/** `ScatterElements(data, indices, updates, axis)`. */
const scatterElements: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const [data, ind, upd] = ctx.all();
  const axis = axisOf(ctx, ctx.int("axis", 0), data.type.shape.length);
  const reduction = reductionOf(ctx);
  return [callTe(ctx, "scatter_elements", [data, ind, upd], ([d, I, U]) => {
    const r = reduceAxis(U.shape[axis], "r");
    const hits = (idx: X[]) => {
      const at = idx.map((e, a) => (a === axis ? r : clampTo(e, U.shape[a])));
      const inside = idx.reduce<X>(
        (acc, e, a) => (a === axis ? acc : E.and(acc, E.lt(e, U.shape[a]))),
        E.bool(true),
      );
      return { at, hit: E.and(inside, E.eq(position(I.at(...at), d.shape[axis]), idx[axis])) };
    };
    if (reduction === "add") {
      return compute(d.shape, (idx) => {
        const { at, hit } = hits(idx);
        return sum(E.select(hit, U.at(...at), E.constant(0, U.dtype)), [r], d.at(...idx));
      }, "T_scatter_elements");
    }
    const found = compute(d.shape, (idx) => {
      const { hit } = hits(idx);
      return maxReduce(E.select(hit, r, -1), [r]);
    }, "T_scatter_found");
    return compute(d.shape, (idx) => {
      const f = found.at(...idx);
      const at = idx.map((
        e,
        a,
      ) => (a === axis ? clampTo(f, U.shape[axis]) : clampTo(e, U.shape[a])));
      return E.select(E.ge(f, 0), U.at(...at), d.at(...idx));
    }, "T_scatter_elements");
  })];
};

/** `ScatterND(data, indices, updates)`: `out[indices[u…, :], r…] = updates[u…, r…]`. */
const scatterND: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const [data, ind, upd]: Val[] = ctx.all();
  const last = ind.type.shape[ind.type.shape.length - 1];
  if (last?.kind !== "IntImm") {
    throw ctx.fail("ONNX_DYNAMIC_SHAPE", "the last dimension of the indices must be a number");
  }
  const m = last.value;
  const reduction = reductionOf(ctx);
  return [callTe(ctx, "scatter_nd", [data, ind, upd], ([d, I, U]) => {
    const q = I.shape.length - 1;
    const us = I.shape.slice(0, q).map((n, a) => reduceAxis(n, `u${a}`));
    const hit = (idx: X[]) =>
      Array.from({ length: m }, (_, k) => E.eq(position(I.at(...us, k), d.shape[k]), idx[k]))
        .reduce<X>((a, b) => E.and(a, b), E.bool(true));
    const src = (idx: X[], u: X[]) => U.at(...u, ...idx.slice(m));
    if (reduction === "add") {
      return compute(
        d.shape,
        (idx) => sum(E.select(hit(idx), src(idx, us), E.constant(0, U.dtype)), us, d.at(...idx)),
        "T_scatter_nd",
      );
    }
    // The last matching update position, linearised row-major over the indices' leading dims.
    const lin = us.reduce<X>((acc, u, a) => E.add(E.mul(acc, I.shape[a]), u), E.int(0));
    const found = compute(
      d.shape,
      (idx) => maxReduce(E.select(hit(idx), lin, -1), us),
      "T_scatter_found",
    );
    return compute(d.shape, (idx) => {
      const f = found.at(...idx);
      const u: X[] = [];
      let rest = E.max(f, 0);
      for (let a = q - 1; a >= 0; a--) {
        u.unshift(E.floormod(rest, I.shape[a]));
        rest = E.floordiv(rest, I.shape[a]);
      }
      return E.select(E.ge(f, 0), src(idx, u), d.at(...idx));
    }, "T_scatter_nd");
  })];
};

/** The index rules by ONNX op type. */
export const INDEX_RULES: Readonly<Record<string, OpRule>> = {
  TopK: topK,
  GatherND: gatherND,
  ScatterElements: scatterElements,
  ScatterND: scatterND,
};
