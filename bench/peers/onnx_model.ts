/**
 * ONNX models as bytes: the one adapter file for the protobuf library (`protobufjs` 7.6.6, which
 * parses the `.proto` text of `onnx_proto.ts` at load time — no generated code, no build step).
 * Encode a `ModelProto`-shaped object to bytes, decode bytes back to such an object, and build the
 * small models the bench runs in onnxruntime: MatMul `[M,K]×[K,N]` and Conv (NCHW, OIHW).
 *
 * Objects use the schema's own field names (`op_type`, `elem_type`, …); 64-bit integers are
 * plain numbers, enums their numbers, `bytes` fields `Uint8Array`s. Browser-safe (no `Deno.*`).
 *
 * @module
 */
import protobuf from "npm:protobufjs@7.6.6";
import { BenchError } from "../errors.ts";
import { ONNX_PROTO } from "./onnx_proto.ts";

/** `TensorProto.DataType.FLOAT`: fp32 elements. */
export const ONNX_FLOAT = 1;

/** `AttributeProto.AttributeType` values the builders use. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** `onnx.TensorShapeProto.Dimension`: a size or a symbolic name. */
export interface DimensionProto {
  /** Concrete size. */
  dim_value?: number;
  /** Symbolic size name. */
  dim_param?: string;
}

/** `onnx.TypeProto`, tensor variant (the others pass through untyped). */
export interface TypeProto {
  /** A dense tensor type. */
  tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } };
  /** Other variants and fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.ValueInfoProto`: a named, typed graph input, output or intermediate value. */
