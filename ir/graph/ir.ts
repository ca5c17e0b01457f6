/**
 * The graph-level IR (in the spirit of TVM Relax): functions over tensors whose types carry
 * symbolic shapes, made of blocks of SSA bindings. A binding binds a `GraphVar` (with its type)
 * to one value: a high-level op call, a `callTIR` into a tensor-level function of the same
 * module, a call of an external function by name, a tuple, a tuple field, or a shape match.
 * Arguments are atoms: variables or constants (weights held as `NDArray`s).
 *
 * Nodes are immutable plain objects with a `kind` tag; variables are identified by object, like
 * the tensor level's. A binding's variable carries the type of its value, so the output type of
 * a `callTIR` or extern call is written once, on its variable.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { PrimExpr } from "../expr.ts";
import { type IRModule, irModule, type PrimFunc, withFunction } from "../func.ts";
import type { NDArray } from "../ndarray.ts";
import { GraphError } from "./errors.ts";
import { type GraphType, type TensorType, tensorType } from "./types.ts";

/** An SSA value of a graph function: a parameter or the result of a binding. */
export interface GraphVar {
  /** Node kind. */
  readonly kind: "GraphVar";
  /** Name for printing and messages (identity is the object). */
  readonly name: string;
  /** Its type. */
  readonly type: GraphType;
}

/** A constant tensor (a weight). */
export interface Constant {
  /** Node kind. */
  readonly kind: "Constant";
  /** The data. */
  readonly value: NDArray;
  /** Its type (a concrete shape). */
  readonly type: TensorType;
  /** A name for printing and messages, e.g. the weight's name in a model file. */
  readonly name: string;
}

/** An argument of a call: a variable or a constant. */
export type Atom = GraphVar | Constant;

/** An op attribute: a number, string, boolean, or a list of them. */
export type AttrValue = number | string | boolean | readonly AttrValue[];

/** Op attributes by name. */
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * An equality of dimensions that the compiler could not prove, checked when the graph runs
 * (`GRAPH_RUNTIME_SHAPE` if it fails).
 */
export interface ShapeCheck {
  /** One side. */
  readonly a: PrimExpr;
  /** The other side. */
  readonly b: PrimExpr;
  /** What is compared, for the message, e.g. `dim 1 of "x" and dim 1 of "w"`. */
  readonly what: string;
}

/** A call of a high-level graph op (`dense`, `add`, `softmax`, …): see `graph_ops.ts`. */
export interface OpCall {
  /** Node kind. */
  readonly kind: "OpCall";
  /** The op's name. */
  readonly op: string;
  /** Operands. */
  readonly args: readonly Atom[];
  /** Attributes (axes, strides, …). */
  readonly attrs: Attrs;
}

/**
 * A call of a tensor-level function of the module in destination-passing style: the function's
 * parameters are `args`, then one output buffer per tensor of the binding's type (a tuple type
 * for several outputs). Symbolic sizes are bound from the shapes, so one function serves every
 * size.
 */
export interface CallTIR {
  /** Node kind. */
  readonly kind: "CallTIR";
  /** Name of a `PrimFunc` in the module's `tir`. */
  readonly func: string;
  /** Inputs. */
  readonly args: readonly Atom[];
}

/**
 * A call of an external (vendor, packed) function by name; the executor finds it in its table
 * of externs. An impure call (side effects) is never removed or reordered.
 */
export interface CallExtern {
  /** Node kind. */
  readonly kind: "CallExtern";
  /** The external function's name. */
  readonly func: string;
  /** Inputs. */
  readonly args: readonly Atom[];
  /** Attributes passed along. */
  readonly attrs: Attrs;
  /** False if the call has side effects. */
  readonly pure: boolean;
}

/** A tuple of values. */
export interface TupleValue {
  /** Node kind. */
  readonly kind: "Tuple";
  /** Fields. */
  readonly fields: readonly Atom[];
}

/** A field of a tuple. */
export interface TupleGetItem {
  /** Node kind. */
  readonly kind: "TupleGetItem";
  /** The tuple. */
  readonly tuple: Atom;
  /** Field index. */
  readonly index: number;
}

/**
 * The same value with a more precise type (the binding's): checked at run time, binding the
 * size variables the type introduces (like Relax's `match_cast`).
 */
export interface MatchShape {
  /** Node kind. */
  readonly kind: "MatchShape";
  /** The value. */
  readonly value: Atom;
}

/** What a binding binds. */
export type GraphValue = OpCall | CallTIR | CallExtern | TupleValue | TupleGetItem | MatchShape;

/** `v = value`, with the run-time shape checks to make before computing it. */
export interface Binding {
  /** Node kind. */
  readonly kind: "Binding";
  /** The variable bound (its type is the value's). */
  readonly v: GraphVar;
  /** The value. */
  readonly value: GraphValue;
  /** Equalities checked at run time before the value is computed. */
  readonly checks: readonly ShapeCheck[];
}

/**
 * A block of bindings. A dataflow block holds only pure bindings, whose order is free and which
 * may be removed when unused; other blocks keep impure extern calls in order.
 */
export interface BindingBlock {
  /** Node kind. */
  readonly kind: "BindingBlock";
  /** True for a dataflow block. */
  readonly dataflow: boolean;
  /** Bindings in order. */
  readonly bindings: readonly Binding[];
}

