/**
 * Small builders of `ModelProto` objects, for the programs that write ONNX files (the bench's
 * models, `conformance/models/`, tests): value infos, nodes with typed attributes, initializers
 * from `NDArray`s, a model around a graph. Encode the result with `encodeModelProto`.
 *
 * @module
 */
import type { DType } from "../../dtype.ts";
import type { NDArray } from "../../ndarray.ts";
import type {
  AttributeProto,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  ValueInfoProto,
} from "./codec.ts";
import { ATTR, onnxOfDtype } from "./dtypes.ts";
import { OnnxError } from "./errors.ts";
import { tensorToProto } from "./tensor.ts";

function elemTypeOf(t: DType | number): number {
  if (typeof t === "number") return t;
  const e = onnxOfDtype(t);
  if (e === undefined) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot write a ${t} value: ONNX has no such type`,
    );
  }
  return e;
}

/**
 * A dense tensor value's name, element type (a dtype or an ONNX type number) and shape (a string
 * is a symbolic size).
 *
 * @example
 * ```ts
 * import { tensorInfo } from "./write.ts";
 * console.assert(tensorInfo("A", "float32", [2, "n"]).type?.tensor_type?.elem_type === 1);
 * ```
 */
export function tensorInfo(
  name: string,
  elemType: DType | number,
  shape: readonly (number | string)[],
): ValueInfoProto {
  const dim = shape.map((d) => typeof d === "number" ? { dim_value: d } : { dim_param: d });
  return { name, type: { tensor_type: { elem_type: elemTypeOf(elemType), shape: { dim } } } };
}

/** An INTS attribute. @example `intsAttr("pads", [1, 1, 1, 1])` */
export function intsAttr(name: string, ints: readonly number[]): AttributeProto {
  return { name, type: ATTR.INTS, ints: [...ints] };
}

/** An INT attribute. @example `intAttr("group", 1)` */
export function intAttr(name: string, i: number): AttributeProto {
  return { name, type: ATTR.INT, i };
}

/** A FLOAT attribute. @example `floatAttr("epsilon", 1e-5)` */
export function floatAttr(name: string, f: number): AttributeProto {
  return { name, type: ATTR.FLOAT, f };
}

/** A FLOATS attribute. @example `floatsAttr("scales", [1, 2])` */
export function floatsAttr(name: string, floats: readonly number[]): AttributeProto {
  return { name, type: ATTR.FLOATS, floats: [...floats] };
}

/** A STRING attribute. @example `stringAttr("auto_pad", "SAME_UPPER")` */
export function stringAttr(name: string, s: string): AttributeProto {
  return { name, type: ATTR.STRING, s: new TextEncoder().encode(s) };
}

/** A TENSOR attribute (e.g. `Constant`'s `value`). @example `tensorAttr("value", ndarray("int64", [1], [0]))` */
export function tensorAttr(name: string, t: NDArray): AttributeProto {
  return { name, type: ATTR.TENSOR, t: tensorToProto("", t) };
}

/** An attribute value as `node` takes it: a number is INT if integral, else FLOAT; arrays of numbers are INTS. */
export type OnnxAttrValue = number | string | readonly number[] | AttributeProto;

/**
 * A node. Attribute values: integers become INT, other numbers FLOAT, strings STRING, number
 * arrays INTS (pass `floatsAttr(...)`/`floatAttr(...)` for floats that happen to be integral).
 *
 * @example
 * ```ts
 * import { node } from "./write.ts";
 * const n = node("Gemm", ["x", "w", "b"], ["y"], { transB: 1, alpha: 0.5 });
 * console.assert(n.attribute?.length === 2 && n.attribute[1].type === 1);
 * ```
 */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, OnnxAttrValue>> = {},
  name?: string,
): NodeProto {
  const attribute = Object.entries(attrs).map(([k, v]): AttributeProto => {
    if (typeof v === "number") return Number.isInteger(v) ? intAttr(k, v) : floatAttr(k, v);
    if (typeof v === "string") return stringAttr(k, v);
    if (Array.isArray(v)) return intsAttr(k, v as number[]);
    return { ...(v as AttributeProto), name: k };
  });
  return {
    op_type: opType,
    input: [...inputs],
    output: [...outputs],
    ...(name ? { name } : {}),
    ...(attribute.length ? { attribute } : {}),
  };
}

/** An initializer: `a` under `name`, stored as raw little-endian bytes. @example `initializer("W", w)` */
export function initializer(name: string, a: NDArray): TensorProto {
  return tensorToProto(name, a);
}

/**
 * A model around one graph, default ONNX domain at `opset` (default 17, IR version 8: what every
 * onnxruntime since 1.14 reads).
 *
 * @example
 * ```ts
 * import { modelOf } from "./write.ts";
 * console.assert(modelOf({ name: "g" }).opset_import?.[0].version === 17);
 * ```
 */
export function modelOf(graph: GraphProto, opset = 17, irVersion = 8): ModelProto {
  return {
    ir_version: irVersion,
    opset_import: [{ domain: "", version: opset }],
    producer_name: "tessera",
    graph,
  };
}