export interface ValueInfoProto {
  /** Value name. */
  name?: string;
  /** Its type. */
  type?: TypeProto;
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.TensorProto`: a constant tensor (initializer or attribute value). */
export interface TensorProto {
  /** Shape. */
  dims?: number[];
  /** `TensorProto.DataType` number. */
  data_type?: number;
  /** Name (initializers). */
  name?: string;
  /** fp32 elements (one way to store them). */
  float_data?: number[];
  /** Little-endian element bytes (the other). */
  raw_data?: Uint8Array;
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.AttributeProto`: one attribute of a node. */
export interface AttributeProto {
  /** Attribute name. */
  name?: string;
  /** `AttributeProto.AttributeType` number. */
  type?: number;
  /** FLOAT value. */
  f?: number;
  /** INT value. */
  i?: number;
  /** STRING value (bytes). */
  s?: Uint8Array;
  /** FLOATS value. */
  floats?: number[];
  /** INTS value. */
  ints?: number[];
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.NodeProto`: one operator application. */
export interface NodeProto {
  /** Input value names. */
  input?: string[];
  /** Output value names. */
  output?: string[];
  /** Node name. */
  name?: string;
  /** Operator, e.g. `MatMul`. */
  op_type?: string;
  /** Operator set domain (`""` = the default ONNX domain). */
  domain?: string;
  /** Attributes. */
  attribute?: AttributeProto[];
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.GraphProto`: nodes in topological order with their inputs, outputs and constants. */
export interface GraphProto {
  /** Nodes. */
  node?: NodeProto[];
  /** Graph name. */
  name?: string;
  /** Constant tensors. */
  initializer?: TensorProto[];
  /** Inputs. */
  input?: ValueInfoProto[];
  /** Outputs. */
  output?: ValueInfoProto[];
  /** Types of intermediate values. */
  value_info?: ValueInfoProto[];
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.ModelProto`: the file. */
export interface ModelProto {
  /** IR version (`onnx.Version`). */
  ir_version?: number;
  /** Operator sets the graph uses. */
  opset_import?: { domain?: string; version?: number }[];
  /** Producer name. */
  producer_name?: string;
  /** The graph. */
  graph?: GraphProto;
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

let modelType: protobuf.Type | undefined;

/** The reflected `onnx.ModelProto` type (the schema is parsed once, on first use). */
function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType(
    "onnx.ModelProto",
  );
  return modelType;
}

/**
 * Serialise a model to ONNX bytes; an object that does not fit the schema throws `BenchError`
 * `BENCH_ONNX_INVALID` naming the field.
 *
 * @example
 * ```ts
 * import { decodeModel, encodeModel } from "./onnx_model.ts";
 * const bytes = encodeModel({ ir_version: 8, graph: { name: "g" } });
 * console.assert(decodeModel(bytes).graph?.name === "g");
 * ```
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const t = modelProtoType();
  const problem = t.verify(model);
  if (problem) {
    throw new BenchError("BENCH_ONNX_INVALID", `Cannot encode the ONNX model: ${problem}`);
  }
  return t.encode(t.fromObject(model)).finish();
}

/**
 * Parse ONNX bytes into a `ModelProto` object; bytes that are not a model throw `BenchError`
 * `BENCH_ONNX_DECODE`. Fields not in the schema are skipped.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const t = modelProtoType();
  let msg: protobuf.Message;
  try {
    msg = t.decode(bytes);
  } catch (e) {
    throw new BenchError(
      "BENCH_ONNX_DECODE",
      `Cannot decode an ONNX model from ${bytes.length} bytes: ${(e as Error).message}`,
    );
  }
  return t.toObject(msg, { longs: Number, enums: Number, arrays: false, oneofs: false });
}

/**
 * A dense tensor value's name, element type and shape (a string is a symbolic size).
 *
 * @example `tensorInfo("A", ONNX_FLOAT, [2, "n"])`
 */
export function tensorInfo(
  name: string,
  elemType: number,
  shape: readonly (number | string)[],
): ValueInfoProto {
  const dim = shape.map((d) => typeof d === "number" ? { dim_value: d } : { dim_param: d });
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

/** An INTS attribute. @example `intsAttr("pads", [1, 1, 1, 1])` */
export function intsAttr(name: string, ints: readonly number[]): AttributeProto {
  return { name, type: ATTR.INTS, ints: [...ints] };
}

/** An INT attribute. @example `intAttr("group", 1)` */
export function intAttr(name: string, i: number): AttributeProto {
  return { name, type: ATTR.INT, i };
}

/**
 * A model around one graph, default ONNX domain at `opset` (default 17, IR version 8: what every
 * onnxruntime since 1.14 reads).
 */
export function modelOf(graph: GraphProto, opset = 17, irVersion = 8): ModelProto {
  return {
    ir_version: irVersion,
    opset_import: [{ domain: "", version: opset }],
    producer_name: "tessera-bench",
    graph,
  };
}

/**
 * `C[m,n] = A[m,k]·B[k,n]` as one fp32 `MatMul` node; both operands are graph inputs (no
 * initializers: the runtime cannot pre-pack or fold them, as with every other impl of the bench).
 *
 * @example
 * ```ts
 * import { decodeModel, matmulModel } from "./onnx_model.ts";
 * console.assert(decodeModel(matmulModel(2, 3, 4)).graph?.node?.[0].op_type === "MatMul");
 * ```
 */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  return encodeModel(modelOf({
    name: `matmul_${m}x${k}x${n}`,
    node: [{ op_type: "MatMul", input: ["A", "B"], output: ["C"], name: "matmul" }],
    input: [tensorInfo("A", ONNX_FLOAT, [m, k]), tensorInfo("B", ONNX_FLOAT, [k, n])],
    output: [tensorInfo("C", ONNX_FLOAT, [m, n])],
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
 * import { conv2dModel, decodeModel } from "./onnx_model.ts";
 * const spec = { batch: 1, inC: 2, h: 5, w: 5, outC: 3, kernel: 3, pad: 1, stride: 1 };
 * console.assert(decodeModel(conv2dModel(spec)).graph?.node?.[0].attribute?.length === 5);
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
  return encodeModel(modelOf({
    name: "conv2d",
    node: [{ op_type: "Conv", input: ["X", "W"], output: ["Y"], name: "conv", attribute }],
    input: [
      tensorInfo("X", ONNX_FLOAT, [c.batch, c.inC, c.h, c.w]),
      tensorInfo("W", ONNX_FLOAT, [c.outC, c.inC, c.kernel, c.kernel]),
    ],
    output: [tensorInfo("Y", ONNX_FLOAT, [c.batch, c.outC, out(c.h), out(c.w)])],
  }));
}
