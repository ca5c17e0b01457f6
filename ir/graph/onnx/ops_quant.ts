/**
 * Quantization ONNX ops: DequantizeLinear `(x − zero)·scale`, QuantizeLinear
 * `saturate(round_half_even(x/scale) + zero)` (per tensor or per axis), MatMulInteger
 * `(A − a0)·(B − b0)` in int32. Written as DSL functions (Q/DQ) and graph ops (MatMulInteger);
 * fusing a Q/DQ pattern into an int8 kernel is a graph pass's business, not the importer's.
 *
 * @module
 */
import * as E from "../../expr.ts";
import type { DType } from "../../dtype.ts";
import { compute, type Tensor } from "../../te.ts";
import type { NodeContext, OpRule, Val } from "./context.ts";
import { dtypeOfOnnx } from "./dtypes.ts";
import { roundEven } from "./ops_elementwise.ts";
import { axisOf } from "./ops_shape.ts";
import { callTe } from "./tir.ts";

type X = E.PrimExpr;

/** Scale/zero-point element for output index `idx`: per tensor (rank 0 or one element) or along `axis`. */
function perAxis(t: Tensor, idx: readonly X[], axis: number): X {
  return t.shape.length === 0
    ? t.at()
    : t.at(t.shape[0].kind === "IntImm" && t.shape[0].value === 1 ? E.int(0) : idx[axis]);
}

function quantAxis(ctx: NodeContext, x: Val, scale: Val): number {
  if (scale.type.shape.length > 1) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      "blocked quantization (scale of rank > 1) is not supported",
    );
  }
  const perTensor = scale.type.shape.length === 0 ||
    (scale.type.shape[0].kind === "IntImm" && scale.type.shape[0].value === 1);
  return perTensor ? 0 : axisOf(ctx, ctx.int("axis", 1), x.type.shape.length);
}

const dequantize: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const [x, scale] = [ctx.input(0), ctx.input(1)];
  const zero = ctx.optional(2);
  const axis = quantAxis(ctx, x, scale);
  const ins = zero ? [x, scale, zero] : [x, scale];
  return [callTe(ctx, "dequantize", ins, ([q, s, z]) =>
    compute(q.shape, (idx) => {
      const f = s.dtype;
      const zp = z ? E.cast(f, perAxis(z, idx, axis)) : E.constant(0, f);
      return E.mul(E.sub(E.cast(f, q.at(...idx)), zp), perAxis(s, idx, axis));
    }, "T_dequantize"))];
};

const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
};

const quantize: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const [x, scale] = [ctx.input(0), ctx.input(1)];
  const zero = ctx.optional(2);
  const axis = quantAxis(ctx, x, scale);
  const attr = ctx.attr("output_dtype") ? dtypeOfOnnx(ctx.int("output_dtype")) : undefined;
  const dtype: DType = zero?.type.dtype ?? attr ?? "uint8";
  const range = RANGES[dtype];
  if (!range) throw ctx.fail("ONNX_UNSUPPORTED_DTYPE", `quantizing to ${dtype} is not supported`);
  const ins = zero ? [x, scale, zero] : [x, scale];
  return [callTe(ctx, "quantize", ins, ([v, s, z]) =>
    compute(v.shape, (idx) => {
      const f = v.dtype;
      const zp = z ? E.cast(f, perAxis(z, idx, axis)) : E.constant(0, f);
      const q = E.add(roundEven(E.div(v.at(...idx), perAxis(s, idx, axis))), zp);
      const sat = E.max(E.min(q, E.constant(range[1], f)), E.constant(range[0], f));
      return E.cast(dtype, sat);
    }, "T_quantize"))];
};

/** `MatMulInteger(A, B, a0?, b0?)`: int32 `(A − a0)·(B − b0)`; a0 per row of A, b0 per column of B. */
const matMulInteger: OpRule = (ctx) => {
  ctx.expectInputs(2, 4);
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a.type.shape.length !== 2 || b.type.shape.length !== 2) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "only 2-D MatMulInteger is supported");
  }
  const side = (v: Val, zero: Val | undefined, perRow: boolean) => {
    const wide = ctx.op("cast", [ctx.atomOf(v)], { dtype: "int32" });
    if (!zero) return wide.atom!;
    let z = ctx.op("cast", [ctx.atomOf(zero)], { dtype: "int32" });
    if (perRow && zero.type.shape.length === 1) z = ctx.op("expand_dims", [z.atom!], { axis: 1 });
    return ctx.op("sub", [wide.atom!, z.atom!]).atom!;
  };
  return [ctx.op("matmul", [side(a, ctx.optional(2), true), side(b, ctx.optional(3), false)])];
};

/** The quantization rules by ONNX op type. */
export const QUANT_RULES: Readonly<Record<string, OpRule>> = {
  DequantizeLinear: dequantize,
  QuantizeLinear: quantize,
  MatMulInteger: matMulInteger,
};
