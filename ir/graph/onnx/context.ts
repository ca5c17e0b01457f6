/**
 * What an op importer works with: the ONNX values seen so far (`Val`: a graph value, a constant,
 * or a small integer tensor known at import time — shapes, axes, indices — whose elements may
 * be symbolic sizes), and `NodeContext`, the view of one node (typed attribute getters, inputs,
 * the graph builder) that every rule of the op table receives.
 *
 * @module
 */
import type { DType } from "../../dtype.ts";
import { int, type PrimExpr } from "../../expr.ts";
import { TesseraError } from "../../errors.ts";
import { type NDArray, ndarray, toNumbers } from "../../ndarray.ts";
import type { GraphBuilder } from "../builder.ts";
import type { Atom, Attrs } from "../ir.ts";
import { type TensorType, tensorType } from "../types.ts";
import { nodeLabel, OnnxError, type OnnxErrorCode } from "./errors.ts";
import type { OnnxAttribute, OnnxGraph, OnnxNode } from "./model.ts";

/** An element known at import time: a number, or a symbolic int32 size expression. */
export type Known = number | PrimExpr;

/** An ONNX value during import. */
export interface Val {
  /** Its type (dtype and symbolic shape). */
  readonly type: TensorType;
  /** The graph value, once there is one. */
  readonly atom?: Atom;
  /** Constant data (initializers, `Constant` nodes). */
  readonly data?: NDArray;
  /** Row-major elements when known at import time (integer tensors of at most 64 elements). */
  readonly known?: readonly Known[];
}

/** Integer tensors up to this many elements are tracked element by element. */
export const KNOWN_LIMIT = 64;

const INT_DTYPES = new Set([
  "int64",
  "int32",
  "int16",
  "int8",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
]);

/** True for integer (not bool) dtypes. */
export function isIntDtype(d: DType): boolean {
  return INT_DTYPES.has(d);
}

/** A `Val` for constant data (tracked element by element if a small integer tensor). */
export function constVal(data: NDArray): Val {
  const type = tensorType(data.shape, data.dtype);
  const known = isIntDtype(data.dtype) && data.data.length <= KNOWN_LIMIT
    ? toNumbers(data)
    : undefined;
  return { type, data, known };
}

/** A `Val` of known integer elements with `shape` (its dims numbers: known values are small). */
export function knownVal(
  known: readonly Known[],
  shape: readonly number[],
  dtype: DType = "int64",
): Val {
  return { type: tensorType(shape, dtype), known };
}

/** An element as a number if it is one (an `IntImm` counts). */
export function asNumber(k: Known): number | undefined {
  if (typeof k === "number") return k;
  return k.kind === "IntImm" ? k.value : undefined;
}

/** An element as an int32 expression. */
export function asExpr(k: Known): PrimExpr {
  return typeof k === "number" ? int(k) : k;
}

/** The rule of one ONNX op: the values of the node's outputs (in order; fewer if trailing ones are unused). */
export type OpRule = (ctx: NodeContext) => Val[];

/** What the importer shares with every node. */
export interface ImportState {
  /** The builder of the function being made. */
  readonly b: GraphBuilder;
  /** The default-domain opset version the model imports. */
  readonly opset: number;
  /** Make (or reuse) the graph value of a `Val`. */
  atomOf(v: Val, name: string): Atom;
  /** Name a binding after an ONNX value (an identifier, unique in the function). */
  bindingName(onnxName: string): string;
}

/** One node being imported: its inputs, typed attributes and the builder. */
export class NodeContext {
  /** For messages: `node "conv1" (#3, Conv)`. */
  readonly label: string;

  /**
   * A view of `node` with its input values `inputs` (`undefined` for omitted optional ones);
   * `subgraph` imports a graph attribute in the node's scope (outer values visible).
   */
  constructor(
    readonly node: OnnxNode,
    private readonly inputs: readonly (Val | undefined)[],
    readonly state: ImportState,
    readonly subgraph: (g: OnnxGraph) => (Val | undefined)[] = () => {
      throw new OnnxError(
        "ONNX_UNSUPPORTED_OP",
        `Cannot import ${nodeLabel(node)}: no scope for subgraphs`,
      );
    },
  ) {
    this.label = nodeLabel(node);
  }

  /** The builder. */
  get b(): GraphBuilder {
    return this.state.b;
  }

  /** The default-domain opset version. */
  get opset(): number {
    return this.state.opset;
  }

  /** An error naming this node: `Cannot import node "x" (#3, Conv): <reason>`. */
  fail(code: OnnxErrorCode, reason: string, hint?: string): OnnxError {
    return new OnnxError(code, `Cannot import ${this.label}: ${reason}`, { hint });
  }

  /** Number of inputs given (trailing omitted ones not counted). */
  get arity(): number {
    let n = this.inputs.length;
    while (n > 0 && this.inputs[n - 1] === undefined) n--;
    return n;
  }

  /** Check the number of inputs lies in `[lo, hi]`. */
  expectInputs(lo: number, hi = lo): void {
    const n = this.arity;
    if (n < lo || n > hi) {
      const need = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
      throw this.fail("ONNX_BAD_INPUT", `it has ${n} inputs, the op takes ${need}`);
    }
  }

  /** Input `i` (required). */
  input(i: number): Val {
    const v = this.inputs[i];
    if (v === undefined) throw this.fail("ONNX_BAD_INPUT", `input ${i} is missing`);
    return v;
  }

