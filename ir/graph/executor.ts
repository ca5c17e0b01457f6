/**
 * `GraphExecutor`: runs a graph function on a backend (the interpreter or a target). Passes
 * (`legalize`, `foldConstants`, `eliminateDeadCode` by default) run once at creation; each
 * tensor-level function is prepared (compiled) once, on first use, and serves every size: the
 * size variables are bound from the inputs' shapes on every run. Intermediates live in the
 * storages of a static memory plan (`planMemory`, once per function): each storage is allocated
 * once for the sizes of a run and kept while they stay the same, each intermediate a view of
 * it. Run-time shape checks fail with `GRAPH_RUNTIME_SHAPE` naming the binding; every `callTIR`
 * is timed (`lastProfile`).
 *
 * @module
 */
import type { Var } from "../expr.ts";
import { type NDArray, ndarray } from "../ndarray.ts";
import { type Backend, type BackendTensor, interpreterBackend, type Runnable } from "./backend.ts";
import { GraphError, nodePath, ShapeError } from "./errors.ts";
import {
  type Atom,
  type Attrs,
  type Binding,
  type Constant,
  type GraphFunc,
  type GraphModule,
} from "./ir.ts";
import { type MemoryPlan, type MemoryPlanOptions, planMemory } from "./memory_plan.ts";
import { PlanStorage } from "./memory_plan_storage.ts";
import { DEFAULT_PASSES } from "./pipelines.ts";
import { type GraphPass, type PassOptions, runPasses } from "./pass.ts";
import { planRun, type RunPlan } from "./run_plan.ts";
import { bindShape, evalDim } from "./shape_eval.ts";
import { type GraphType, showDim, showType, type TensorType } from "./types.ts";

/** An external function: host arrays in, host arrays out. */
export type ExternFn = (
  args: readonly NDArray[],
  attrs: Attrs,
) => NDArray | readonly NDArray[] | Promise<NDArray | readonly NDArray[]>;

/** Options of `GraphExecutor`. */
export interface ExecutorOptions {
  /** Where kernels run (default: the reference interpreter). See `targetBackend` in `sdk/graph_backend.ts`. */
  readonly backend?: Backend;
  /** External functions by name, for `callExtern`. */
  readonly externs?: Readonly<Record<string, ExternFn>>;
  /** Passes run at creation (default `DEFAULT_PASSES`). */
  readonly passes?: readonly GraphPass[];
  /** Options of the pass pipeline (`dumpAfter` prints the module after each pass). */
  readonly passOptions?: PassOptions;
  /** Options of the memory plan (`upperBounds`; `reuse: false` gives every value its own storage). */
  readonly memory?: Omit<MemoryPlanOptions, "poolOf">;
}

/** The time one `callTIR` took in a run. */
export interface KernelTime {
  /** The binding's name. */
  readonly binding: string;
  /** The tensor-level function called. */
  readonly func: string;
  /** Wall time of the call, in milliseconds. */
  readonly ms: number;
}

/** A run-time value: a tensor or a tuple of values. */
type Value = BackendTensor | readonly Value[];

/**
 * Runs graph functions of a module.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { GraphExecutor } from "./executor.ts";
 * import { ndarray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", ["n"])));
 * const ex = new GraphExecutor(b.finish());
 * const [y] = await ex.run([ndarray("float32", [3], [-1, 0, 2])]);
 * console.assert(y.data[2] === 2 && y.data[0] === 0);
 * ```
 */
export class GraphExecutor {
  /** The module after the passes. */
  readonly module: GraphModule;
  private readonly backend: Backend;
  private readonly prepared = new Map<string, Promise<Runnable>>();
  private readonly constants = new Map<Constant, BackendTensor>();
  private profile: KernelTime[] = [];
  private readonly plans = new Map<GraphFunc, RunPlan>();
  private readonly storages = new Map<GraphFunc, PlanStorage>();
  private readonly running = new Set<GraphFunc>();

