/**
 * `decodeOnnx`: ONNX bytes → `OnnxModel`, the typed form the importer reads. Every malformed or
 * unsupported piece is an `OnnxError` naming where it is (graph, node name or index, op,
 * attribute, initializer); nothing else escapes, whatever the bytes.
 *
 * @module
 */
import type { NDArray } from "../../ndarray.ts";
import {
  type AttributeProto,
  decodeModelProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from "./codec.ts";
import { ATTR, dtypeOfOnnx, onnxTypeName } from "./dtypes.ts";
import { nodeLabel, OnnxError } from "./errors.ts";
import type {
  OnnxAttribute,
  OnnxDim,
  OnnxFunction,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxValueInfo,
} from "./model.ts";
import { tensorFromProto } from "./tensor.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });

function malformed(message: string): never {
  throw new OnnxError("ONNX_MALFORMED", message);
}

/**
 * Decode ONNX bytes into an `OnnxModel`. Throws `OnnxError` (`ONNX_DECODE` for bytes that are
 * not a protobuf `ModelProto`, `ONNX_MALFORMED`, `ONNX_EXTERNAL_DATA`, `ONNX_UNSUPPORTED_DTYPE`,
 * `ONNX_UNSUPPORTED_ATTRIBUTE`, `ONNX_TENSOR_DATA`) and nothing else.
 *
 * @example
 * ```ts
 * import { decodeOnnx } from "./decode.ts";
 * import { encodeModelProto } from "./codec.ts";
 * import { modelOf, node, tensorInfo } from "./write.ts";
 * const bytes = encodeModelProto(modelOf({
 *   name: "g",
 *   node: [node("Relu", ["x"], ["y"])],
 *   input: [tensorInfo("x", "float32", ["n", 4])],
 *   output: [tensorInfo("y", "float32", ["n", 4])],
 * }));
 * const m = decodeOnnx(bytes);
 * console.assert(m.graph.inputs[0].shape?.[0] === "n");
 * console.assert(m.opsetImports.get("") === 17);
 * ```
 */
export function decodeOnnx(bytes: Uint8Array): OnnxModel {
  return fromModelProto(decodeModelProto(bytes));
}

/** The typed model of a decoded `ModelProto` object (see `decodeOnnx`). */
export function fromModelProto(m: ModelProto): OnnxModel {
  if (m.graph === undefined) malformed("Cannot read the model: it has no graph");
  const opsetImports = new Map<string, number>();
  for (const o of m.opset_import ?? []) {
    const domain = o.domain === "ai.onnx" ? "" : o.domain ?? "";
    opsetImports.set(domain, o.version ?? 1);
  }
  return {
    irVersion: m.ir_version ?? 0,
    opsetImports,
    producerName: m.producer_name ?? "",
    graph: graphOf(m.graph, "graph"),
    functions: (m.functions as FunctionProto[] | undefined ?? []).map(functionOf),
  };
}

/** `FunctionProto` fields the importer reads. */
interface FunctionProto {
  name?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attribute_proto?: AttributeProto[];
  node?: NodeProto[];
}

function functionOf(f: FunctionProto, i: number): OnnxFunction {
  const name = f.name ?? "";
  if (!name) malformed(`Cannot read function #${i}: it has no name`);
  const at = `function "${name}"`;
  const attributes: Record<string, OnnxAttribute | null> = Object.create(null);
  for (const a of f.attribute ?? []) attributes[a] = null;
  Object.assign(attributes, attributesOf(f.attribute_proto ?? [], at, false));
  return {
    name,
    domain: f.domain === "ai.onnx" ? "" : f.domain ?? "",
    inputs: f.input ?? [],
    outputs: f.output ?? [],
    attributes,
    nodes: nodesOf(f.node ?? [], at, true),
  };
}

function nodesOf(nodes: NodeProto[], at: string, inFunction: boolean): OnnxNode[] {
  return nodes.map((n, index) => {
    const opType = n.op_type ?? "";
    const label = nodeLabel({ name: n.name, index, opType: opType || "?" });
    if (!opType) malformed(`Cannot read ${label} of ${at}: it has no op_type`);
    return {
      index,
      name: n.name ?? "",
      opType,
      domain: n.domain === "ai.onnx" ? "" : n.domain ?? "",
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: attributesOf(n.attribute ?? [], `${label} of ${at}`, inFunction),
    };
  });
}

function graphOf(g: GraphProto, where: string): OnnxGraph {
  const name = g.name ?? "";
  const at = name ? `graph "${name}"` : where;
  if (Array.isArray(g.sparse_initializer) && g.sparse_initializer.length > 0) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot read ${at}: sparse initializers are not supported`,
    );
  }
  const initializers = new Map<string, NDArray>();
  for (const [i, t] of (g.initializer ?? []).entries()) {
    const tname = t.name ?? "";
    if (!tname) malformed(`Cannot read initializer #${i} of ${at}: it has no name`);
    if (initializers.has(tname)) malformed(`Cannot read ${at}: two initializers named "${tname}"`);
    initializers.set(tname, tensorFromProto(t, `initializer "${tname}" of ${at}`));
  }
  const values = (vs: ValueInfoProto[] | undefined, what: string, untyped = true) =>
    (vs ?? []).map((v, i) => valueInfoOf(v, `${what} #${i} of ${at}`, untyped));
  return {
    name,
    inputs: values(g.input, "input", false).filter((v) => !initializers.has(v.name)),
    outputs: values(g.output, "output"),
    initializers,
    valueInfo: values(g.value_info, "value_info"),
    nodes: nodesOf(g.node ?? [], at, false),
  };
}

