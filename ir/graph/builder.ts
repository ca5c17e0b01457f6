/**
 * `GraphBuilder`: the way to make graph functions from code (importers, tests, users).
 *
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { randomNDArray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", ["n", 16]);                      // "n": a size variable
 * const w = b.constant(randomNDArray("float32", [8, 16]), "w");
 * const y = b.op("dense", [x, w]);                        // type inferred: [n, 8]
 * b.output(b.op("relu", [y]));
 * const mod = b.finish();
 * console.assert(mod.graphs.get("main")!.params.length === 1);
 * ```
 *
 * Every method that makes a value infers its type at once, so a shape error points at the call
 * that caused it (`ShapeError` naming the function, binding and op). Values are bound in SSA
 * order; pure values go into dataflow blocks, impure extern calls into ordinary blocks.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { Var } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import type { NDArray } from "../ndarray.ts";
import { GraphError, nodePath } from "./errors.ts";
import { inferOp } from "./graph_ops.ts";
import {
  type Atom,
  type Attrs,
  type Binding,
  binding,
  type BindingBlock,
  bindingBlock,
  type Constant,
  constant,
  graphFunc,
  type GraphModule,
  graphModule,
  type GraphValue,
  type GraphVar,
  graphVar,
  type ShapeCheck,
  withGraph,
  withPrimFunc,
} from "./ir.ts";
import { structuralEqual } from "../structural.ts";
import {
  asTensor,
  type DimLike,
  type GraphType,
  showType,
  SizeScope,
  type TensorType,
  tensorType,
  tupleType,
} from "./types.ts";

/** A shape as users write it: numbers, expressions, or size variable names. */
export type ShapeLike = readonly DimLike[];

/** A result type as users write it: `{ shape, dtype }` (dtype default float32) or a type. */
export type TypeSpec = { readonly shape: ShapeLike; readonly dtype?: DType } | GraphType;

/** Options of `GraphBuilder`. */
export interface GraphBuilderOptions {
  /** A module to add the function to (its functions are kept; default: an empty module). */
  readonly module?: GraphModule;
  /** Size variables by name, to share them with other builders or the caller. */
  readonly sizes?: SizeScope;
}

/** Options of `callExtern`. */
export interface ExternOptions {
  /** Attributes passed to the function. */
  readonly attrs?: Attrs;
  /** False if the function has side effects (default true). */
  readonly pure?: boolean;
  /** Name of the result. */
  readonly name?: string;
}

/** Builds one graph function (and the tensor-level functions it calls) into a module. */
export class GraphBuilder {
  /** Size variables by name: `"n"` in any shape of this builder is one variable. */
  readonly sizes: SizeScope;
  private mod: GraphModule;
  private readonly params: GraphVar[] = [];
  private readonly blocks: BindingBlock[] = [];
  private current: Binding[] = [];
  private currentDataflow = true;
  private readonly defined = new Set<GraphVar>();
  private out?: Atom;
  private done = false;
  private counter = 0;

  /**
   * Start a function named `name` (letters, digits, `_`).
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * const b = new GraphBuilder("main");
   * b.output(b.input("x", [4]));
   * console.assert(b.finish().graphs.has("main"));
   * ```
   */
  constructor(readonly name: string, options: GraphBuilderOptions = {}) {
    this.mod = options.module ?? graphModule([]);
    this.sizes = options.sizes ?? new SizeScope();
    if (this.mod.graphs.has(name) || this.mod.tir.functions.has(name)) {
      throw new GraphError(
        "GRAPH_DUPLICATE_NAME",
        `Cannot build graph function "${name}": the module already has a function of that name`,
      );
    }
  }

  /** The size variable named `name` (made on first use; shared by both levels). */
  sizeVar(name: string): Var {
    return this.sizes.get(name);
  }

  /**
   * Add a parameter. Strings in the shape are size variables, bound from the input's shape
   * when the function runs.
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * const b = new GraphBuilder("f");
   * const x = b.input("x", ["n", 768]);
   * console.assert(x.type.kind === "TensorType" && x.type.shape[0] === b.sizeVar("n"));
   * ```
   */
  input(name: string, shape: ShapeLike, dtype: DType = "float32"): GraphVar {
    this.live();
    if (this.current.length > 0 || this.blocks.length > 0) {
      throw new GraphError(
        "GRAPH_BAD_ARG",
        `Cannot add input "${name}" to "${this.name}": inputs come before any binding`,
        { path: nodePath(this.name) },
      );
    }
    const v = graphVar(name, this.type({ shape, dtype }));
    this.params.push(v);
    this.defined.add(v);
    return v;
  }

