/**
 * `GraphExecutor`: runs a graph function on a backend (the interpreter or a target). Passes
 * (`legalize`, `foldConstants`, `eliminateDeadCode` by default) run once at creation; each
 * tensor-level function is prepared (compiled) once, on first use, and serves every size: the
 * size variables are bound from the inputs' shapes on every run. Intermediates live in the
 * storages of a static memory plan (`planMemory`, once per function): each storage is allocated
 * once for the sizes of a run and kept while they stay the same, each intermediate a view of
 * it, kept across runs too (re-zeroed only before a kernel that may not write all of it). Run-time
 * shape checks fail with `GRAPH_RUNTIME_SHAPE` naming the binding; with `profile: true` every
 * `callTIR` is timed (`lastProfile`).
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import { type NDArray, ndarray } from "../ndarray.ts";
import { InternalError } from "../errors.ts";
import { type Backend, type BackendTensor, interpreterBackend, type Runnable } from "./backend.ts";
import { GraphError, nodePath, ShapeError } from "./errors.ts";
import { type Atom, type Attrs, type Constant, type GraphFunc, type GraphModule } from "./ir.ts";
import { type MemoryPlan, type MemoryPlanOptions, planMemory } from "./memory_plan.ts";
import { PlanStorage } from "./memory_plan_storage.ts";
import { DEFAULT_PASSES } from "./pipelines.ts";
import { type GraphPass, type PassOptions, runPasses } from "./pass.ts";
import { entryFunction, planRun, type RunPlan } from "./run_plan.ts";
import { type Arg, compileSteps, type Step, type Steps } from "./run_steps.ts";
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
  /** Time every `callTIR` of each run (`lastProfile`); off by default: timing costs a clock read per call. */
  readonly profile?: boolean;
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

/**
 * What a function's runs computed from the sizes, valid while they stay those of `env` (the last
 * completed run's): per binding, its output shapes and which outputs its kernel writes in full.
 */
interface SizeMemo {
  env: Map<Var, number> | undefined;
  readonly shapes: (readonly (readonly number[])[] | undefined)[];
  readonly full: (readonly boolean[] | undefined)[];
}

/** Same size variables with the same values. */
function sameSizes(a: ReadonlyMap<Var, number>, b: ReadonlyMap<Var, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [v, x] of a) if (b.get(v) !== x) return false;
  return true;
}

/**
 * `bindShape` for the common case of dims that are all integers or variables: true if the shape
 * fits (variables bound); false, with `env` as it was, if it does not or a dim is an expression
 * (then `bindShape` decides, and names the dim that does not fit).
 */