  /** Run the passes over `mod` and get ready to run it. */
  constructor(mod: GraphModule, private readonly options: ExecutorOptions = {}) {
    this.backend = options.backend ?? interpreterBackend();
    this.module = runPasses(mod, options.passes ?? DEFAULT_PASSES, options.passOptions);
  }

  /** Tensor-level functions prepared (compiled) so far: one per function, whatever the sizes. */
  get compiledCount(): number {
    return this.prepared.size;
  }

  /** The kernel times of the last run, in call order. */
  lastProfile(): readonly KernelTime[] {
    return this.profile;
  }

  /** Release the constants uploaded to the backend and the memory plans' storages. */
  dispose(): void {
    for (const t of this.constants.values()) this.backend.free(t);
    this.constants.clear();
    for (const s of this.storages.values()) s.dispose();
  }

  /** The memory plan of a graph function (default: `main`, or the only one). */
  memoryPlan(entry?: string): MemoryPlan {
    return this.storage(this.entry(entry)).plan;
  }

  /** Storages allocated so far for a function's memory plan (a run with unchanged sizes adds none). */
  storageAllocations(entry?: string): number {
    return this.storage(this.entry(entry)).allocations;
  }

  /** The run-time storages of a function's memory plan (planned once per function). */
  private storage(f: GraphFunc): PlanStorage {
    let s = this.storages.get(f);
    if (!s) {
      const plan = planMemory(f, this.options.memory);
      this.storages.set(f, s = new PlanStorage(plan, () => this.backend));
    }
    return s;
  }

  /** The graph function to run: named, else `main`, else the only one. */
  private entry(name?: string): GraphFunc {
    const graphs = this.module.graphs;
    const f = name !== undefined
      ? graphs.get(name)
      : graphs.get("main") ?? (graphs.size === 1 ? [...graphs.values()][0] : undefined);
    if (!f) {
      throw new GraphError(
        "GRAPH_UNKNOWN_FUNCTION",
        `Cannot run ${name === undefined ? "the module" : `"${name}"`}: ${
          name === undefined ? 'it has no "main" and several graphs' : "no such graph function"
        }`,
        { hint: `graph functions: ${[...graphs.keys()].join(", ") || "(none)"}` },
      );
    }
    return f;
  }

  /**
   * Run a graph function (default: `main`, or the only one) on inputs; returns its result's
   * tensors in order (a tuple result flattened).
   */
  async run(inputs: readonly NDArray[], entry?: string): Promise<NDArray[]> {
    const f = this.entry(entry);
    const env = new Map<Var, number>();
    if (inputs.length !== f.params.length) {
      throw new GraphError(
        "GRAPH_INPUT",
        `Cannot run "${f.name}": it takes ${f.params.length} inputs, got ${inputs.length}`,
        { path: nodePath(f.name) },
      );
    }
    const values = new Map<Atom, Value>();
    const owned = new Map<Atom, BackendTensor[]>(); // tensors each value allocated
    const plan = this.plan(f);
    // overlapping runs of one function: the later one gets storages of its own
    const shared = !this.running.has(f);
    const storage = shared
      ? this.storage(f)
      : new PlanStorage(this.storage(f).plan, () => this.backend);
    storage.beginRun();
    this.running.add(f);
    const release = (a: Atom) => {
      const ts = owned.get(a);
      if (!ts) return;
      for (const t of ts) this.backend.free(t);
      owned.delete(a);
    };
    this.profile = [];
    try {
      f.params.forEach((p, k) => {
        const path = nodePath(f.name, p.name, "input");
        this.matchType(p.type, inputs[k], env, path, `input "${p.name}"`);
        const t = this.backend.upload(inputs[k]);
        if (t !== inputs[k]) owned.set(p, [t]);
        values.set(p, t);
      });
      storage.checkBounds(env, nodePath(f.name));
      for (let k = 0; k < plan.bindings.length; k++) {
        const b = plan.bindings[k];
        const mine: BackendTensor[] = [];
        owned.set(b.v, mine);
        values.set(b.v, await this.step(b, plan.paths[k], values, env, mine, storage));
        storage.checkBounds(env, plan.paths[k]);
        // free what nothing reads any more (aliases extend their sources' lives)
        for (const a of plan.releases[k]) release(a);
      }
      const out = this.read(f.output, values);
      const flat: BackendTensor[] = [];
      const walk = (v: Value) => Array.isArray(v) ? v.forEach(walk) : flat.push(v as BackendTensor);
      walk(out);
      const result: NDArray[] = [];
      for (const t of flat) result.push(await this.backend.download(t));
      return result;
    } finally {
      for (const a of [...owned.keys()]) release(a);
      if (shared) this.running.delete(f);
      else storage.dispose();
    }
  }

