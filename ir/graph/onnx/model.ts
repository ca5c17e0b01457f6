/**
 * `OnnxModel`: a decoded ONNX file as typed plain data — what `decodeOnnx` returns and
 * `importOnnx` reads. Constants are `NDArray`s, attributes are tagged by kind, symbolic sizes
 * (`dim_param`) stay names.
 *
 * @module
 */
import type { DType } from "../../dtype.ts";
import type { NDArray } from "../../ndarray.ts";

/** One dimension of a value's shape: a size, a symbol (`dim_param`), or `null` if unknown. */
export type OnnxDim = number | string | null;

/** A typed graph input, output or intermediate value. */
export interface OnnxValueInfo {
  /** Value name. */
  readonly name: string;
  /** Element dtype; absent only for an output or intermediate whose type the file leaves out. */
  readonly dtype?: DType;
  /** Shape, if the file states one (each dimension a size, a symbol or unknown). */
  readonly shape?: readonly OnnxDim[];
}

/** A node attribute, tagged by its kind. */
export type OnnxAttribute =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly kind: "tensor"; readonly value: NDArray }
  | { readonly kind: "tensors"; readonly value: readonly NDArray[] }
  | { readonly kind: "graph"; readonly value: OnnxGraph }
  | { readonly kind: "graphs"; readonly value: readonly OnnxGraph[] }
  /** Inside a function body only: the caller's attribute of that name. */
  | { readonly kind: "ref"; readonly value: string };

/** The kinds of attributes. */
export type OnnxAttributeKind = OnnxAttribute["kind"];

/** One operator application. */
export interface OnnxNode {
  /** Position in its graph (0-based): names the node in messages when it has no name. */
  readonly index: number;
  /** Node name (may be `""`). */
  readonly name: string;
  /** Operator, e.g. `"Conv"`. */
  readonly opType: string;
  /** Operator set domain: `""` for the default ONNX domain (`ai.onnx`). */
  readonly domain: string;
  /** Input value names; `""` marks an omitted optional input. */
  readonly inputs: readonly string[];
  /** Output value names; `""` marks an unused optional output. */
  readonly outputs: readonly string[];
  /** Attributes by name. */
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph: nodes in topological order, its inputs, outputs and constants. */
export interface OnnxGraph {
  /** Graph name. */
  readonly name: string;
  /**
   * Inputs the caller feeds. An input that also has an initializer is a constant with a default
   * (ONNX IR < 4 lists every initializer as an input): it is among `initializers`, not here.
   */
  readonly inputs: readonly OnnxValueInfo[];
  /** Outputs. */
  readonly outputs: readonly OnnxValueInfo[];
  /** Constant tensors by name. */
  readonly initializers: ReadonlyMap<string, NDArray>;
  /** Types the file states for intermediate values. */
  readonly valueInfo: readonly OnnxValueInfo[];
  /** Nodes in topological order. */
  readonly nodes: readonly OnnxNode[];
}

/** A model-local function (`FunctionProto`): nodes called like an op of `domain`. */
export interface OnnxFunction {
  /** Function name: the op type callers use. */
  readonly name: string;
  /** Its domain: the op domain callers use. */
  readonly domain: string;
  /** Formal inputs. */
  readonly inputs: readonly string[];
  /** Formal outputs. */
  readonly outputs: readonly string[];
  /** Attributes a caller may set, with their defaults where the function gives one. */
  readonly attributes: Readonly<Record<string, OnnxAttribute | null>>;
  /** The body, in topological order; attributes of kind `ref` name the caller's. */
  readonly nodes: readonly OnnxNode[];
}

/** A decoded ONNX file. */
export interface OnnxModel {
  /** ONNX IR version of the file. */
  readonly irVersion: number;
  /** Operator set version per domain (`""` = `ai.onnx`). */
  readonly opsetImports: ReadonlyMap<string, number>;
  /** Producer name (may be `""`). */
  readonly producerName: string;
  /** The main graph. */
  readonly graph: OnnxGraph;
  /** Model-local functions. */
  readonly functions: readonly OnnxFunction[];
}
