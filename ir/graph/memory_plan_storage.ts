/**
 * A memory plan at run time, shared by `GraphExecutor` and `PlacedExecutor`: each storage token
 * is allocated (on its pool's backend) the first time a run needs it, for the sizes bound then,
 * and kept across runs while its size in bytes stays the same; each planned value is a view of
 * its token's storage with its own shape.
 *
 * @module
 */
import { byteSize } from "../dtype.ts";
import { InternalError } from "../errors.ts";
import type { Var } from "../expr.ts";
import { numel } from "../ndarray.ts";
import type { Backend, BackendTensor } from "./backend.ts";
import { ShapeError } from "./errors.ts";
import type { GraphVar } from "./ir.ts";
import type { MemoryPlan, StorageToken } from "./memory_plan.ts";
import { evalDim } from "./shape_eval.ts";
import { showDim } from "./types.ts";

interface Held {
  readonly bytes: number;
  readonly base: BackendTensor;
  readonly backend: Backend;
}

interface Kept {
  readonly base: BackendTensor;
  readonly view: BackendTensor;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The storages of one plan's tokens on their backends.
 *
 * @example
 * ```ts ignore
 * const storage = new PlanStorage(planMemory(f), () => backend);
 * storage.beginRun();
 * const out = storage.output(b.v, 0, [3, 768], env, path) ?? backend.allocate([3, 768], "float32");
 * ```
 */
export class PlanStorage {
  private readonly held = new Map<StorageToken, Held>();
  private readonly resolved = new Set<StorageToken>();
  /** The views handed out per value and field, kept across runs (backends with `zero` only). */
  private readonly views = new Map<GraphVar, (Kept | undefined)[]>();
  private made = 0;

  /** Serve `plan`, each token's storage on `backendOf(token.pool)`. */
  constructor(readonly plan: MemoryPlan, private readonly backendOf: (pool: string) => Backend) {}

  /** Storages allocated since creation (a run with unchanged sizes adds none). */
  get allocations(): number {
    return this.made;
  }

  /** Bytes of the storages held now. */
  get heldBytes(): number {
    let s = 0;
    for (const h of this.held.values()) s += h.bytes;
    return s;
  }

  /**
   * Start a run: each token's size is taken anew the first time the run needs it, unless
   * `sameSizes` (the size variables are those of the last run, which completed): then every
   * storage that run sized is kept as it is.
   */
  beginRun(sameSizes = false): void {
    if (!sameSizes) this.resolved.clear();
  }

  /** GRAPH_UPPER_BOUND if a bound size variable is larger than the plan's upper bound for it. */
  checkBounds(env: ReadonlyMap<Var, number>, path: string): void {
    for (const [v, ub] of this.plan.upperBounds) {
      const x = env.get(v);
      if (x === undefined || x <= ub) continue;
      throw new ShapeError(
        "GRAPH_UPPER_BOUND",
        `Cannot run "${this.plan.func.name}": size variable ${v.name} is ${x}, above its upper bound ${ub}`,
        {
          path,
          hint: `the memory plan sized its storages for ${v.name} <= ${ub}; raise upperBounds`,
        },
      );
    }
  }

  /**
   * The tensor for output `field` of binding `v`: a view of its token's storage, or undefined
   * when the plan leaves it out (a result of the function). It is zero-filled, unless `full`
   * (the kernel writes every element) and the backend keeps views (`Backend.zero`): then the
   * view of the last run with the same storage and shape comes back as it is.
   */
  output(
    v: GraphVar,
    field: number,
    shape: readonly number[],
    env: ReadonlyMap<Var, number>,
    path: string,
    full = false,
  ): BackendTensor | undefined {
    const tokens = this.plan.assignment.get(v);
    const token = tokens?.[field];
    if (!token) return undefined;
    const h = this.storage(token, env, path);
    const backend = h.backend;
    let kept = this.views.get(v);
    const last = kept?.[field];
    if (last && last.base === h.base && sameShape(last.view.shape, shape)) {
      if (!full) backend.zero!(last.view);
      return last.view;
    }
    const bytes = numel(shape) * byteSize(token.dtype);
    if (bytes > h.bytes) {
      throw new InternalError(
        `memory plan of "${this.plan.func.name}": ${v.name} needs ${bytes} bytes, storage ${token.id} has ${h.bytes}`,
      );
    }
    const view = backend.view(h.base, shape);
    if (backend.zero) {
      if (!kept) this.views.set(v, kept = new Array(tokens!.length));
      kept[field] = { base: h.base, view };
    }
    return view;
  }

  /** Release every storage held. */
  dispose(): void {
    for (const h of this.held.values()) h.backend.free(h.base);
    this.held.clear();
    this.resolved.clear();
    this.views.clear();
  }

  /** A token's storage for this run: the one held if its size is unchanged, else a new one. */
  private storage(token: StorageToken, env: ReadonlyMap<Var, number>, path: string): Held {
    const old = this.held.get(token);
    if (this.resolved.has(token)) return old!;
    const bytes = evalDim(token.bytes, env);
    if (bytes === undefined) {
      throw new ShapeError(
        "GRAPH_UNBOUND_SIZE",
        `Cannot allocate storage ${token.id} of ${showDim(token.bytes)} bytes: a size has no value`,
        { path },
      );
    }
    this.resolved.add(token);
    if (old?.bytes === bytes) return old;
    if (old) old.backend.free(old.base);
    const backend = this.backendOf(token.pool);
    const base = backend.allocate([Math.ceil(bytes / byteSize(token.dtype))], token.dtype);
    const h = { bytes, base, backend };
    this.held.set(token, h);
    this.made++;
    return h;
  }
}
