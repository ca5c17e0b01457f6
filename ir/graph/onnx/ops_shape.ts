/**
 * Shape and data-movement ONNX ops. Shape computations are evaluated at import time on known
 * values (elements numbers or symbolic sizes): `Shape`, `Size`, `Gather`/`Concat`/`Slice`/
 * `Squeeze`/`Unsqueeze`/`Reshape` of known tensors, `Range` and `ConstantOfShape` of numbers.
 * Data ops map onto the graph's `reshape`, `transpose`, `concat`, `slice`, `squeeze`,
 * `expand_dims`, `broadcast_to`, `pad`, `flatten`; `Gather`, `Tile` and friends are DSL
 * functions called with `callTIR`.
 *
 * @module
 */
import * as E from "../../expr.ts";
import { ndarray, numel } from "../../ndarray.ts";
import { reshape as teReshape } from "../../ops/reshape.ts";
import { compute } from "../../te.ts";
import {
  asExpr,
  asNumber,
  constVal,
  type Known,
  KNOWN_LIMIT,
  knownVal,
  type NodeContext,
  type OpRule,
  type Val,
} from "./context.ts";
import { knownProduct } from "./known.ts";
import { callTe } from "./tir.ts";
import { symbolicExpand, symbolicFill, symbolicRange, symbolicSlice } from "./ops_symbolic.ts";

/** The concrete shape of a known value (known values have number dims). */
function dimsOfKnown(v: Val): number[] {
  return v.type.shape.map((d) => (d as { value: number }).value);
}

/** A dimension as a known element (a number when constant). */
function knownDim(d: E.PrimExpr): Known {
  return d.kind === "IntImm" ? d.value : d;
}

