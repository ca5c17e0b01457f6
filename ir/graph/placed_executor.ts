/**
 * `PlacedExecutor`: runs a placed graph module (`place`, `partition`) across several backends,
 * one per target. Each kernel runs on its callee's `target`; a tensor moves between targets
 * only through the module's explicit `tessera.device_copy` bindings (download from one backend,
 * upload to the other), and a module where a tensor would cross without one is refused
 * (`GRAPH_PLACEMENT`). The profile names the target of every kernel and copy. Intermediates
 * live in the storages of a memory plan with one pool per target (`planMemory`), kept across
 * runs while the sizes stay the same.
 *
 * @module
 */
import type { Var } from "../expr.ts";
import { bufferParams } from "../func.ts";
import { type DimRef, fullWriteCondition } from "./full_write.ts";
import { type NDArray, ndarray } from "../ndarray.ts";
import type { Backend, BackendTensor, Runnable } from "./backend.ts";
import { GraphError, nodePath, ShapeError } from "./errors.ts";
import type { ExternFn } from "./executor.ts";
import { type Atom, type Binding, type Constant, type GraphFunc, type GraphModule } from "./ir.ts";
import { DEVICE_COPY, homeOf, type Location, placementProblems, targetOf } from "./placement.ts";
import { type MemoryPlan, type MemoryPlanOptions, planMemory } from "./memory_plan.ts";
import { PlanStorage } from "./memory_plan_storage.ts";
import { entryFunction, planRun, type RunPlan } from "./run_plan.ts";
import { bindShape, evalDim } from "./shape_eval.ts";
import { type GraphType, showDim, showType, type TensorType } from "./types.ts";

/** Options of `PlacedExecutor`. */
export interface PlacedExecutorOptions {
  /** A backend per target name (every target the module names, and the home target). */
  readonly backends: Readonly<Record<string, Backend>>;
  /** The home of graph functions without a `target` attribute (default: the first backend). */
  readonly home?: string;
  /** External functions by name (run on the host with the home target's tensors). */
  readonly externs?: Readonly<Record<string, ExternFn>>;
  /** Options of the memory plan (its pools are the targets). */
  readonly memory?: Omit<MemoryPlanOptions, "poolOf">;
}

/** One step of a placed run: a kernel (and the target that ran it) or a copy. */
export interface PlacedStep {
  /** The binding's name. */
  readonly binding: string;
  /** `"kernel"` or `"copy"`. */
  readonly kind: "kernel" | "copy";
  /** The kernel's function, or `tessera.device_copy`. */
  readonly func: string;
  /** The target that ran the kernel; for a copy, `from->to`. */
  readonly target: string;
  /** Wall time in milliseconds. */
  readonly ms: number;
}

type Value = BackendTensor | readonly Value[];

interface Placed {
  readonly value: Value;
  readonly target: Location;
}

/**
 * Runs placed graph modules on several backends.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { place } from "./placement.ts";
 * import { interpreterBackend } from "./backend.ts";
 * import { PlacedExecutor } from "./placed_executor.ts";
 * import { ndarray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", ["n"]), "y"));
 * const mod = place(legalize.run(b.finish()), { home: "a", assign: () => "b" });
 * const ex = new PlacedExecutor(mod, { backends: { a: interpreterBackend(), b: interpreterBackend() } });
 * const [y] = await ex.run([ndarray("float32", [2], [-1, 3])]);
 * console.assert(y.data[1] === 3 && ex.lastProfile().some((s) => s.target === "b"));
 * ```
 */
export class PlacedExecutor {
  private readonly prepared = new Map<string, Promise<Runnable>>();
  private readonly constants = new Map<string, Map<Constant, BackendTensor>>();
  private profile: PlacedStep[] = [];
  private readonly home: string;
  private readonly plans = new Map<GraphFunc, RunPlan>();
  private readonly storages = new Map<GraphFunc, PlanStorage>();
  private readonly running = new Set<GraphFunc>();
  private readonly fulls = new Map<string, readonly (readonly DimRef[] | undefined)[]>();