function bindSimple(shape: readonly PrimExpr[], actual: readonly number[], env: Map<Var, number>) {
  let bound: Var[] | undefined;
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k];
    let ok: boolean;
    if (d.kind === "IntImm") ok = d.value === actual[k];
    else if (d.kind === "Var") {
      const x = env.get(d);
      if (x === undefined) {
        env.set(d, actual[k]);
        (bound ??= []).push(d);
        ok = true;
      } else ok = x === actual[k];
    } else ok = false;
    if (!ok) {
      for (const v of bound ?? []) env.delete(v);
      return false;
    }
  }
  return true;
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
  private readonly ready = new Map<string, Runnable>();
  private readonly compiled = new Map<GraphFunc, Steps>();
  private readonly memos = new Map<GraphFunc, SizeMemo>();
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

  /** The kernel times of the last run with `profile: true`, in call order (empty if off). */
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

  /** The graph function to run: `name`, else `main`, else the only one. */
  private entry(name?: string): GraphFunc {
    return entryFunction(this.module, name);
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
    const plan = this.plan(f);
    const steps = this.steps(f, plan);
    const values: (Value | undefined)[] = new Array(steps.slotCount);
    const owned: (BackendTensor[] | undefined)[] = new Array(steps.slotCount); // what each value allocated
    // overlapping runs of one function: the later one gets storages of its own
    const shared = !this.running.has(f);
    const storage = shared
      ? this.storage(f)
      : new PlanStorage(this.storage(f).plan, () => this.backend);
    const bounded = storage.plan.upperBounds.size > 0;
    // sizes as in the last completed run (with the shared storages): shapes, checks and
    // storages as then. Only without bindings that bind sizes from values (extern results).
    const memo = shared && !steps.dynamic ? this.memo(f, steps) : undefined;
    this.running.add(f);
    const backend = this.backend;
    const release = (slot: number) => {
      const ts = owned[slot];
      if (!ts) return;
      for (const t of ts) backend.free(t);
      owned[slot] = undefined;
    };
    const profile: KernelTime[] | undefined = this.options.profile ? [] : undefined;
    if (profile) this.profile = profile;
    try {
      for (let k = 0; k < f.params.length; k++) {
        const p = f.params[k];
        this.matchType(p.type, inputs[k], env, steps.inputPaths[k], `input "${p.name}"`);
        const t = backend.upload(inputs[k]);
        if (t !== inputs[k]) owned[k] = [t];
        values[k] = t;
      }
      if (bounded) storage.checkBounds(env, nodePath(f.name));
      const same = memo !== undefined && memo.env !== undefined && sameSizes(memo.env, env);
      if (memo && !same) {
        memo.env = undefined;
        memo.shapes.fill(undefined);
        memo.full.fill(undefined);
      }
      storage.beginRun(same);
      for (let k = 0; k < plan.bindings.length; k++) {
        const step = steps.steps[k];
        const path = plan.paths[k];
        const call = step.call;
        if (call) {
          // the hot path, one await per kernel: checks, kernel, outputs, call
          if (!same) this.check(step, env, path);
          const run = this.ready.get(call) ?? await this.kernel(call, path);
          const args = this.callArgs(step, k, path, values, env, owned, storage, steps.vars, memo);
          if (profile) {
            const t0 = performance.now();
            await run(args);
            profile.push({ binding: step.binding.v.name, func: call, ms: performance.now() - t0 });
          } else await run(args);
          const first = step.args.length;
          values[step.slot] = step.binding.v.type.kind === "TupleType"
            ? args.slice(first)
            : args[first];
        } else {
          this.check(step, env, path);
          values[step.slot] = await this.step(step, path, values, env, owned, steps.vars);
        }
        // only matching a type binds size variables
        if (bounded && step.binds) storage.checkBounds(env, plan.paths[k]);
        // free what nothing reads any more (aliases extend their sources' lives)
        for (const a of step.releases) release(a);
      }
      if (memo && !same) memo.env = new Map(env);
      const out = this.read(steps.output, values, steps.vars);
      const flat: BackendTensor[] = [];
      const walk = (v: Value) => Array.isArray(v) ? v.forEach(walk) : flat.push(v as BackendTensor);
      walk(out);
      const result: NDArray[] = [];
      for (const t of flat) result.push(await backend.download(t));
      return result;
    } finally {
      for (let slot = 0; slot < owned.length; slot++) release(slot);
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

  /** The size-independent part of each binding of a function (once per function). */
  private steps(f: GraphFunc, plan: RunPlan): Steps {
    let s = this.compiled.get(f);
    if (!s) {
      s = compileSteps(f, plan, (name) => this.module.tir.functions.get(name));
      this.compiled.set(f, s);
    }
    return s;
  }

  /** The run-time value of an argument (constants uploaded once per executor). */
  private read(a: Arg, values: readonly (Value | undefined)[], vars?: readonly Atom[]): Value {
    if (typeof a === "number") {
      const v = values[a];
      if (v !== undefined) return v;
      a = vars![a];
    }
    if (a.kind === "Constant") {
      let t = this.constants.get(a);
      if (!t) this.constants.set(a, t = this.backend.upload(a.value));
      return t;
    }
    throw new GraphError("GRAPH_BAD_ARG", `Cannot read "${a.name}": it has no value yet`);
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
    if (bindSimple(t.shape, x.shape, env)) return;
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

  /** A binding's run-time shape checks (GRAPH_RUNTIME_SHAPE). */
  private check(step: Step, env: ReadonlyMap<Var, number>, path: string): void {
    const b = step.binding;
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
  }

  /** The memo of a function's run-time shapes (once per function). */
  private memo(f: GraphFunc, steps: Steps): SizeMemo {
    let m = this.memos.get(f);
    if (!m) {
      const n = steps.steps.length;
      m = { env: undefined, shapes: new Array(n), full: new Array(n) };
      this.memos.set(f, m);
    }
    return m;
  }

  /**
   * The arguments of a `callTIR` (binding `k`): its inputs, then its outputs (planned views or
   * allocated); shapes and full-write flags from the memo when the sizes are unchanged.
   */
  private callArgs(
    step: Step,
    k: number,
    path: string,
    values: readonly (Value | undefined)[],
    env: Map<Var, number>,
    owned: (BackendTensor[] | undefined)[],
    storage: PlanStorage,
    vars: readonly Atom[],
    memo: SizeMemo | undefined,
  ): BackendTensor[] {
    const outTypes = step.outTypes!;
    const args: BackendTensor[] = [];
    for (const a of step.args) args.push(this.read(a, values, vars) as BackendTensor);
    const first = args.length;
    let shapes = memo?.shapes[k];
    let fulls = memo?.full[k];
    if (!shapes || !fulls) {
      const dims: number[][] = [];
      for (const t of outTypes) {
        if (t.kind !== "TensorType") {
          throw new GraphError("GRAPH_BAD_TYPE", "Cannot call_tir with a nested tuple result", {
            path,
          });
        }
        dims.push(this.concrete(t, env, path));
      }
      const flags: boolean[] = [];
      for (let field = 0; field < outTypes.length; field++) {
        const when = step.full![field];
        let full = when !== undefined;
        for (const r of when ?? []) {
          const shape = r.param < first ? args[r.param].shape : dims[r.param - first];
          if (!(shape[r.dim] > 0)) full = false;
        }
        flags.push(full);
      }
      shapes = dims;
      fulls = flags;
      if (memo) {
        memo.shapes[k] = shapes;
        memo.full[k] = fulls;
      }
    }
    for (let field = 0; field < outTypes.length; field++) {
      const shape = shapes[field];
      const full = fulls[field];
      const planned = storage.output(step.binding.v, field, shape, env, path, full);
      if (planned) args.push(planned);
      else {
        const o = this.backend.allocate(shape, (outTypes[field] as TensorType).dtype);
        (owned[step.slot] ??= []).push(o);
        args.push(o);
      }
    }
    return args;
  }

  /** Run one binding other than a `callTIR` (checked already): its value. */
  private async step(
    step: Step,
    path: string,
    values: readonly (Value | undefined)[],
    env: Map<Var, number>,
    owned: (BackendTensor[] | undefined)[],
    vars: readonly Atom[],
  ): Promise<Value> {
    const b = step.binding;
    const v = b.value;
    switch (v.kind) {
      case "CallTIR":
        throw new InternalError("callTIR runs in run()");
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
        for (const a of step.args) {
          args.push(await this.backend.download(this.read(a, values, vars) as BackendTensor));
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
          if (t !== a) (owned[step.slot] ??= []).push(t);
          return t;
        });
        const value: Value = b.v.type.kind === "TupleType" ? up : up[0];
        this.matchType(b.v.type, value, env, path, `the result of extern "${v.func}"`);
        return value;
      }
      case "Tuple":
        return step.args.map((a) => this.read(a, values, vars));
      case "TupleGetItem":
        return (this.read(step.args[0], values, vars) as readonly Value[])[v.index];
      case "MatchShape": {
        const value = this.read(step.args[0], values, vars);
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
      p.then((run) => this.ready.set(name, run), () => this.prepared.delete(name));
      this.prepared.set(name, p);
    }
    return p;
  }
}