  /** A constant tensor (a weight), usable as an argument of any call. */
  constant(value: NDArray, name = "const"): Constant {
    return constant(value, name);
  }

  /**
   * Apply a graph op (an op of the library's catalogue, e.g. `dense`, `add`, `softmax`,
   * `conv2d`, `reshape`) with attributes as in the op library (`{ axis: 1 }`, `{ perm: [1, 0] }`).
   * The result type is inferred; dimensions that can only be compared at run time become checks
   * on the binding; a provable mismatch throws a `ShapeError` naming this binding.
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * const b = new GraphBuilder("f");
   * const x = b.input("x", ["n", 4]);
   * const s = b.op("softmax", [x], { axis: -1 }, "probs");
   * console.assert(s.name === "probs");
   * ```
   */
  op(op: string, args: readonly Atom[], attrs: Attrs = {}, name?: string): GraphVar {
    this.live();
    const vname = name ?? this.fresh(op);
    const path = nodePath(this.name, vname, `op "${op}"`);
    const types = args.map((a, k) => asTensor(this.arg(a, path).type, `operand ${k}`, path));
    const { type, checks } = inferOp(op, types, attrs, this.sizes, path);
    return this.emit(vname, type, { kind: "OpCall", op, args, attrs }, checks);
  }

  /**
   * Call a tensor-level function in destination-passing style: its parameters are `args`, then
   * one output per tensor of `out` (an array for several outputs: the result is a tuple). The
   * function is added to the module (a structurally equal one of the same name is reused).
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * import { relu, toPrimFunc } from "../ops/mod.ts";
   * import { placeholder, sizeVar } from "../te.ts";
   * const n = sizeVar("n");
   * const A = placeholder([n], "float32", "A");
   * const f = toPrimFunc("relu_n", [A], [relu(A)]);
   * const b = new GraphBuilder("main");
   * const x = b.input("x", ["m"]);
   * b.output(b.callTIR(f, [x], { shape: ["m"] }));
   * console.assert(b.finish().tir.functions.has("relu_n"));
   * ```
   */
  callTIR(
    func: PrimFunc | string,
    args: readonly Atom[],
    out: TypeSpec | readonly TypeSpec[],
    name?: string,
  ): GraphVar {
    this.live();
    const fname = typeof func === "string" ? func : func.name;
    const vname = name ?? this.fresh(fname);
    const path = nodePath(this.name, vname, `call_tir "${fname}"`);
    if (typeof func !== "string") this.addPrimFunc(func, path);
    else if (!this.mod.tir.functions.has(func)) {
      throw new GraphError(
        "GRAPH_UNKNOWN_FUNCTION",
        `Cannot call "${func}": the module has no tensor-level function of that name`,
        { path },
      );
    }
    for (const a of args) this.arg(a, path);
    const type = this.outType(out);
    checkSignature(this.mod.tir.functions.get(fname)!, args, type, path);
    return this.emit(vname, type, { kind: "CallTIR", func: fname, args }, []);
  }

  /**
   * Call an external (vendor or packed) function by name; the executor looks it up in its table
   * of externs when the graph runs. Sizes in `out` that no value has yet are bound from the
   * result's shape.
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * const b = new GraphBuilder("f");
   * const x = b.input("x", [4]);
   * const y = b.callExtern("vendor.nonzero", [x], { shape: ["k"], dtype: "int32" });
   * console.assert(y.type.kind === "TensorType");
   * ```
   */
  callExtern(
    func: string,
    args: readonly Atom[],
    out: TypeSpec | readonly TypeSpec[],
    options: ExternOptions = {},
  ): GraphVar {
    this.live();
    const vname = options.name ?? this.fresh("extern");
    const path = nodePath(this.name, vname, `call_extern "${func}"`);
    for (const a of args) this.arg(a, path);
    const value = {
      kind: "CallExtern",
      func,
      args,
      attrs: options.attrs ?? {},
      pure: options.pure ?? true,
    } as const;
    return this.emit(vname, this.outType(out), value, []);
  }

  /** A tuple of values. */
  tuple(fields: readonly Atom[], name?: string): GraphVar {
    this.live();
    const vname = name ?? this.fresh("tuple");
    const path = nodePath(this.name, vname, "tuple");
    const type = tupleType(fields.map((f) => this.arg(f, path).type));
    return this.emit(vname, type, { kind: "Tuple", fields }, []);
  }