function valueInfoOf(v: ValueInfoProto, where: string, untyped: boolean): OnnxValueInfo {
  const name = v.name ?? "";
  if (!name) malformed(`Cannot read ${where}: it has no name`);
  const at = `value "${name}" (${where})`;
  if (v.type === undefined && untyped) return { name };
  const tt = v.type?.tensor_type;
  if (tt === undefined) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot read ${at}: only tensor values are supported (no type, or a sequence/map/optional type)`,
    );
  }
  const dtype = dtypeOfOnnx(tt.elem_type ?? 0);
  if (dtype === undefined) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot read ${at}: element type ${onnxTypeName(tt.elem_type ?? 0)} is not supported`,
    );
  }
  if (tt.shape === undefined) return { name, dtype };
  const shape: OnnxDim[] = (tt.shape.dim ?? []).map((d, i) => {
    if (d.dim_value !== undefined) {
      if (!Number.isSafeInteger(d.dim_value) || d.dim_value < 0) {
        malformed(`Cannot read ${at}: dimension ${i} is ${d.dim_value}`);
      }
      return d.dim_value;
    }
    return d.dim_param ? d.dim_param : null;
  });
  return { name, dtype, shape };
}

/** Kind of an attribute: its declared type, or (old files) the field that is set. */
function kindOf(a: AttributeProto): number {
  if (a.type) return a.type;
  const set = (k: string) => a[k] !== undefined;
  if (set("t")) return ATTR.TENSOR;
  if (set("g")) return ATTR.GRAPH;
  if (set("s")) return ATTR.STRING;
  if (set("f")) return ATTR.FLOAT;
  if (set("i")) return ATTR.INT;
  if (set("floats")) return ATTR.FLOATS;
  if (set("ints")) return ATTR.INTS;
  if (set("strings")) return ATTR.STRINGS;
  return 0;
}

function attributesOf(
  attrs: AttributeProto[],
  where: string,
  inFunction: boolean,
): Record<string, OnnxAttribute> {
  const out: Record<string, OnnxAttribute> = Object.create(null);
  for (const [i, a] of attrs.entries()) {
    const name = a.name ?? "";
    if (!name) malformed(`Cannot read attribute #${i} of ${where}: it has no name`);
    if (name in out) malformed(`Cannot read ${where}: two attributes named "${name}"`);
    const at = `attribute "${name}" of ${where}`;
    if (a.ref_attr_name && inFunction) {
      out[name] = { kind: "ref", value: String(a.ref_attr_name) };
      continue;
    }
    if (a.ref_attr_name) {
      throw new OnnxError(
        "ONNX_UNSUPPORTED_ATTRIBUTE",
        `Cannot read ${at}: a reference to a function attribute outside a function`,
      );
    }
    out[name] = attributeOf(a, at);
  }
  return out;
}

function attributeOf(a: AttributeProto, at: string): OnnxAttribute {
  const kind = kindOf(a);
  switch (kind) {
    case ATTR.INT:
      return { kind: "int", value: a.i ?? 0 };
    case ATTR.FLOAT:
      return { kind: "float", value: a.f ?? 0 };
    case ATTR.STRING:
      return { kind: "string", value: utf8.decode(a.s ?? new Uint8Array()) };
    case ATTR.INTS:
      return { kind: "ints", value: a.ints ?? [] };
    case ATTR.FLOATS:
      return { kind: "floats", value: a.floats ?? [] };
    case ATTR.STRINGS:
      return { kind: "strings", value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case ATTR.TENSOR:
      if (a.t === undefined) malformed(`Cannot read ${at}: a TENSOR attribute without a tensor`);
      return { kind: "tensor", value: tensorFromProto(a.t, at) };
    case ATTR.TENSORS: {
      const ts = (a.tensors ?? []) as NonNullable<AttributeProto["t"]>[];
      return { kind: "tensors", value: ts.map((t, i) => tensorFromProto(t, `${at}[${i}]`)) };
    }
    case ATTR.GRAPH:
      if (a.g === undefined) malformed(`Cannot read ${at}: a GRAPH attribute without a graph`);
      return { kind: "graph", value: graphOf(a.g, `graph of ${at}`) };
    case ATTR.GRAPHS: {
      const gs = (a.graphs ?? []) as GraphProto[];
      return { kind: "graphs", value: gs.map((g, i) => graphOf(g, `graph ${i} of ${at}`)) };
    }
  }
  throw new OnnxError(
    "ONNX_UNSUPPORTED_ATTRIBUTE",
    `Cannot read ${at}: attribute type ${kind} (${
      kind === 0 ? "undefined" : "sparse tensor or type proto"
    }) is not supported`,
  );
}