  /** Input `i`, or `undefined` if omitted. */
  optional(i: number): Val | undefined {
    return this.inputs[i];
  }

  /** All inputs given (omitted ones are an error). */
  all(): Val[] {
    return Array.from({ length: this.arity }, (_, i) => this.input(i));
  }

  /** The graph value of input `i`. */
  atom(i: number): Atom {
    return this.state.atomOf(this.input(i), this.node.inputs[i]);
  }

  /** The graph value of a `Val` made by this node. */
  atomOf(v: Val): Atom {
    return this.state.atomOf(v, `${this.node.outputs[0] ?? "v"}_tmp`);
  }

  /** Input `i` known at import time (e.g. Reshape's shape): its elements; `ONNX_DYNAMIC_SHAPE` otherwise. */
  known(i: number, what: string): readonly Known[] {
    const v = this.input(i);
    if (v.known === undefined) {
      throw this.fail(
        "ONNX_DYNAMIC_SHAPE",
        `its ${what} (input ${i}, "${this.node.inputs[i]}") is computed at run time`,
        "Tessera needs shape operands it can compute from the input shapes and constants",
      );
    }
    return v.known;
  }

  /** Input `i` known at import time, every element a number. */
  knownNumbers(i: number, what: string): number[] {
    return this.known(i, what).map((k, j) => {
      const n = asNumber(k);
      if (n === undefined) {
        throw this.fail(
          "ONNX_DYNAMIC_SHAPE",
          `element ${j} of its ${what} is symbolic, need a number`,
        );
      }
      return n;
    });
  }

  /** Input `i` as one number known at import time (a constant of one element, e.g. Clip's min). */
  scalarInput(i: number, what: string): number {
    const v = this.input(i);
    const d = v.data?.data;
    if (d && d.length === 1) return Number(d[0]);
    if (v.known?.length === 1) {
      const n = asNumber(v.known[0]);
      if (n !== undefined) return n;
    }
    throw this.fail(
      "ONNX_DYNAMIC_SHAPE",
      `its ${what} (input ${i}) must be a constant of one element`,
    );
  }

  /** The attribute `name` if present. */
  attr(name: string): OnnxAttribute | undefined {
    return this.node.attributes[name];
  }

  /** Attribute `name` of kind `kind` (`ONNX_BAD_ATTRIBUTE` if of another kind), or `undefined`. */
  private typed<K extends OnnxAttribute["kind"]>(
    name: string,
    kind: K,
  ): Extract<OnnxAttribute, { kind: K }> | undefined {
    const a = this.attr(name);
    if (a === undefined) return undefined;
    if (a.kind !== kind) {
      throw this.fail("ONNX_BAD_ATTRIBUTE", `attribute "${name}" is ${a.kind}, need ${kind}`);
    }
    return a as Extract<OnnxAttribute, { kind: K }>;
  }

  /** An INT attribute (or `dflt`; required if no default). */
  int(name: string, dflt?: number): number {
    const a = this.typed(name, "int");
    if (a) return a.value;
    if (dflt === undefined) throw this.fail("ONNX_BAD_ATTRIBUTE", `attribute "${name}" is missing`);
    return dflt;
  }

  /** A FLOAT attribute (or `dflt`). */
  float(name: string, dflt: number): number {
    return this.typed(name, "float")?.value ?? dflt;
  }

  /** A STRING attribute (or `dflt`). */
  string(name: string, dflt: string): string {
    return this.typed(name, "string")?.value ?? dflt;
  }

  /** An INTS attribute, or `undefined` if absent. */
  ints(name: string): readonly number[] | undefined {
    return this.typed(name, "ints")?.value;
  }

  /** A FLOATS attribute, or `undefined` if absent. */
  floats(name: string): readonly number[] | undefined {
    return this.typed(name, "floats")?.value;
  }

  /** A TENSOR attribute, or `undefined` if absent. */
  tensor(name: string): NDArray | undefined {
    return this.typed(name, "tensor")?.value;
  }

  /** Refuse the node if attribute `name` is set to something other than `allowed`. */
  only(name: string, allowed: number | string, why: string): void {
    const a = this.attr(name);
    if (a === undefined) return;
    if ((a.kind === "int" || a.kind === "string" || a.kind === "float") && a.value === allowed) {
      return;
    }
    throw this.fail(
      "ONNX_UNSUPPORTED_OP",
      `attribute ${name}=${JSON.stringify(a.value)} is not supported (${why})`,
    );
  }

  /**
   * Apply a graph op; the result is output `k`'s value. Errors of the graph level keep their
   * class and code and gain the node's name.
   */
  op(op: string, args: readonly Atom[], attrs: Attrs = {}, k = 0): Val {
    const name = this.state.bindingName(this.node.outputs[k] || `${this.node.opType}_out`);
    const v = this.guard(() => this.b.op(op, args, attrs, name));
    return { type: v.type as TensorType, atom: v };
  }

  /** Run `f`, giving graph-level errors this node's name. */
  guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof OnnxError || !(e instanceof TesseraError)) throw e;
      const Ctor = e.constructor as new (code: string, msg: string, d: object) => TesseraError;
      throw new Ctor(e.code, `Cannot import ${this.label}: ${e.message}`, {
        path: e.path,
        hint: e.hint,
      });
    }
  }
}

/** A scalar constant `Val` of `dtype` (rank 0). */
export function scalarVal(x: number, dtype: DType): Val {
  return constVal(ndarray(dtype, [], [x]));
}