  /** Field `index` of a tuple (`GRAPH_BAD_ARG` if out of range). */
  getItem(tuple: Atom, index: number, name?: string): GraphVar {
    this.live();
    const vname = name ?? this.fresh("item");
    const path = nodePath(this.name, vname, "get_item");
    const t = this.arg(tuple, path).type;
    if (
      t.kind !== "TupleType" || !Number.isInteger(index) || index < 0 || index >= t.fields.length
    ) {
      throw new GraphError(
        "GRAPH_BAD_ARG",
        `Cannot take field ${index} of "${tuple.name}": its type is ${showType(t)}`,
        { path },
      );
    }
    return this.emit(vname, t.fields[index], { kind: "TupleGetItem", tuple, index }, []);
  }

  /**
   * The same tensor with the shape `shape` (and dtype, default the value's), checked when the
   * graph runs; new size variables in `shape` are bound from the value's shape there. Use it to
   * give a size a name the compiler cannot derive (an extern's result, or to assert two sizes
   * equal).
   */
  matchShape(value: Atom, shape: ShapeLike, dtype?: DType, name?: string): GraphVar {
    this.live();
    const vname = name ?? this.fresh("match");
    const path = nodePath(this.name, vname, "match_shape");
    const t = asTensor(this.arg(value, path).type, `"${value.name}"`, path);
    const type = this.type({ shape, dtype: dtype ?? t.dtype });
    if (
      type.kind !== "TensorType" || type.shape.length !== t.shape.length || type.dtype !== t.dtype
    ) {
      throw new GraphError(
        "GRAPH_BAD_ARG",
        `Cannot match "${value.name}" of type ${showType(t)} with ${
          showType(type)
        }: rank or dtype differ`,
        { path },
      );
    }
    return this.emit(vname, type, { kind: "MatchShape", value }, []);
  }

  /** Set the function's result; several values make a tuple result. */
  output(...values: readonly Atom[]): void {
    this.live();
    const path = nodePath(this.name, undefined, "output");
    if (values.length === 0) {
      throw new GraphError(
        "GRAPH_NO_OUTPUT",
        `Cannot set the output of "${this.name}" to nothing`,
        { path },
      );
    }
    for (const v of values) this.arg(v, path);
    this.out = values.length === 1 ? values[0] : this.tuple(values, "output");
  }

  /** Finish: the module with this function added. The builder cannot be used afterwards. */
  finish(): GraphModule {
    this.live();
    if (!this.out) {
      throw new GraphError(
        "GRAPH_NO_OUTPUT",
        `Cannot finish "${this.name}": output() was not called`,
        { path: nodePath(this.name) },
      );
    }
    this.flush();
    this.done = true;
    const f = graphFunc(this.name, this.params, this.blocks, this.out);
    return withGraph(this.mod, f);
  }

  // --- typed helpers: shorthands for `op(name, args, attrs)` -----------------------------

  /** `x·Wᵀ (+ bias)` with `W` as `[N, K]`. */
  dense(x: Atom, weight: Atom, bias?: Atom, attrs: Attrs = {}, name?: string): GraphVar {
    return this.op("dense", bias ? [x, weight, bias] : [x, weight], attrs, name);
  }
  /** `a·b` (attrs: `transposeA`, `transposeB`, `outDtype`). */
  matmul(a: Atom, b: Atom, attrs: Attrs = {}, name?: string): GraphVar {
    return this.op("matmul", [a, b], attrs, name);
  }
  /** `a + b` with broadcasting. */
  add(a: Atom, b: Atom, name?: string): GraphVar {
    return this.op("add", [a, b], {}, name);
  }
  /** `a · b` with broadcasting. */
  mul(a: Atom, b: Atom, name?: string): GraphVar {
    return this.op("mul", [a, b], {}, name);
  }
  /** `max(x, 0)`. */
  relu(x: Atom, name?: string): GraphVar {
    return this.op("relu", [x], {}, name);
  }
  /** Softmax along `axis` (default the last). */
  softmax(x: Atom, axis = -1, name?: string): GraphVar {
    return this.op("softmax", [x], { axis }, name);
  }
  /** Reshape (`-1` inferred; strings are size variables). */
  reshape(x: Atom, shape: readonly (number | string)[], name?: string): GraphVar {
    return this.op("reshape", [x], { shape }, name);
  }

  // --- internals ----------------------------------------------------------------------------