  /** Check the placement (`GRAPH_PLACEMENT` listing the problems) and the backends. */
  constructor(readonly module: GraphModule, private readonly options: PlacedExecutorOptions) {
    const names = Object.keys(options.backends);
    this.home = options.home ?? names[0];
    const problems = placementProblems(module, this.home);
    const needed = new Set<string>();
    for (const f of module.graphs.values()) {
      needed.add(homeOf(f, this.home));
      for (const b of f.blocks.flatMap((x) => x.bindings)) {
        if (b.value.kind === "CallTIR") {
          needed.add(targetOf(module.tir.functions.get(b.value.func), homeOf(f, this.home)));
        }
      }
    }
    for (const t of needed) if (!options.backends[t]) problems.push(`no backend for target "${t}"`);
    if (problems.length > 0) {
      throw new GraphError(
        "GRAPH_PLACEMENT",
        `Cannot run the placed module: ${problems.join("; ")}`,
        {
          hint: `backends: ${names.join(", ") || "(none)"}; place the module with place/partition`,
        },
      );
    }
  }

  /** Kernels prepared so far (one per function). */
  get compiledCount(): number {
    return this.prepared.size;
  }

  /** The kernels and copies of the last run, in order, each with its target. */
  lastProfile(): readonly PlacedStep[] {
    return this.profile;
  }

  /** Release the constants uploaded to the backends and the memory plans' storages. */
  dispose(): void {
    for (const [t, m] of this.constants) for (const x of m.values()) this.backend(t).free(x);
    this.constants.clear();
    for (const s of this.storages.values()) s.dispose();
  }

  /** The memory plan of graph function `entry` (default `main`, or the only one). */
  memoryPlan(entry?: string): MemoryPlan {
    return this.storage(this.entry(entry)).plan;
  }

  /** Storages allocated so far for a function's memory plan (a run with unchanged sizes adds none). */
  storageAllocations(entry?: string): number {
    return this.storage(this.entry(entry)).allocations;
  }

  /** The run-time storages of a function's memory plan: one pool per target. */
  private storage(f: GraphFunc): PlanStorage {
    let s = this.storages.get(f);
    if (!s) {
      const home = homeOf(f, this.home);
      const plan = planMemory(f, {
        ...this.options.memory,
        poolOf: (b) =>
          b.value.kind === "CallTIR"
            ? targetOf(this.module.tir.functions.get(b.value.func), home)
            : home,
      });
      this.storages.set(f, s = new PlanStorage(plan, (t) => this.backend(t)));
    }
    return s;
  }

  /** The graph function to run: `entry`, else `main`, else the only one. */
  private entry(entry?: string): GraphFunc {
    return entryFunction(this.module, entry);
  }

  /** The backend of a target. */
  private backend(t: string): Backend {
    return this.options.backends[t];
  }

