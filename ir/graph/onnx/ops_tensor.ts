/**
 * ONNX ops written directly as tensor-expression functions (the graph level has no op for
 * them) and called with `callTIR`: ConvTranspose, CumSum, Trilu, OneHot, Hardmax, EyeLike,
 * DepthToSpace, SpaceToDepth. Indices that a `select` discards are clamped into range, so
 * every load stays in bounds whichever branch is taken.
 *
 * @module
 */
import * as E from "../../expr.ts";
import { ndarray, setElement } from "../../ndarray.ts";
import { compute, reduceAxis, sum, type Tensor } from "../../te.ts";
import { asNumber, constVal, type OpRule, type Val } from "./context.ts";
import { dtypeOfOnnx } from "./dtypes.ts";
import { axisOf } from "./ops_shape.ts";
import { callTe } from "./tir.ts";

type X = E.PrimExpr;
const clampTo = (i: X, n: X): X => E.max(E.min(i, E.sub(n, 1)), 0);

/**
 * `ConvTranspose` (2-D, NCHW, weight `[C, M/group, kH, kW]`):
 * `y[n, m, oy, ox] = Σ x[n, c, iy, ix]·w[c, m', ky, kx]` over `oy + padTop = iy·s + ky·d`.
 */
const convTranspose: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const x = ctx.input(0);
  if (x.type.shape.length !== 4) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "only 2-D ConvTranspose is supported");
  }
  ctx.only("auto_pad", "NOTSET", "give pads explicitly");
  if (ctx.ints("output_shape")) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "output_shape is not supported; give pads");
  }
  const group = ctx.int("group", 1);
  const s = ctx.ints("strides") ?? [1, 1];
  const d = ctx.ints("dilations") ?? [1, 1];
  const p = ctx.ints("pads") ?? [0, 0, 0, 0];
  const op = ctx.ints("output_padding") ?? [0, 0];
  let y = callTe(ctx, "conv_transpose", [x, ctx.input(1)], ([X, W]) => {
    const [n, c, h, w] = X.shape;
    const [, mg, kh, kw] = W.shape;
    const cg = E.floordiv(c, group);
    const out = (i: number, len: X, k: X) =>
      E.add(
        E.sub(
          E.add(E.mul(s[i], E.sub(len, 1)), E.add(E.mul(E.sub(k, 1), d[i]), 1)),
          p[i] + p[i + 2],
        ),
        op[i],
      );
    const rc = reduceAxis(cg, "rc");
    const ry = reduceAxis(kh, "ry");
    const rx = reduceAxis(kw, "rx");
    return compute([n, E.mul(mg, group), out(0, h, kh), out(1, w, kw)], ([b, m, oy, ox]) => {
      const g = E.floordiv(m, mg);
      const ch = E.add(E.mul(g, cg), rc);
      const ty = E.sub(E.add(oy, p[0]), E.mul(ry, d[0]));
      const tx = E.sub(E.add(ox, p[1]), E.mul(rx, d[1]));
      const iy = E.floordiv(ty, s[0]);
      const ix = E.floordiv(tx, s[1]);
      const valid = E.and(
        E.and(E.eq(E.floormod(ty, s[0]), 0), E.eq(E.floormod(tx, s[1]), 0)),
        E.and(E.and(E.ge(ty, 0), E.lt(iy, h)), E.and(E.ge(tx, 0), E.lt(ix, w))),
      );
      const prod = E.mul(
        X.at(b, ch, clampTo(iy, h), clampTo(ix, w)),
        W.at(ch, E.floormod(m, mg), ry, rx),
      );
      return sum(E.select(valid, prod, E.constant(0, X.dtype)), [rc, ry, rx]);
    }, "T_conv_transpose");
  });
  const bias = ctx.optional(2);
  if (bias) {
    const b = bias.data
      ? constVal(ndarray(bias.data.dtype, [bias.data.data.length, 1, 1], bias.data.data))
      : ctx.op("reshape", [ctx.atom(2)], { shape: [-1, 1, 1] });
    y = ctx.op("add", [y.atom!, ctx.atomOf(b)]);
  }
  return [y];
};