  /** The bindings of a function in order, their paths and what to free after each (once per function). */
  private plan(f: GraphFunc): RunPlan {
    let p = this.plans.get(f);
    if (!p) this.plans.set(f, p = planRun(f));
    return p;
  }

  /** The run-time value of an atom (constants uploaded once per executor). */
  private read(a: Atom, values: ReadonlyMap<Atom, Value>): Value {
    if (a.kind === "Constant") {
      let t = this.constants.get(a);
      if (!t) this.constants.set(a, t = this.backend.upload(a.value));
      return t;
    }
    const v = values.get(a);
    if (v === undefined) {
      throw new GraphError("GRAPH_BAD_ARG", `Cannot read "${a.name}": it has no value yet`);
    }
    return v;
  }

  /** Check a value against a type, binding the type's unbound size variables. */
  private matchType(
    t: GraphType,
    v: Value | NDArray,
    env: Map<Var, number>,
    path: string,
    what: string,
  ): void {
    if (t.kind === "TupleType") {
      if (!Array.isArray(v) || v.length !== t.fields.length) {
        throw new ShapeError(
          "GRAPH_RUNTIME_SHAPE",
          `Cannot accept ${what}: need a tuple ${showType(t)}`,
          { path },
        );
      }
      t.fields.forEach((ft, k) =>
        this.matchType(ft, (v as Value[])[k], env, path, `${what} field ${k}`)
      );
      return;
    }
    const x = v as BackendTensor;
    if (Array.isArray(v) || x.dtype !== t.dtype || x.shape.length !== t.shape.length) {
      throw new ShapeError(
        "GRAPH_RUNTIME_SHAPE",
        `Cannot accept ${what}: it is ${
          Array.isArray(v) ? "a tuple" : `${x.dtype}[${x.shape.join(", ")}]`
        }, need ${showType(t)}`,
        { path },
      );
    }
    const bad = bindShape(t.shape, x.shape, env);
    if (bad) {
      throw new ShapeError(
        "GRAPH_RUNTIME_SHAPE",
        `Cannot accept ${what}: dim ${bad.dim} is ${bad.got}, need ${showDim(t.shape[bad.dim])}${
          bad.want === undefined ? "" : ` = ${bad.want}`
        }`,
        { path },
      );
    }
  }

  /** The concrete shape of a type under the bound sizes (GRAPH_UNBOUND_SIZE if none). */
  private concrete(t: TensorType, env: ReadonlyMap<Var, number>, path: string): number[] {
    return t.shape.map((d) => {
      const v = evalDim(d, env);
      if (v === undefined || v < 0) {
        throw new ShapeError(
          "GRAPH_UNBOUND_SIZE",
          `Cannot allocate ${showType(t)}: ${showDim(d)} has no value`,
          { path },
        );
      }
      return v;
    });
  }

