/**
 * The input-independent part of running a graph function, shared by `GraphExecutor` and
 * `PlacedExecutor`: its bindings in order, each binding's node path for messages, and which
 * values die after each binding (liveness: executors free what they allocated early, and
 * `planMemory` shares storage between values that are never live at once).
 *
 * @module
 */
import { GraphError, nodePath } from "./errors.ts";
import { argsOf, type Atom, type Binding, type GraphFunc, type GraphModule } from "./ir.ts";

/**
 * The graph function an executor runs: `name`, else `main`, else the only one; a typed
 * `GRAPH_UNKNOWN_FUNCTION` listing the module's functions otherwise.
 *
 * @example
 * ```ts ignore
 * const f = entryFunction(mod); // "main", or the only graph function
 * ```
 */
export function entryFunction(mod: GraphModule, name?: string): GraphFunc {
  const graphs = mod.graphs;
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

/** What a run of a function needs that does not depend on its inputs (built once per function). */
export interface RunPlan {
  /** The bindings of all blocks, in order. */
  readonly bindings: readonly Binding[];
  /** Each binding's node path (for messages). */
  readonly paths: readonly string[];
  /** The atoms whose last reader is each binding: freed right after it. */
  readonly releases: readonly (readonly Atom[])[];
  /** The index of the last binding reading each atom, aliases included (the result: Infinity). */
  readonly lastUse: ReadonlyMap<Atom, number>;
}

/**
 * The index of the last binding reading each value (the result: never); a tuple, field or
 * `matchShape` aliases its operands, so their lives extend to the alias's last use.
 */
function lastUses(f: GraphFunc, bs: readonly Binding[]): Map<Atom, number> {
  const last = new Map<Atom, number>();
  bs.forEach((b, k) => argsOf(b.value).forEach((a) => last.set(a, k)));
  last.set(f.output, Infinity);
  for (let k = bs.length - 1; k >= 0; k--) {
    const v = bs[k].value;
    if (v.kind !== "Tuple" && v.kind !== "TupleGetItem" && v.kind !== "MatchShape") continue;
    const end = last.get(bs[k].v) ?? k;
    for (const a of argsOf(v)) last.set(a, Math.max(last.get(a) ?? -1, end));
  }
  return last;
}

/**
 * Plan a run of `f`: bindings, paths and releases.
 *
 * @example
 * ```ts ignore
 * const plan = planRun(mod.graphs.get("main")!);
 * plan.bindings.forEach((b, k) => console.log(plan.paths[k], plan.releases[k].length));
 * ```
 */
export function planRun(f: GraphFunc): RunPlan {
  const bindings = f.blocks.flatMap((blk) => blk.bindings);
  const last = lastUses(f, bindings);
  const releases = bindings.map((b, k) =>
    [b.v, ...argsOf(b.value)].filter((a, i, all) =>
      (last.get(a) ?? -1) <= k && all.indexOf(a) === i
    )
  );
  const paths = bindings.map((b) => {
    const v = b.value;
    const what = v.kind === "CallTIR"
      ? `call_tir "${v.func}"`
      : v.kind === "CallExtern"
      ? `call_extern "${v.func}"`
      : v.kind;
    return nodePath(f.name, b.v.name, what);
  });
  return { bindings, paths, releases, lastUse: last };
}