/** `CumSum(x, axis)`: inclusive or exclusive, forwards or reversed. */
const cumSum: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const x = ctx.input(0);
  const axis = axisOf(ctx, ctx.scalarInput(1, "axis"), x.type.shape.length);
  const exclusive = ctx.int("exclusive", 0) !== 0;
  const reverse = ctx.int("reverse", 0) !== 0;
  return [callTe(ctx, "cumsum", [x], ([t]) => {
    const k = reduceAxis(t.shape[axis], "k");
    return compute(t.shape, (idx) => {
      const i = idx[axis];
      const take = reverse
        ? (exclusive ? E.gt(k, i) : E.ge(k, i))
        : exclusive
        ? E.lt(k, i)
        : E.le(k, i);
      const v = t.at(...idx.map((e, a) => (a === axis ? k : e)));
      return sum(E.select(take, v, E.constant(0, t.dtype)), [k]);
    }, "T_cumsum");
  })];
};

/** `Trilu(x, k)`: keep the upper (`j − i ≥ k`) or lower (`j − i ≤ k`) triangle of the last two axes. */
const trilu: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const k = ctx.optional(1) ? ctx.scalarInput(1, "k") : 0;
  const upper = ctx.int("upper", 1) !== 0;
  return [callTe(ctx, upper ? "triu" : "tril", [ctx.input(0)], ([t]) =>
    compute(t.shape, (idx) => {
      const r = idx.length;
      const diff = E.sub(idx[r - 1], idx[r - 2]);
      const keep = upper ? E.ge(diff, k) : E.le(diff, k);
      return E.select(keep, t.at(...idx), E.constant(0, t.dtype));
    }, "T_trilu"))];
};

/** `OneHot(indices, depth, values)`: `values[1]` where the index (negative wraps) hits, else `values[0]`. */
const oneHot: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const depth = ctx.scalarInput(1, "depth");
  const ind = ctx.input(0);
  const axis = axisOf(ctx, ctx.int("axis", -1), ind.type.shape.length + 1);
  return [callTe(ctx, "one_hot", [ind, ctx.input(2)], ([I, V]) => {
    const shape = [...I.shape];
    shape.splice(axis, 0, E.int(depth));
    return compute(shape, (idx) => {
      const pos = idx[axis];
      const raw = E.cast("int32", I.at(...idx.filter((_, a) => a !== axis)));
      const at = E.select(E.lt(raw, 0), E.add(raw, depth), raw);
      return E.select(E.eq(at, pos), V.at(1), V.at(0));
    }, "T_one_hot");
  })];
};

/** `Hardmax(x, axis)`: 1 at the first maximum along `axis`, 0 elsewhere. */
const hardmax: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  if (ctx.opset < 13) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      "Hardmax before opset 13 (2-D coercion) is not supported",
    );
  }
  const axis = axisOf(ctx, ctx.int("axis", -1), r);
  const best = ctx.op("argmax", [ctx.atom(0)], { axis, keepdims: true });
  return [callTe(ctx, "hardmax", [x, best], ([t, a]) =>
    compute(t.shape, (idx) => {
      const hit = E.eq(
        idx[axis],
        E.cast("int32", a.at(...idx.map((e, k) => (k === axis ? E.int(0) : e)))),
      );
      return E.select(hit, E.constant(1, t.dtype), E.constant(0, t.dtype));
    }, "T_hardmax"))];
};

/** `EyeLike(x, k, dtype)`: ones on the `k`-th diagonal of a 2-D tensor shaped like `x`. */
const eyeLike: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const x = ctx.input(0);
  if (x.type.shape.length !== 2) throw ctx.fail("ONNX_BAD_INPUT", "the input must be 2-D");
  const k = ctx.int("k", 0);
  const to = ctx.attr("dtype") ? dtypeOfOnnx(ctx.int("dtype")) : x.type.dtype;
  if (to === undefined) throw ctx.fail("ONNX_UNSUPPORTED_DTYPE", "its dtype is not supported");
  const [h, w] = x.type.shape.map((e) => asNumber(e.kind === "IntImm" ? e.value : e));
  if (h !== undefined && w !== undefined) {
    const a = ndarray(to, [h, w]);
    for (let i = 0; i < h; i++) {
      if (i + k >= 0 && i + k < w) setElement(a.data, to, i * w + i + k, 1);
    }
    return [constVal(a)];
  }
  return [
    callTe(
      ctx,
      "eye_like",
      [x],
      ([t]) =>
        compute(
          t.shape,
          ([i, j]) => E.select(E.eq(E.sub(j, i), k), E.constant(1, to), E.constant(0, to)),
          "T_eye",
        ),
    ),
  ];
};