/** Normalise `axis` into `[0, rank)` (`ONNX_BAD_ATTRIBUTE` if out of range). */
export function axisOf(ctx: NodeContext, axis: number, rank: number, what = "axis"): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw ctx.fail("ONNX_BAD_ATTRIBUTE", `${what} ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Axes from an attribute (before `sinceOpset`) or from input `i` (since); `undefined` if absent. */
export function axesOf(ctx: NodeContext, i: number, sinceOpset: number): number[] | undefined {
  if (ctx.opset < sinceOpset) return ctx.ints("axes")?.slice();
  return ctx.optional(i) === undefined ? undefined : ctx.knownNumbers(i, "axes");
}

/** A shape as graph-op attribute entries: numbers and size-variable names; `undefined` if a dim is an expression. */
function shapeAttr(dims: readonly Known[]): (number | string)[] | undefined {
  const out: (number | string)[] = [];
  for (const d of dims) {
    const n = asNumber(d);
    if (n !== undefined) out.push(n);
    else if (typeof d !== "number" && d.kind === "Var") out.push(d.name);
    else return undefined;
  }
  return out;
}

/** `x` reshaped to `dims` (expressions allowed): the graph's reshape, or a DSL reshape. */
export function reshapeTo(ctx: NodeContext, x: Val, dims: readonly Known[]): Val {
  const attr = shapeAttr(dims);
  if (attr) return ctx.op("reshape", [ctx.atomOf(x)], { shape: attr });
  // One compound dimension can be inferred by the graph op (-1); more need a DSL function.
  const compound = dims.filter((d) => shapeAttr([d]) === undefined).length;
  if (compound === 1) {
    return ctx.op("reshape", [ctx.atomOf(x)], {
      shape: dims.map((d) => shapeAttr([d])?.[0] ?? -1),
    });
  }
  return callTe(ctx, "reshape", [x], ([t]) => teReshape(t, dims.map(asExpr)));
}

const shape: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const dims = ctx.input(0).type.shape.map(knownDim);
  const r = dims.length;
  const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clamp(ctx.int("start", 0));
  const end = clamp(ctx.int("end", r));
  const k = dims.slice(start, Math.max(start, end));
  return [knownVal(k, [k.length])];
};

const size: OpRule = (ctx) => {
  ctx.expectInputs(1);
  return [knownVal([knownProduct(ctx.input(0).type.shape.map(knownDim))], [])];
};

const reshape: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const x = ctx.input(0);
  const allowzero = ctx.int("allowzero", 0) !== 0;
  const target = ctx.known(1, "shape").map((d, i) => {
    if (asNumber(d) === 0 && !allowzero) {
      const dim = x.type.shape[i];
      if (dim === undefined) {
        throw ctx.fail(
          "ONNX_BAD_INPUT",
          `shape entry ${i} is 0 but the input has rank ${x.type.shape.length}`,
        );
      }
      return knownDim(dim);
    }
    return d;
  });
  if (x.known) {
    const free = target.filter((d) => asNumber(d) === -1).length;
    const nums = target.map(asNumber);
    if (nums.every((n) => n !== undefined) && free <= 1) {
      const rest = nums.reduce((a, n) => (n === -1 ? a : a! * n!), 1)!;
      const out = nums.map((n) => (n === -1 ? x.known!.length / rest : n!));
      if (numel(out) === x.known.length) return [knownVal(x.known, out, x.type.dtype)];
    }
  }
  return [reshapeTo(ctx, x, target)];
};

const transpose: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const perm = ctx.ints("perm") ?? [...Array(r).keys()].reverse();
  if (x.known && r <= 1) return [x];
  return [ctx.op("transpose", [ctx.atom(0)], { perm: [...perm] })];
};

const concat: OpRule = (ctx) => {
  ctx.expectInputs(1, Infinity);
  const xs = ctx.all();
  if (xs.every((x) => x.known && x.type.shape.length === 1)) {
    const k = xs.flatMap((x) => x.known!);
    return [knownVal(k, [k.length], xs[0].type.dtype)];
  }
  if (xs.length === 1) return [xs[0]];
  return [ctx.op("concat", xs.map((x) => ctx.atomOf(x)), { axis: ctx.int("axis") })];
};

/** Slice of a known rank-1 value (Python semantics, ends clamped). */
function sliceKnown(k: readonly Known[], start: number, end: number, step: number): Known[] {
  const n = k.length;
  const norm = (i: number, isEnd: boolean) => {
    if (i < 0) i += n;
    return step > 0
      ? Math.min(Math.max(i, 0), n)
      : Math.min(Math.max(i, -1), isEnd ? n - 1 : n - 1);
  };
  const out: Known[] = [];
  const s = norm(start, false);
  const e = norm(end, true);
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(k[i]);
  return out;
}

const slice: OpRule = (ctx) => {
  const x = ctx.input(0);
  const r = x.type.shape.length;
  let starts: Known[];
  let ends: Known[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    ctx.expectInputs(1);
    starts = [...(ctx.ints("starts") ?? [])];
    ends = [...(ctx.ints("ends") ?? [])];
    axes = ctx.ints("axes")?.slice();
  } else {
    ctx.expectInputs(3, 5);
    starts = [...ctx.known(1, "starts")];
    ends = [...ctx.known(2, "ends")];
    axes = ctx.optional(3) ? ctx.knownNumbers(3, "axes") : undefined;
    steps = ctx.optional(4) ? ctx.knownNumbers(4, "steps") : undefined;
  }
  axes = (axes ?? starts.map((_, i) => i)).map((a) => axisOf(ctx, a, r, "slice axis"));
  if (steps?.some((st) => st === 0)) throw ctx.fail("ONNX_BAD_INPUT", "a step is 0");
  if (
    ends.length !== starts.length || axes.length !== starts.length ||
    (steps && steps.length !== starts.length)
  ) {
    throw ctx.fail("ONNX_BAD_INPUT", "starts, ends, axes and steps differ in length");
  }
  const step = steps ?? starts.map(() => 1);
  const numbers = (ks: Known[]) => ks.map(asNumber);
  const [b0, e0] = [numbers(starts), numbers(ends)];
  if (b0.some((v) => v === undefined) || e0.some((v) => v === undefined)) {
    return [symbolicSlice(ctx, x, starts, ends, axes, step)];
  }
  const [bs, es] = [b0 as number[], e0 as number[]];
  if (x.known && r === 1 && axes.length === 1) {
    const k = sliceKnown(x.known, bs[0], es[0], step[0]);
    return [knownVal(k, [k.length], x.type.dtype)];
  }
  // Indices beyond any int32 size (exporters write INT64_MAX/MIN for "to the end"): clamp
  // into range, or leave the end open where it lies past the end in the step's direction.
  const big = 2 ** 31;
  const clamp = (i: number) => Math.min(Math.max(i, -(big - 1)), big - 1);
  const end = es.map((e, k) => ((step[k] > 0 ? e >= big : e <= -big) ? undefined : clamp(e)));
  const begin = bs.map(clamp);
  return [ctx.op("slice", [ctx.atom(0)], { begin, end: end as number[], step, axes })];
};

const squeeze: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const axes = axesOf(ctx, 1, 13)?.map((a) => axisOf(ctx, a, r));
  const keep = x.type.shape.filter((
    d,
    i,
  ) => (axes ? !axes.includes(i) : !(d.kind === "IntImm" && d.value === 1)));
  if (x.known) {
    return [knownVal(x.known, keep.map((d) => (d as { value: number }).value), x.type.dtype)];
  }
  return [ctx.op("squeeze", [ctx.atom(0)], axes ? { axes } : {})];
};

const unsqueeze: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const x = ctx.input(0);
  const axes = axesOf(ctx, 1, 13);
  if (axes === undefined) throw ctx.fail("ONNX_BAD_ATTRIBUTE", "it has no axes");
  const rOut = x.type.shape.length + axes.length;
  const sorted = axes.map((a) => axisOf(ctx, a, rOut)).sort((a, b) => a - b);
  if (x.known) {
    const dims = dimsOfKnown(x);
    for (const a of sorted) dims.splice(a, 0, 1);
    return [knownVal(x.known, dims, x.type.dtype)];
  }
  let v = x;
  for (const a of sorted) v = ctx.op("expand_dims", [ctx.atomOf(v)], { axis: a });
  return [v];
};

const flatten: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const axis = ctx.int("axis", 1);
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) {
    throw ctx.fail("ONNX_BAD_ATTRIBUTE", `axis ${axis} is out of range for rank ${r}`);
  }
  if (a === 1 && r >= 2) return [ctx.op("flatten", [ctx.atom(0)], { axis: 1 })];
  const dims = x.type.shape.map(knownDim);
  return [reshapeTo(ctx, x, [knownProduct(dims.slice(0, a)), knownProduct(dims.slice(a))])];
};

/** Broadcast two shapes numpy-style (bidirectional, as ONNX `Expand`). */
function broadcastDims(ctx: NodeContext, a: readonly Known[], b: readonly Known[]): Known[] {
  const r = Math.max(a.length, b.length);
  const out: Known[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[i - (r - a.length)] ?? 1;
    const y = b[i - (r - b.length)] ?? 1;
    if (asNumber(x) === 1) out.push(y);
    else if (asNumber(y) === 1) out.push(x);
    else if (
      asNumber(x) !== undefined && asNumber(y) !== undefined && asNumber(x) !== asNumber(y)
    ) {
      throw ctx.fail(
        "ONNX_BAD_INPUT",
        `cannot broadcast dimension ${asNumber(x)} to ${asNumber(y)}`,
      );
    } else out.push(x);
  }
  return out;
}

const expand: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const x = ctx.input(0);
  const dims = broadcastDims(ctx, x.type.shape.map(knownDim), ctx.known(1, "shape"));
  const attr = shapeAttr(dims);
  if (!attr) return [symbolicExpand(ctx, x, dims)];
  return [ctx.op("broadcast_to", [ctx.atom(0)], { shape: attr })];
};

const tile: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const reps = ctx.knownNumbers(1, "repeats");
  return [
    callTe(ctx, "tile", [ctx.input(0)], ([x]) =>
      compute(
        x.shape.map((d, i) => E.mul(d, reps[i])),
        (idx) => x.at(...idx.map((v, i) => E.floormod(v, x.shape[i]))),
        "T_tile",
      )),
  ];
};

const pad: OpRule = (ctx) => {
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const mode = ctx.string("mode", "constant");
  if (!["constant", "reflect", "edge", "wrap"].includes(mode)) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", `pad mode "${mode}" is not supported`);
  }
  let pads: number[];
  let value = 0;
  let axes = [...Array(r).keys()];
  if (ctx.opset < 11) {
    ctx.expectInputs(1);
    pads = [...(ctx.ints("pads") ?? [])];
    value = ctx.float("value", 0);
  } else {
    ctx.expectInputs(2, 4);
    pads = ctx.knownNumbers(1, "pads");
    if (ctx.optional(2)) value = ctx.scalarInput(2, "constant_value");
    if (ctx.optional(3)) axes = ctx.knownNumbers(3, "axes").map((a) => axisOf(ctx, a, r));
  }
  if (pads.length !== 2 * axes.length) {
    throw ctx.fail("ONNX_BAD_INPUT", `it has ${pads.length} pads for ${axes.length} axes`);
  }
  const before = Array(r).fill(0);
  const after = Array(r).fill(0);
  axes.forEach((a, i) => {
    before[a] = pads[i];
    after[a] = pads[i + axes.length];
  });
  if (mode === "constant" && pads.every((p) => p >= 0)) {
    return [ctx.op("pad", [ctx.atom(0)], { before, after, value })];
  }
  return [padIndexed(ctx, x, mode, before, after, value)];
};

/**
 * Pad by index mapping (`j = i − before` along each axis): `reflect` mirrors without repeating
 * the edge (`−j`, `2(d−1) − j`), `edge` clamps, `wrap` takes `j mod d`, `constant` reads the value
 * outside; negative pads crop.
 */
function padIndexed(
  ctx: NodeContext,
  x: Val,
  mode: string,
  before: readonly number[],
  after: readonly number[],
  value: number,
): Val {
  return callTe(
    ctx,
    `pad_${mode}`,
    [x],
    ([t]) =>
      compute(t.shape.map((d, a) => E.add(d, before[a] + after[a])), (idx) => {
        let inside: E.PrimExpr = E.bool(true);
        const src = idx.map((i, a) => {
          const d = t.shape[a];
          const j = E.sub(i, before[a]);
          if (before[a] === 0 && after[a] <= 0) return j;
          if (mode === "edge") return E.max(E.min(j, E.sub(d, 1)), 0);
          if (mode === "wrap") return E.floormod(j, d);
          if (mode === "reflect") {
            const back = E.select(E.lt(j, 0), E.sub(0, j), j);
            return E.select(E.ge(back, d), E.sub(E.mul(E.sub(d, 1), 2), back), back);
          }
          inside = E.and(inside, E.and(E.ge(j, 0), E.lt(j, d)));
          return E.max(E.min(j, E.sub(d, 1)), 0);
        });
        return mode === "constant"
          ? E.select(inside, t.at(...src), E.constant(value, t.dtype))
          : t.at(...src);
      }, "T_pad"),
  );
}

const constant: OpRule = (ctx) => {
  ctx.expectInputs(0);
  const t = ctx.tensor("value");
  if (t) return [constVal(t)];
  const a = ctx.node.attributes;
  if (a.value_float?.kind === "float") {
    return [constVal(ndarray("float32", [], [a.value_float.value]))];
  }
  if (a.value_floats?.kind === "floats") {
    return [constVal(ndarray("float32", [a.value_floats.value.length], a.value_floats.value))];
  }
  if (a.value_int?.kind === "int") return [constVal(ndarray("int64", [], [a.value_int.value]))];
  if (a.value_ints?.kind === "ints") {
    return [constVal(ndarray("int64", [a.value_ints.value.length], a.value_ints.value))];
  }
  throw ctx.fail("ONNX_UNSUPPORTED_OP", "only tensor, float(s) and int(s) values are supported");
};

const constantOfShape: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const fill = ctx.tensor("value") ?? ndarray("float32", [1], [0]);
  const dims = ctx.known(0, "shape");
  const nums = dims.map(asNumber);
  const v = Number(fill.data[0]);
  if (nums.every((n) => n !== undefined)) {
    const shape = nums as number[];
    if (fill.dtype !== "float32" && numel(shape) <= KNOWN_LIMIT) {
      return [knownVal(Array(numel(shape)).fill(v), shape, fill.dtype)];
    }
    return [constVal(ndarray(fill.dtype, shape, Array(numel(shape)).fill(v)))];
  }
  return [symbolicFill(ctx, dims, fill.dtype, v)];
};

const range: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const dtype = ctx.input(0).type.dtype;
  const lim = ctx.input(1).known;
  if (lim?.length === 1 && asNumber(lim[0]) === undefined) {
    const [start, delta] = [ctx.scalarInput(0, "start"), ctx.scalarInput(2, "delta")];
    if (delta <= 0) throw ctx.fail("ONNX_DYNAMIC_SHAPE", "a symbolic limit needs a positive delta");
    return [symbolicRange(ctx, dtype, start, lim[0], delta)];
  }
  const [start, limit, delta] = [0, 1, 2].map((i) =>
    ctx.scalarInput(i, ["start", "limit", "delta"][i])
  );
  if (delta === 0) throw ctx.fail("ONNX_BAD_INPUT", "delta is 0");
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  if (n > 2 ** 24) throw ctx.fail("ONNX_BAD_INPUT", `it makes ${n} elements`);
  const values = Array.from({ length: n }, (_, i) => start + i * delta);
  if (dtype.startsWith("int") && n <= KNOWN_LIMIT) return [knownVal(values, [n], dtype)];
  return [constVal(ndarray(dtype, [n], values))];
};

/** `Gather(data, indices, axis)`: known rank-1 data evaluated, else a DSL gather. */
const gather: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const [data, indices] = [ctx.input(0), ctx.input(1)];
  const r = data.type.shape.length;
  const axis = axisOf(ctx, ctx.int("axis", 0), r);
  if (data.known && r === 1 && indices.known) {
    const n = data.known.length;
    const out = indices.known.map((i) => {
      const k = asNumber(i);
      if (k === undefined || k < -n || k >= n) {
        throw ctx.fail("ONNX_BAD_INPUT", `index ${String(k)} is out of range for ${n}`);
      }
      return data.known![k < 0 ? k + n : k];
    });
    return [knownVal(out, dimsOfKnown(indices), data.type.dtype)];
  }
  return [callTe(ctx, "gather", [data, indices], ([d, ind]) => {
    const q = ind.shape.length;
    const shape = [...d.shape.slice(0, axis), ...ind.shape, ...d.shape.slice(axis + 1)];
    return compute(shape, (idx) => {
      const raw = E.cast("int32", ind.at(...idx.slice(axis, axis + q)));
      const at = E.select(E.lt(raw, 0), E.add(raw, d.shape[axis]), raw);
      return d.at(...idx.slice(0, axis), at, ...idx.slice(axis + q));
    }, "T_gather");
  })];
};

/** `GatherElements(data, indices, axis)`. */
const gatherElements: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const r = ctx.input(0).type.shape.length;
  const axis = axisOf(ctx, ctx.int("axis", 0), r);
  return [
    callTe(
      ctx,
      "gather_elements",
      [ctx.input(0), ctx.input(1)],
      ([d, ind]) =>
        compute(ind.shape, (idx) => {
          const raw = E.cast("int32", ind.at(...idx));
          const at = E.select(E.lt(raw, 0), E.add(raw, d.shape[axis]), raw);
          return d.at(...idx.map((v, i) => (i === axis ? at : v)));
        }, "T_gather_elements"),
    ),
  ];
};

/** `Split(x, split?)`: slices along `axis`, sizes given or equal. */
const split: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const axis = axisOf(ctx, ctx.int("axis", 0), r);
  const n = ctx.node.outputs.length;
  const dim = asNumber(knownDim(x.type.shape[axis]));
  let sizes: number[] | undefined = ctx.opset < 13
    ? ctx.ints("split")?.slice()
    : ctx.optional(1)
    ? ctx.knownNumbers(1, "split")
    : undefined;
  if (!sizes) {
    if (dim === undefined) {
      throw ctx.fail("ONNX_DYNAMIC_SHAPE", `it splits symbolic dimension ${axis} without sizes`);
    }
    const chunk = Math.ceil(dim / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  let at = 0;
  return sizes.map((s, k) => {
    const v = ctx.op("slice", [ctx.atom(0)], {
      begin: [at],
      end: [at + s],
      step: [1],
      axes: [axis],
    }, k);
    at += s;
    return v;
  });
};

/** The shape rules by ONNX op type. */
export const SHAPE_RULES: Readonly<Record<string, OpRule>> = {
  Shape: shape,
  Size: size,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Flatten: flatten,
  Expand: expand,
  Tile: tile,
  Pad: pad,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
  Gather: gather,
  GatherElements: gatherElements,
  Split: split,
};