  /** Run graph function `entry` (default `main`, or the only one) on host inputs. */
  async run(inputs: readonly NDArray[], entry?: string): Promise<NDArray[]> {
    const f = this.entry(entry);
    if (inputs.length !== f.params.length) {
      throw new GraphError(
        "GRAPH_INPUT",
        `Cannot run "${f.name}": it takes ${f.params.length} inputs, got ${inputs.length}`,
        { path: nodePath(f.name) },
      );
    }
    const home = homeOf(f, this.home);
    const env = new Map<Var, number>();
    const values = new Map<Atom, Placed>();
    const owned = new Map<Atom, [string, BackendTensor][]>(); // tensors each value allocated
    const release = (a: Atom) => {
      for (const [t, x] of owned.get(a) ?? []) this.backend(t).free(x);
      owned.delete(a);
    };
    const plan = this.plan(f);
    // overlapping runs of one function: the later one gets storages of its own
    const shared = !this.running.has(f);
    const storage = shared
      ? this.storage(f)
      : new PlanStorage(this.storage(f).plan, (t) => this.backend(t));
    storage.beginRun();
    this.running.add(f);
    this.profile = [];
    try {
      f.params.forEach((p, k) => {
        this.match(p.type, inputs[k], env, nodePath(f.name, p.name, "input"));
        const t = this.backend(home).upload(inputs[k]);
        if (t !== inputs[k]) owned.set(p, [[home, t]]);
        values.set(p, { value: t, target: home });
      });
      storage.checkBounds(env, nodePath(f.name));
      for (let k = 0; k < plan.bindings.length; k++) {
        const b = plan.bindings[k];
        const mine: [string, BackendTensor][] = [];
        owned.set(b.v, mine);
        values.set(b.v, await this.step(b, plan.paths[k], home, values, env, mine, storage));
        storage.checkBounds(env, plan.paths[k]);
        // free what nothing reads any more (aliases extend their sources' lives)
        for (const a of plan.releases[k]) release(a);
      }
      const out = this.read(f.output, home, values);
      const flat: BackendTensor[] = [];
      const walk = (v: Value) => Array.isArray(v) ? v.forEach(walk) : flat.push(v as BackendTensor);
      walk(out);
      const result: NDArray[] = [];
      for (const t of flat) result.push(await this.backend(home).download(t));
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

  /** An atom's value for a reader on `target` (constants uploaded once per target). */
  private read(a: Atom, target: string, values: ReadonlyMap<Atom, Placed>): Value {
    if (a.kind === "Constant") {
      const m = this.constants.get(target) ?? this.constants.set(target, new Map()).get(target)!;
      let t = m.get(a);
      if (!t) m.set(a, t = this.backend(target).upload(a.value));
      return t;
    }
    const v = values.get(a);
    if (!v) throw new GraphError("GRAPH_BAD_ARG", `Cannot read "${a.name}": it has no value yet`);
    return v.value;
  }

  /** Check a value against a type, binding its unbound size variables. */
  private match(t: GraphType, v: Value | NDArray, env: Map<Var, number>, path: string): void {
    if (t.kind === "TupleType") {
      t.fields.forEach((ft, k) => this.match(ft, (v as Value[])[k], env, path));
      return;
    }
    const x = v as BackendTensor;
    const bad = x.dtype !== t.dtype || x.shape.length !== t.shape.length
      ? { dim: -1 }
      : bindShape(t.shape, x.shape, env);
    if (bad) {
      throw new ShapeError(
        "GRAPH_RUNTIME_SHAPE",
        `Cannot accept ${x.dtype}[${x.shape.join(", ")}]: need ${showType(t)}`,
        { path },
      );
    }
  }

  /** Run one binding on its target: checks, then the value. */
  private async step(
    b: Binding,
    path: string,
    home: string,
    values: ReadonlyMap<Atom, Placed>,
    env: Map<Var, number>,
    owned: [string, BackendTensor][],
    storage: PlanStorage,
  ): Promise<Placed> {
    const v = b.value;
    for (const c of b.checks) {
      const x = evalDim(c.a, env), y = evalDim(c.b, env);
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
    const at = (a: Atom): Location => values.get(a)?.target ?? home;
    const one = (l: Location): string => (typeof l === "string" ? l : home);
    switch (v.kind) {
      case "CallTIR": {
        const target = targetOf(this.module.tir.functions.get(v.func), home);
        const run = await this.kernel(v.func, target);
        const types = b.v.type.kind === "TupleType" ? b.v.type.fields : [b.v.type];
        const shapes = types.map((t) => {
          if (t.kind !== "TensorType") {
            throw new GraphError("GRAPH_BAD_TYPE", "Cannot call_tir with a nested tuple result", {
              path,
            });
          }
          const shape = t.shape.map((d) => {
            const n = evalDim(d, env);
            if (n === undefined || n < 0) {
              throw new ShapeError(
                "GRAPH_UNBOUND_SIZE",
                `Cannot allocate ${showType(t)}: ${showDim(d)} has no value`,
                { path },
              );
            }
            return n;
          });
          return shape;
        });
        const args = v.args.map((a) => this.read(a, target, values) as BackendTensor);
        const full = this.fullWrites(v.func, v.args.length, types.length);
        const outs = types.map((t, field) => {
          const shape = shapes[field];
          // a kept view needs no zero-fill when the kernel writes all of it (full_write.ts)
          const when = full[field];
          const all = when !== undefined &&
            when.every((r) =>
              (r.param < args.length ? args[r.param].shape : shapes[r.param - args.length])[r.dim] >
                0
            );
          const planned = storage.output(b.v, field, shape, env, path, all);
          if (planned) return planned;
          const o = this.backend(target).allocate(shape, (t as TensorType).dtype);
          owned.push([target, o]);
          return o;
        });
        for (const o of outs) args.push(o);
        const t0 = performance.now();
        await run(args);
        const ms = performance.now() - t0;
        this.profile.push({ binding: b.v.name, kind: "kernel", func: v.func, target, ms });
        return { value: b.v.type.kind === "TupleType" ? outs : outs[0], target };
      }
      case "CallExtern": {
        if (v.func === DEVICE_COPY) {
          const from = String(v.attrs.from), to = String(v.attrs.to);
          const t0 = performance.now();
          const host = await this.backend(from).download(
            this.read(v.args[0], from, values) as BackendTensor,
          );
          const t = this.backend(to).upload(host);
          if (t !== host) owned.push([to, t]);
          const ms = performance.now() - t0;
          this.profile.push({
            binding: b.v.name,
            kind: "copy",
            func: DEVICE_COPY,
            target: `${from}->${to}`,
            ms,
          });
          return { value: t, target: to };
        }
        const fn = this.options.externs?.[v.func];
        if (!fn) {
          throw new GraphError(
            "GRAPH_UNKNOWN_EXTERN",
            `Cannot call extern "${v.func}": the executor has no such function`,
            { path, hint: "pass it in options.externs" },
          );
        }
        const args: NDArray[] = [];
        for (const a of v.args) {
          args.push(await this.backend(home).download(this.read(a, home, values) as BackendTensor));
        }
        const r = await fn(args, v.attrs);
        // a result sharing an argument's memory may share a storage the plan reuses: copy it
        const arrays = (Array.isArray(r) ? r as readonly NDArray[] : [r as NDArray]).map((a) =>
          args.some((x) => x.data.buffer === a.data.buffer)
            ? ndarray(a.dtype, a.shape, a.data.slice())
            : a
        );
        const up = arrays.map((a) => {
          const t = this.backend(home).upload(a);
          if (t !== a) owned.push([home, t]);
          return t;
        });
        const value: Value = b.v.type.kind === "TupleType" ? up : up[0];
        this.match(b.v.type, value, env, path);
        return { value, target: home };
      }
      case "Tuple":
        return {
          value: v.fields.map((a) => this.read(a, one(at(a)), values)),
          target: v.fields.map(at),
        };
      case "TupleGetItem": {
        const l = at(v.tuple);
        const value = (this.read(v.tuple, home, values) as readonly Value[])[v.index];
        return { value, target: typeof l === "string" ? l : l[v.index] };
      }
      case "MatchShape": {
        const value = this.read(v.value, one(at(v.value)), values);
        this.match(b.v.type, value, env, path);
        return { value, target: at(v.value) };
      }
      case "OpCall":
        throw new GraphError(
          "GRAPH_NOT_LEGALIZED",
          `Cannot run op "${v.op}": the module was not legalized`,
          { path },
        );
    }
  }

  /** Per output of a call of `func` with `nargs` inputs, when its kernel writes all of it. */
  private fullWrites(
    func: string,
    nargs: number,
    nouts: number,
  ): readonly (readonly DimRef[] | undefined)[] {
    const key = `${func}/${nargs}`;
    let full = this.fulls.get(key);
    if (!full) {
      const f = this.module.tir.functions.get(func);
      const buffers = f ? bufferParams(f) : [];
      full = Array.from({ length: nouts }, (_, i) => {
        const out = buffers[nargs + i];
        return f && out ? fullWriteCondition(f, out) : undefined;
      });
      this.fulls.set(key, full);
    }
    return full;
  }

  /** The prepared kernel of a function on its target, prepared on first use. */
  private kernel(name: string, target: string): Promise<Runnable> {
    let p = this.prepared.get(name);
    if (!p) {
      const f = this.module.tir.functions.get(name)!;
      p = this.backend(target).prepare(f);
      p.catch(() => this.prepared.delete(name));
      this.prepared.set(name, p);
    }
    return p;
  }
}
