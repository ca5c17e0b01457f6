/**
 * ONNX `Resize` (opset 11+; `Upsample`'s successor) as a DSL function: modes `nearest` (every
 * `nearest_mode`) and `linear` (multi-linear over the resized axes), coordinate transformations
 * `half_pixel`, `pytorch_half_pixel`, `asymmetric`, `align_corners`. Resized axes need constant
 * sizes (their output size is a number); other axes may be symbolic.
 *
 * @module
 */
import * as E from "../../expr.ts";
import { compute, type Tensor } from "../../te.ts";
import { constVal, NodeContext, type OpRule } from "./context.ts";
import { ndarray } from "../../ndarray.ts";
import type { OnnxAttribute } from "./model.ts";
import { callTe } from "./tir.ts";

type X = E.PrimExpr;
const F = "float32";
const f = (x: number): X => E.constant(x, F);

/** Source coordinate (float) of output index `i` along one axis. */
function sourceCoord(mode: string, i: X, inLen: number, outLen: number, scale: number): X {
  const x = E.cast(F, i);
  switch (mode) {
    case "half_pixel":
      return E.sub(E.div(E.add(x, f(0.5)), f(scale)), f(0.5));
    case "pytorch_half_pixel":
      return outLen > 1 ? E.sub(E.div(E.add(x, f(0.5)), f(scale)), f(0.5)) : f(0);
    case "asymmetric":
      return E.div(x, f(scale));
    default: // align_corners
      return outLen > 1 ? E.mul(x, f((inLen - 1) / (outLen - 1))) : f(0);
  }
}

/** Nearest index for a source coordinate under `nearest_mode`. */
function nearestIndex(mode: string, c: X): X {
  const floor = (v: X) => E.call("floor", [v]);
  const ceil = (v: X) => E.call("ceil", [v]);
  switch (mode) {
    case "floor":
      return floor(c);
    case "ceil":
      return ceil(c);
    case "round_prefer_ceil":
      return floor(E.add(c, f(0.5)));
    default: // round_prefer_floor: halves go down
      return ceil(E.sub(c, f(0.5)));
  }
}

const clampIdx = (i: X, n: number): X => E.max(E.min(E.cast("int32", i), n - 1), 0);

const resize: OpRule = (ctx) => {
  ctx.expectInputs(2, 4);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const mode = ctx.string("mode", "nearest");
  const coord = ctx.string("coordinate_transformation_mode", "half_pixel");
  const nearest = ctx.string("nearest_mode", "round_prefer_floor");
  if (mode !== "nearest" && mode !== "linear") {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", `mode "${mode}" is not supported`);
  }
  if (!["half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"].includes(coord)) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      `coordinate_transformation_mode "${coord}" is not supported`,
    );
  }
  if (ctx.attr("axes") || ctx.int("antialias", 0) !== 0) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "axes and antialias are not supported");
  }
  // Scales (input 2) and sizes (input 3): one of them, the other omitted or empty.
  const scalesVal = ctx.optional(2);
  if (scalesVal && !scalesVal.data && !scalesVal.known) {
    throw ctx.fail("ONNX_DYNAMIC_SHAPE", "its scales are computed at run time");
  }
  const scaleList = scalesVal?.data && scalesVal.data.data.length > 0
    ? [...scalesVal.data.data].map(Number)
    : undefined;
  const sizesIn = ctx.optional(3) ? ctx.knownNumbers(3, "sizes") : undefined;
  if (!scaleList && !sizesIn) {
    throw ctx.fail("ONNX_BAD_INPUT", "it has neither constant scales nor sizes");
  }
  const axes: { axis: number; inLen: number; outLen: number; scale: number }[] = [];
  for (let a = 0; a < r; a++) {
    const s = scaleList?.[a];
    const out = sizesIn?.[a];
    const d = x.type.shape[a];
    if (
      (s === undefined || s === 1) &&
      (out === undefined || (d.kind === "IntImm" && out === d.value))
    ) continue;
    if (d.kind !== "IntImm") {
      throw ctx.fail("ONNX_DYNAMIC_SHAPE", `axis ${a} is resized but its size is symbolic`);
    }
    const outLen = out ?? Math.floor(d.value * s!);
    axes.push({ axis: a, inLen: d.value, outLen, scale: out !== undefined ? out / d.value : s! });
  }
  if (mode === "linear" && axes.length > 3) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "linear resize of more than 3 axes");
  }
  return [callTe(ctx, `resize_${mode}`, [x], ([t]: Tensor[]) => {
    const shape = t.shape.map((d, a) => {
      const q = axes.find((q) => q.axis === a);
      return q ? E.int(q.outLen) : d;
    });
    return compute(shape, (idx) => {
      const coords = axes.map((q) => sourceCoord(coord, idx[q.axis], q.inLen, q.outLen, q.scale));
      if (mode === "nearest") {
        const src = [...idx] as X[];
        axes.forEach((q, k) => (src[q.axis] = clampIdx(nearestIndex(nearest, coords[k]), q.inLen)));
        return t.at(...src);
      }
      // Linear: clamp the coordinate into [0, in − 1], blend the 2^k neighbours.
      const parts = axes.map((q, k) => {
        const c = E.min(E.max(coords[k], f(0)), f(q.inLen - 1));
        const lo = E.call("floor", [c]);
        return {
          lo: clampIdx(lo, q.inLen),
          hi: clampIdx(E.add(lo, f(1)), q.inLen),
          w: E.sub(c, lo),
        };
      });
      let acc: X = E.constant(0, t.dtype);
      for (let corner = 0; corner < 1 << axes.length; corner++) {
        const src = [...idx] as X[];
        let weight: X = f(1);
        axes.forEach((q, k) => {
          const up = (corner >> k) & 1;
          src[q.axis] = up ? parts[k].hi : parts[k].lo;
          weight = E.mul(weight, up ? parts[k].w : E.sub(f(1), parts[k].w));
        });
        acc = E.add(acc, E.mul(E.cast(t.dtype, weight), t.at(...src)));
      }
      return acc;
    }, "T_resize");
  })];
};

/**
 * `Upsample` (opsets 7–9, Resize's predecessor): scales as an attribute (7) or input (9), the
 * asymmetric transformation, nearest rounding down — imported as that Resize.
 */
const upsample: OpRule = (ctx) => {
  ctx.expectInputs(1, 2);
  const scales = ctx.opset < 9
    ? constVal(ndarray("float32", [ctx.floats("scales")?.length ?? 0], ctx.floats("scales") ?? []))
    : ctx.input(1);
  const mode = ctx.string("mode", "nearest");
  const attributes: Record<string, OnnxAttribute> = Object.create(null);
  attributes.mode = { kind: "string", value: mode === "bilinear" ? "linear" : mode };
  attributes.coordinate_transformation_mode = { kind: "string", value: "asymmetric" };
  attributes.nearest_mode = { kind: "string", value: "floor" };
  const node = { ...ctx.node, attributes };
  return resize(new NodeContext(node, [ctx.input(0), undefined, scales], ctx.state, ctx.subgraph));
};

/** The resize rules by ONNX op type. */
export const RESIZE_RULES: Readonly<Record<string, OpRule>> = {
  Resize: resize,
  Upsample: upsample,
};