  /** Run one binding: its run-time checks, then its value. */
  private async step(
    b: Binding,
    path: string,
    values: ReadonlyMap<Atom, Value>,
    env: Map<Var, number>,
    owned: BackendTensor[],
    storage: PlanStorage,
  ): Promise<Value> {
    const v = b.value;
    for (const c of b.checks) {
      const x = evalDim(c.a, env);
      const y = evalDim(c.b, env);
      if (x !== y) {
        throw new ShapeError(
          "GRAPH_RUNTIME_SHAPE",
          `Cannot compute "${b.v.name}": ${c.what} differ at run time (${showDim(c.a)} = ${x}, ${
            showDim(c.b)
          } = ${y})`,
          { path },
        );
      }
    }
    switch (v.kind) {
      case "CallTIR": {
        const run = await this.kernel(v.func, path);
        const outTypes = b.v.type.kind === "TupleType" ? b.v.type.fields : [b.v.type];
        const outs = outTypes.map((t, field) => {
          if (t.kind !== "TensorType") {
            throw new GraphError("GRAPH_BAD_TYPE", "Cannot call_tir with a nested tuple result", {
              path,
            });
          }
          const shape = this.concrete(t, env, path);
          const planned = storage.output(b.v, field, shape, env, path);
          if (planned) return planned;
          const o = this.backend.allocate(shape, t.dtype);
          owned.push(o);
          return o;
        });
        const args = v.args.map((a) => this.read(a, values) as BackendTensor);
        for (const o of outs) args.push(o);
        const t0 = performance.now();
        await run(args);
        this.profile.push({ binding: b.v.name, func: v.func, ms: performance.now() - t0 });
        return b.v.type.kind === "TupleType" ? outs : outs[0];
      }
      case "CallExtern": {
        const fn = this.options.externs?.[v.func];
        if (!fn) {
          throw new GraphError(
            "GRAPH_UNKNOWN_EXTERN",
            `Cannot call extern "${v.func}": the executor has no such function`,
            {
              path,
              hint: "pass it in options.externs",
            },
          );
        }
        const args: NDArray[] = [];
        for (const a of v.args) {
          args.push(await this.backend.download(this.read(a, values) as BackendTensor));
        }
        const r = await fn(args, v.attrs);
        // a result sharing an argument's memory may share a storage the plan reuses: copy it
        const arrays = (Array.isArray(r) ? r as readonly NDArray[] : [r as NDArray]).map((a) =>
          args.some((x) => x.data.buffer === a.data.buffer)
            ? ndarray(a.dtype, a.shape, a.data.slice())
            : a
        );
        const up = arrays.map((a) => {
          const t = this.backend.upload(a);
          if (t !== a) owned.push(t);
          return t;
        });
        const value: Value = b.v.type.kind === "TupleType" ? up : up[0];
        this.matchType(b.v.type, value, env, path, `the result of extern "${v.func}"`);
        return value;
      }
      case "Tuple":
        return v.fields.map((a) => this.read(a, values));
      case "TupleGetItem":
        return (this.read(v.tuple, values) as readonly Value[])[v.index];
      case "MatchShape": {
        const value = this.read(v.value, values);
        this.matchType(b.v.type, value, env, path, `"${v.value.name}"`);
        return value;
      }
      case "OpCall":
        throw new GraphError(
          "GRAPH_NOT_LEGALIZED",
          `Cannot run op "${v.op}": the module was not legalized`,
          {
            path,
            hint: "keep legalize in the executor's passes",
          },
        );
    }
  }

  /** The prepared function of a name, prepared on first use. */
  private kernel(name: string, path: string): Promise<Runnable> {
    let p = this.prepared.get(name);
    if (!p) {
      const f = this.module.tir.functions.get(name);
      if (!f) {
        throw new GraphError(
          "GRAPH_UNKNOWN_FUNCTION",
          `Cannot call "${name}": the module has no tensor-level function of that name`,
          { path },
        );
      }
      p = this.backend.prepare(f);
      p.catch(() => this.prepared.delete(name));
      this.prepared.set(name, p);
    }
    return p;
  }
}
