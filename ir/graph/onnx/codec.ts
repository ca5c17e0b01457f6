/**
 * ONNX bytes ⇄ `ModelProto`-shaped objects: the one adapter file for the protobuf library
 * (`protobufjs` 7.6.6, which parses the `.proto` text of `proto.ts` at load time — no generated
 * code, no build step). `decode.ts` turns the raw objects into the typed `OnnxModel`; model
 * writers build raw objects (see `write.ts`) and encode them here.
 *
 * Objects use the schema's own field names (`op_type`, `elem_type`, …); 64-bit integers are
 * plain numbers, enums their numbers, `bytes` fields `Uint8Array`s. Browser-safe (no `Deno.*`).
 *
 * @module
 */
import protobuf from "npm:protobufjs@7.6.6";
import { OnnxError } from "./errors.ts";
import { ONNX_PROTO } from "./proto.ts";

/** `onnx.TensorShapeProto.Dimension`: a size or a symbolic name. */
export interface DimensionProto {
  /** Concrete size. */
  dim_value?: number;
  /** Symbolic size name. */
  dim_param?: string;
  /** Other fields, as decoded. */
  [field: string]: unknown;
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
  /** fp32 (and complex64) elements. */
  float_data?: number[];
  /** int32, int16, int8, uint16, uint8, bool elements; float16/bfloat16 bit patterns. */
  int32_data?: number[];
  /** int64 elements. */
  int64_data?: number[];
  /** float64 elements. */
  double_data?: number[];
  /** uint32 and uint64 elements. */
  uint64_data?: number[];
  /** Little-endian element bytes (the other way to store them). */
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
  /** TENSOR value. */
  t?: TensorProto;
  /** GRAPH value. */
  g?: GraphProto;
  /** FLOATS value. */
  floats?: number[];
  /** INTS value. */
  ints?: number[];
  /** STRINGS value. */
  strings?: Uint8Array[];
  /** Other fields, as decoded. */
  [field: string]: unknown;
}

/** `onnx.NodeProto`: one operator application. */
export interface NodeProto {
  /** Input value names (`""` = an omitted optional input). */
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
 * Serialise a model to ONNX bytes; an object that does not fit the schema throws `OnnxError`
 * `ONNX_ENCODE` naming the field.
 *
 * @example
 * ```ts
 * import { decodeModelProto, encodeModelProto } from "./codec.ts";
 * const bytes = encodeModelProto({ ir_version: 8, graph: { name: "g" } });
 * console.assert(decodeModelProto(bytes).graph?.name === "g");
 * ```
 */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const t = modelProtoType();
  const problem = t.verify(model);
  if (problem) {
    throw new OnnxError("ONNX_ENCODE", `Cannot encode the ONNX model: ${problem}`);
  }
  return t.encode(t.fromObject(model)).finish();
}

/**
 * Parse ONNX bytes into a `ModelProto` object; bytes that are not a model throw `OnnxError`
 * `ONNX_DECODE`. Fields not in the schema are skipped.
 *
 * @example
 * ```ts
 * import { decodeModelProto } from "./codec.ts";
 * console.assert(decodeModelProto(new Uint8Array()).graph === undefined);
 * ```
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const t = modelProtoType();
  try {
    const msg = t.decode(bytes);
    return t.toObject(msg, { longs: Number, enums: Number, arrays: false, oneofs: false });
  } catch (e) {
    throw new OnnxError(
      "ONNX_DECODE",
      `Cannot decode an ONNX model from ${bytes.length} bytes: ${(e as Error).message}`,
      { hint: "is this an .onnx file (a protobuf ModelProto)?" },
    );
  }
}
