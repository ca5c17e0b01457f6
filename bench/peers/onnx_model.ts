/**
 * The small ONNX models the bench runs in onnxruntime: MatMul `[M,K]×[K,N]` and Conv (NCHW,
 * OIHW). The schema, the protobuf adapter and the builders live in `ir/graph/onnx/`.
 *
 * @module
 */
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import { intAttr, intsAttr, modelOf, tensorInfo } from "../../ir/graph/onnx/write.ts";

/**
 * `C[m,n] = A[m,k]·B[k,n]` as one fp32 `MatMul` node; both operands are graph inputs (no
 * initializers: the runtime cannot pre-pack or fold them, as with every other impl of the bench).
 *
 * @example
 * ```ts
 * import { decodeModelProto } from "../../ir/graph/onnx/codec.ts";
 * import { matmulModel } from "./onnx_model.ts";
 * console.assert(decodeModelProto(matmulModel(2, 3, 4)).graph?.node?.[0].op_type === "MatMul");
 * ```
 */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  return encodeModelProto(modelOf({
    name: `matmul_${m}x${k}x${n}`,
    node: [{ op_type: "MatMul", input: ["A", "B"], output: ["C"], name: "matmul" }],
    input: [tensorInfo("A", "float32", [m, k]), tensorInfo("B", "float32", [k, n])],
    output: [tensorInfo("C", "float32", [m, n])],
  }));
}

/** The shape of a square-kernel 2-D convolution. */
export interface ConvSpec {
  /** Batch. */
  readonly batch: number;
  /** Input channels. */
  readonly inC: number;
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Output channels. */
  readonly outC: number;
  /** Kernel height and width. */
  readonly kernel: number;
  /** Zero padding on each side. */
  readonly pad: number;
  /** Stride in both directions. */
  readonly stride: number;
}

/**
 * `Y = Conv(X, W)`: fp32, X NCHW, W OIHW, no bias, symmetric zero padding; X and W are graph
 * inputs.
 *
 * @example
 * ```ts
 * import { decodeModelProto } from "../../ir/graph/onnx/codec.ts";
 * import { conv2dModel } from "./onnx_model.ts";
 * const spec = { batch: 1, inC: 2, h: 5, w: 5, outC: 3, kernel: 3, pad: 1, stride: 1 };
 * console.assert(decodeModelProto(conv2dModel(spec)).graph?.node?.[0].attribute?.length === 5);
 * ```
 */
export function conv2dModel(c: ConvSpec): Uint8Array {
  const out = (size: number) => Math.floor((size + 2 * c.pad - c.kernel) / c.stride) + 1;
  const attribute = [
    intsAttr("kernel_shape", [c.kernel, c.kernel]),
    intsAttr("pads", [c.pad, c.pad, c.pad, c.pad]),
    intsAttr("strides", [c.stride, c.stride]),
    intsAttr("dilations", [1, 1]),
    intAttr("group", 1),
  ];
  return encodeModelProto(modelOf({
    name: "conv2d",
    node: [{ op_type: "Conv", input: ["X", "W"], output: ["Y"], name: "conv", attribute }],
    input: [
      tensorInfo("X", "float32", [c.batch, c.inC, c.h, c.w]),
      tensorInfo("W", "float32", [c.outC, c.inC, c.kernel, c.kernel]),
    ],
    output: [tensorInfo("Y", "float32", [c.batch, c.outC, out(c.h), out(c.w)])],
  }));
}