/** `DepthToSpace` (DCR or CRD) and `SpaceToDepth` on NCHW, block size `b`. */
function depthSpace(toSpace: boolean): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    const x: Val = ctx.input(0);
    if (x.type.shape.length !== 4) throw ctx.fail("ONNX_BAD_INPUT", "the input must be 4-D (NCHW)");
    const b = ctx.int("blocksize");
    const crd = ctx.string("mode", "DCR") === "CRD";
    return [callTe(ctx, toSpace ? "depth_to_space" : "space_to_depth", [x], ([t]: Tensor[]) => {
      const [n, c, h, w] = t.shape;
      if (toSpace) {
        const oc = E.floordiv(c, b * b);
        return compute([n, oc, E.mul(h, b), E.mul(w, b)], ([bn, ch, y, xx]) => {
          const off = E.add(E.mul(E.floormod(y, b), b), E.floormod(xx, b));
          const src = crd ? E.add(E.mul(ch, b * b), off) : E.add(E.mul(off, oc), ch);
          return t.at(bn, src, E.floordiv(y, b), E.floordiv(xx, b));
        }, "T_depth_to_space");
      }
      return compute(
        [n, E.mul(c, b * b), E.floordiv(h, b), E.floordiv(w, b)],
        ([bn, ch, y, xx]) => {
          const blk = E.floordiv(ch, c);
          return t.at(
            bn,
            E.floormod(ch, c),
            E.add(E.mul(y, b), E.floordiv(blk, b)),
            E.add(E.mul(xx, b), E.floormod(blk, b)),
          );
        },
        "T_space_to_depth",
      );
    })];
  };
}

/**
 * `Einsum(equation, …)`: `out[o…] = Σ_r Π_k input_k[letters_k]`, summing the letters the output
 * lacks (implicit output: the letters used once, sorted). No ellipsis.
 */
const einsum: OpRule = (ctx) => {
  ctx.expectInputs(1, Infinity);
  const eq = ctx.string("equation", "").replace(/\s/g, "");
  if (eq.includes(".")) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "ellipsis (...) in the equation is not supported");
  }
  const [lhs, rhs] = eq.split("->");
  const terms = lhs.split(",");
  const xs = ctx.all();
  const bad = terms.length !== xs.length ||
    terms.some((t, k) => !/^[a-zA-Z]*$/.test(t) || t.length !== xs[k].type.shape.length);
  if (bad || (rhs !== undefined && !/^[a-zA-Z]*$/.test(rhs))) {
    throw ctx.fail(
      "ONNX_BAD_ATTRIBUTE",
      `equation "${eq}" does not fit the ${xs.length} inputs' ranks`,
    );
  }
  const count = new Map<string, number>();
  for (const c of terms.join("")) count.set(c, (count.get(c) ?? 0) + 1);
  const out = rhs ?? [...count.keys()].filter((c) => count.get(c) === 1).sort().join("");
  if ([...out].some((c) => !count.has(c))) {
    throw ctx.fail("ONNX_BAD_ATTRIBUTE", `output letters of "${eq}" not in the inputs`);
  }
  return [callTe(ctx, "einsum", xs, (ts) => {
    const size = new Map<string, X>();
    terms.forEach((t, k) => [...t].forEach((c, a) => size.has(c) || size.set(c, ts[k].shape[a])));
    const reduced = [...size.keys()].filter((c) => !out.includes(c));
    const raxes = reduced.map((c) => reduceAxis(size.get(c)!, `r_${c}`));
    return compute([...out].map((c) => size.get(c)!), (idx) => {
      const at = new Map<string, X>([
        ...[...out].map((c, i) => [c, idx[i]] as const),
        ...reduced.map((c, i) => [c, raxes[i]] as const),
      ]);
      const prod = ts.map((t, k) => t.at(...[...terms[k]].map((c) => at.get(c)!))).reduce((a, b) =>
        E.mul(a, b)
      );
      return raxes.length ? sum(prod, raxes) : prod;
    }, "T_einsum");
  })];
};

/** The DSL-function rules by ONNX op type. */
export const TENSOR_RULES: Readonly<Record<string, OpRule>> = {
  ConvTranspose: convTranspose,
  Einsum: einsum,
  CumSum: cumSum,
  Trilu: trilu,
  OneHot: oneHot,
  Hardmax: hardmax,
  EyeLike: eyeLike,
  DepthToSpace: depthSpace(true),
  SpaceToDepth: depthSpace(false),
};
