/**
 * `importOnnx`: an ONNX model → a graph-level module. Each node goes through the op mapping
 * table (`op_table.ts`): most become graph ops of the operator library, shape computations
 * (Shape → Gather → Concat → Reshape, …) are evaluated at import time with symbolic sizes, and
 * ops without a graph op become tensor-level functions called with `callTIR`.
 *
 * @module
 */
import type { NDArray } from "../../ndarray.ts";
import { GraphBuilder } from "../builder.ts";
import type { Atom } from "../ir.ts";
import type { GraphModule } from "../ir.ts";
import type { TensorType } from "../types.ts";
import { constVal, type ImportState, type Val } from "./context.ts";
import { decodeOnnx } from "./decode.ts";
import { OnnxError } from "./errors.ts";
import type { OnnxDim, OnnxModel } from "./model.ts";
import { importNodes } from "./nodes.ts";
import { knownAsData } from "./ops_symbolic.ts";
import { ndarray } from "../../ndarray.ts";

/** Options of `importOnnx`. */
export interface OnnxImportOptions {
  /** Name of the graph function (default `"main"`). */
  readonly name?: string;
  /**
   * Sizes for input dimensions: by symbol (`{ batch: 1 }` fixes `dim_param` "batch"), or by
   * input name with a full shape (`{ x: [1, 3, 224, 224] }`). Unnamed unknown dimensions
   * otherwise become size variables `<input>_<axis>`.
   */
  readonly shapes?: Readonly<Record<string, number | readonly number[]>>;
}

/** Default-domain opsets the op table is written for. */
export const ONNX_OPSET_RANGE: readonly [number, number] = [7, 23];

/**
 * Import an ONNX model (decoded, or its bytes) as a graph-level module with one function
 * (`main` by default) whose parameters are the model's inputs — symbolic dimensions stay size
 * variables of the same names — and whose result is its output (a tuple for several).
 * Throws `OnnxError` for what the importer does not cover (`ONNX_UNSUPPORTED_OP` naming the
 * node, `ONNX_OPSET`, `ONNX_DYNAMIC_SHAPE`, …) and graph-level errors for shapes that do not fit.
 *
 * @example
 * ```ts
 * import { importOnnx } from "./import.ts";
 * import { encodeModelProto } from "./codec.ts";
 * import { modelOf, node, tensorInfo } from "./write.ts";
 * const bytes = encodeModelProto(modelOf({
 *   name: "g",
 *   node: [node("Relu", ["x"], ["y"])],
 *   input: [tensorInfo("x", "float32", ["n", 4])],
 *   output: [tensorInfo("y", "float32", ["n", 4])],
 * }));
 * const mod = importOnnx(bytes);
 * console.assert(mod.graphs.get("main")!.params[0].name === "x");
 * ```
 */
export function importOnnx(
  model: OnnxModel | Uint8Array,
  options: OnnxImportOptions = {},
): GraphModule {
  const m = model instanceof Uint8Array ? decodeOnnx(model) : model;
  const opset = m.opsetImports.get("") ?? 0;
  if (opset < ONNX_OPSET_RANGE[0] || opset > ONNX_OPSET_RANGE[1]) {
    throw new OnnxError(
      "ONNX_OPSET",
      `Cannot import the model: it imports opset ${opset} of the default domain, the importer covers ${
        ONNX_OPSET_RANGE[0]
      } to ${ONNX_OPSET_RANGE[1]}`,
      { hint: "convert it with onnx.version_converter" },
    );
  }
  const b = new GraphBuilder(options.name ?? "main");
  const atoms = new Map<Val, Atom>();
  const used = new Set<string>();
  const state: ImportState = {
    b,
    opset,
    atomOf(v, name) {
      if (v.atom) return v.atom;
      let a = atoms.get(v);
      if (!a) {
        a = v.data || isNumeric(v)
          ? b.constant(v.data ?? materialize(v), name)
          : knownAsData(b, graphInputs, v, state.bindingName(name)).atom!;
        atoms.set(v, a);
      }
      return a;
    },
    bindingName(onnxName) {
      const base = onnxName.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=[^A-Za-z_])/, "v_");
      let n = base;
      for (let i = 1; used.has(n); i++) n = `${base}_${i}`;
      used.add(n);
      return n;
    },
  };
  const env = new Map<string, Val>();
  const graphInputs: Val[] = [];
  const g = m.graph;
  for (const [name, data] of g.initializers) env.set(name, constVal(data));
  for (const inp of g.inputs) {
    const shape = inputShape(inp.name, inp.shape, options.shapes ?? {});
    const v = b.input(state.bindingName(inp.name), shape, inp.dtype);
    const val: Val = { type: v.type as TensorType, atom: v };
    env.set(inp.name, val);
    graphInputs.push(val);
  }
  const functions = new Map(m.functions.map((f) => [`${f.domain}::${f.name}`, f]));
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  importNodes(g.nodes, env, { state, functions, outputs: graphOutputs, depth: 0 });
  const results = g.outputs.map((o) => {
    const v = env.get(o.name);
    if (v === undefined) {
      throw new OnnxError(
        "ONNX_UNKNOWN_VALUE",
        `Cannot import the model: no node produces its output "${o.name}"`,
      );
    }
    return state.atomOf(v, state.bindingName(o.name));
  });
  if (results.length === 0) {
    throw new OnnxError("ONNX_MALFORMED", "Cannot import the model: its graph has no outputs");
  }
  b.output(...results);
  return b.finish();
}

/** True if a known `Val`'s elements are all numbers. */
function isNumeric(v: Val): boolean {
  return v.known !== undefined &&
    v.known.every((e) => typeof e === "number" || e.kind === "IntImm");
}

/** A known `Val` of numbers as constant data. */
function materialize(v: Val): NDArray {
  const k = v.known!;
  const dims = v.type.shape.map((d) => (d as { value: number }).value);
  return ndarray(
    v.type.dtype,
    dims,
    k.map((e) => (typeof e === "number" ? e : (e as { value: number }).value)),
  );
}

/** The shape of input `name`: its dims, with user-given sizes and fresh names for unknown ones. */
function inputShape(
  name: string,
  shape: readonly OnnxDim[] | undefined,
  given: Readonly<Record<string, number | readonly number[]>>,
): (number | string)[] {
  const whole = given[name];
  if (Array.isArray(whole)) return [...whole];
  if (shape === undefined) {
    throw new OnnxError(
      "ONNX_BAD_INPUT",
      `Cannot import input "${name}": the model gives no shape for it`,
      { hint: `give one: importOnnx(model, { shapes: { "${name}": [...] } })` },
    );
  }
  return shape.map((d, i) => {
    if (typeof d === "number") return d;
    const sym = d ?? `${name}_${i}`.replace(/[^A-Za-z0-9_]/g, "_");
    const fixed = given[sym];
    return typeof fixed === "number" ? fixed : sym;
  });
}