  /** Refuse use after `finish` (GRAPH_BUILDER_FINISHED). */
  private live(): void {
    if (this.done) {
      throw new GraphError(
        "GRAPH_BUILDER_FINISHED",
        `Cannot use the builder of "${this.name}" after finish()`,
      );
    }
  }

  /** A default binding name: the base, sanitized, with a counter. */
  private fresh(base: string): string {
    const s = base.replace(/[^A-Za-z0-9_]/g, "_");
    return `${/^[A-Za-z_]/.test(s) ? s : `v_${s}`}_${this.counter++}`;
  }

  /** A type from a spec (size variable names resolved through `sizes`). */
  private type(spec: TypeSpec): GraphType {
    if ("kind" in spec) return spec;
    return tensorType(spec.shape.map((d) => this.sizes.dim(d)), spec.dtype ?? "float32");
  }

  /** A result type: one spec, or a tuple of several. */
  private outType(out: TypeSpec | readonly TypeSpec[]): GraphType {
    return Array.isArray(out)
      ? tupleType((out as readonly TypeSpec[]).map((o) => this.type(o)))
      : this.type(out as TypeSpec);
  }

  /** Check that an argument is a constant or a value of this function. */
  private arg(a: Atom, path: string): Atom {
    if (a.kind === "Constant") return a;
    if (a.kind !== "GraphVar" || !this.defined.has(a)) {
      throw new GraphError(
        "GRAPH_BAD_ARG",
        `Cannot use "${(a as Atom).name}" here: it is not a value of "${this.name}"`,
        { path, hint: "use values made by this builder (inputs, constants, results)" },
      );
    }
    return a;
  }

  /** Add a tensor-level function to the module (a same-named equal one is reused). */
  private addPrimFunc(f: PrimFunc, path: string): void {
    const prev = this.mod.tir.functions.get(f.name);
    if (prev === f) return;
    if (prev && !structuralEqual(prev, f)) {
      throw new GraphError(
        "GRAPH_DUPLICATE_NAME",
        `Cannot add tensor-level function "${f.name}": the module has a different function of that name`,
        { path },
      );
    }
    if (!prev) this.mod = withPrimFunc(this.mod, f);
  }

  /** Bind a value; a change between pure and impure starts a new block. */
  private emit(
    name: string,
    type: GraphType,
    value: GraphValue,
    checks: readonly ShapeCheck[],
  ): GraphVar {
    const v = graphVar(name, type);
    const dataflow = value.kind !== "CallExtern" || value.pure;
    if (dataflow !== this.currentDataflow) this.flush();
    this.currentDataflow = dataflow;
    this.current.push(binding(v, value, checks));
    this.defined.add(v);
    return v;
  }

  /** Close the current block. */
  private flush(): void {
    if (this.current.length > 0) this.blocks.push(bindingBlock(this.current, this.currentDataflow));
    this.current = [];
  }
}

/**
 * Check a `callTIR` against the callee: one buffer parameter per argument and per output (no
 * scalar parameters), with equal dtypes and ranks (`GRAPH_BAD_ARG`).
 */
function checkSignature(f: PrimFunc, args: readonly Atom[], out: GraphType, path: string): void {
  const outs = out.kind === "TupleType" ? out.fields : [out];
  const types = [...args.map((a) => a.type), ...outs];
  const fail = (why: string): never => {
    throw new GraphError("GRAPH_BAD_ARG", `Cannot call "${f.name}": ${why}`, { path });
  };
  if (f.params.length !== types.length) {
    fail(
      `it has ${f.params.length} parameters, the call passes ${args.length} inputs and ${outs.length} outputs`,
    );
  }
  f.params.forEach((p, k) => {
    const t = types[k];
    const what = k < args.length ? `input ${k}` : `output ${k - args.length}`;
    if (p.kind !== "Buffer") {
      return fail(`parameter "${p.name}" is a scalar; callTIR passes tensors`);
    }
    if (t.kind !== "TensorType") return fail(`${what} is a tuple`);
    if (t.dtype !== p.dtype || t.shape.length !== p.shape.length) {
      fail(
        `${what} is ${showType(t)}, parameter "${p.name}" is ${p.dtype} of rank ${p.shape.length}`,
      );
    }
  });
}

/** The tensor type of a value (`GRAPH_BAD_ARG` for a tuple). */
export function tensorTypeOf(a: Atom): TensorType {
  return asTensor(a.type, `"${a.name}"`);
}