/** A graph-level function. */
export interface GraphFunc {
  /** Node kind. */
  readonly kind: "GraphFunc";
  /** Name in the module. */
  readonly name: string;
  /** Parameters; the size variables in their shapes are bound from the inputs' shapes. */
  readonly params: readonly GraphVar[];
  /** Blocks in order. */
  readonly blocks: readonly BindingBlock[];
  /** The result (a tuple variable for several results). */
  readonly output: Atom;
  /** Attributes. */
  readonly attrs: Attrs;
}

/**
 * A module of both levels: graph functions and the tensor-level functions (`PrimFunc`s, as an
 * `IRModule`) they call. One name names one function across both.
 */
export interface GraphModule {
  /** Node kind. */
  readonly kind: "GraphModule";
  /** Graph functions by name. */
  readonly graphs: ReadonlyMap<string, GraphFunc>;
  /** Tensor-level functions (what `sdk.build` and the interpreter take). */
  readonly tir: IRModule;
}

/**
 * A graph variable.
 *
 * @example
 * ```ts
 * import { graphVar } from "./ir.ts";
 * import { tensorType } from "./types.ts";
 * const x = graphVar("x", tensorType([4]));
 * console.assert(x.kind === "GraphVar");
 * ```
 */
export function graphVar(name: string, type: GraphType): GraphVar {
  return { kind: "GraphVar", name, type };
}

/**
 * A constant from an array.
 *
 * @example
 * ```ts
 * import { constant } from "./ir.ts";
 * import { ndarray } from "../ndarray.ts";
 * const w = constant(ndarray("float32", [2], [1, 2]), "w");
 * console.assert(w.type.shape.length === 1);
 * ```
 */
export function constant(value: NDArray, name = "const"): Constant {
  return { kind: "Constant", value, type: tensorType(value.shape, value.dtype as DType), name };
}

/** A binding (checks default to none). */
export function binding(
  v: GraphVar,
  value: GraphValue,
  checks: readonly ShapeCheck[] = [],
): Binding {
  return { kind: "Binding", v, value, checks };
}

/** A block of bindings. */
export function bindingBlock(bindings: readonly Binding[], dataflow = true): BindingBlock {
  return { kind: "BindingBlock", dataflow, bindings };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A graph function.
 *
 * @example
 * ```ts
 * import { graphFunc, graphVar } from "./ir.ts";
 * import { tensorType } from "./types.ts";
 * const x = graphVar("x", tensorType([4]));
 * const f = graphFunc("identity", [x], [], x);
 * console.assert(f.output === x);
 * ```
 */
export function graphFunc(
  name: string,
  params: readonly GraphVar[],
  blocks: readonly BindingBlock[],
  output: Atom,
  attrs: Attrs = {},
): GraphFunc {
  if (!IDENT.test(name)) {
    throw new GraphError(
      "GRAPH_BAD_NAME",
      `Cannot name a graph function "${name}": use letters, digits and _`,
    );
  }
  return { kind: "GraphFunc", name, params, blocks, output, attrs };
}

/**
 * A module of graph functions and tensor-level functions (`GRAPH_DUPLICATE_NAME` if a name is
 * used twice).
 *
 * @example
 * ```ts
 * import { graphFunc, graphModule, graphVar } from "./ir.ts";
 * import { tensorType } from "./types.ts";
 * const x = graphVar("x", tensorType([4]));
 * const m = graphModule([graphFunc("main", [x], [], x)]);
 * console.assert(m.graphs.has("main") && m.tir.functions.size === 0);
 * ```
 */
export function graphModule(
  graphs: readonly GraphFunc[],
  tir: IRModule | readonly PrimFunc[] = [],
): GraphModule {
  const t = "kind" in tir ? tir : irModule(tir as readonly PrimFunc[]);
  const map = new Map<string, GraphFunc>();
  for (const g of graphs) {
    if (map.has(g.name) || t.functions.has(g.name)) {
      throw new GraphError(
        "GRAPH_DUPLICATE_NAME",
        `Cannot add function "${g.name}" to a module twice`,
      );
    }
    map.set(g.name, g);
  }
  return { kind: "GraphModule", graphs: map, tir: t };
}

/** The module with graph function `f` added or replaced. */
export function withGraph(mod: GraphModule, f: GraphFunc): GraphModule {
  if (mod.tir.functions.has(f.name)) {
    throw new GraphError(
      "GRAPH_DUPLICATE_NAME",
      `Cannot add graph function "${f.name}": a tensor-level function has that name`,
    );
  }
  const graphs = new Map(mod.graphs);
  graphs.set(f.name, f);
  return { kind: "GraphModule", graphs, tir: mod.tir };
}

/** The module with tensor-level function `f` added or replaced. */
export function withPrimFunc(mod: GraphModule, f: PrimFunc): GraphModule {
  if (mod.graphs.has(f.name)) {
    throw new GraphError(
      "GRAPH_DUPLICATE_NAME",
      `Cannot add function "${f.name}": a graph function has that name`,
    );
  }
  return { kind: "GraphModule", graphs: mod.graphs, tir: withFunction(mod.tir, f) };
}

/** Every binding of a function, in order. */
export function bindingsOf(f: GraphFunc): Binding[] {
  return f.blocks.flatMap((b) => b.bindings);
}

/** The atoms a value reads. */
export function argsOf(v: GraphValue): readonly Atom[] {
  switch (v.kind) {
    case "OpCall":
    case "CallTIR":
    case "CallExtern":
      return v.args;
    case "Tuple":
      return v.fields;
    case "TupleGetItem":
      return [v.tuple];
    case "MatchShape":
      return [v.value];
  }
}

/** True if a value may be removed when unused (everything but impure extern calls). */
export function isPure(v: GraphValue): boolean {
  return v.kind !== "CallExtern" || v.pure;
}
