/**
 * Heterogeneous placement: each `callTIR` of a graph function runs on one target, named by its
 * callee's `target` attribute; the graph function's own `target` attribute is its *home*, where
 * its parameters arrive, its extern calls run and its result is returned. Wherever a tensor is
 * read on another target than the one holding it, `place` inserts an explicit copy binding
 *
 * ```
 * x_npu: tensor<float32>[n, 16] = call_extern "tessera.device_copy"(x) {from: "cpu", to: "npu"}
 * ```
 *
 * so every transfer is visible in the printed module, and the executor (`placed_executor.ts`)
 * refuses a module where a tensor crosses targets without one (`placementProblems`). Constants
 * are weights: each target that reads one gets its own upload, once per executor.
 *
 * A function called on several targets is cloned per target (`dense_npu`).
 *
 * @module
 */
import type { PrimFunc } from "../func.ts";
import type { NDArray } from "../ndarray.ts";
import { GraphError, nodePath } from "./errors.ts";
import {
  type Atom,
  type Attrs,
  type Binding,
  binding,
  type BindingBlock,
  bindingBlock,
  type GraphFunc,
  type GraphModule,
  type GraphValue,
  type GraphVar,
  graphVar,
} from "./ir.ts";
import type { TensorType } from "./types.ts";

/** The name of the copy extern (`call_extern "tessera.device_copy"(x) {from, to}`). */
export const DEVICE_COPY = "tessera.device_copy";
/** The attribute naming a function's target (a callee's: where it runs; a graph's: its home). */
export const TARGET_ATTR = "target";

/**
 * Externs that run a placed module on one backend with `GraphExecutor` (each copy the identity):
 * the oracle run of a partitioned module.
 *
 * @example
 * ```ts
 * import { COPY_EXTERNS, DEVICE_COPY } from "./placement.ts";
 * import { ndarray } from "../ndarray.ts";
 * const x = ndarray("float32", [1], [2]);
 * console.assert(COPY_EXTERNS[DEVICE_COPY]([x], {}) === x);
 * ```
 */
export const COPY_EXTERNS: Readonly<
  Record<string, (args: readonly NDArray[], attrs: Attrs) => NDArray>
> = { [DEVICE_COPY]: (args) => args[0] };

/** Where a value lives: a target name, `"*"` for a constant (anywhere), or a tuple's fields. */
export type Location = string | readonly Location[];

/** The target a tensor-level function runs on (its `target` attribute), or `home`. */
export function targetOf(f: PrimFunc | undefined, home: string): string {
  const t = f?.attrs[TARGET_ATTR];
  return typeof t === "string" ? t : home;
}

/** The home target of a graph function (its `target` attribute), or `fallback`. */
export function homeOf(f: GraphFunc, fallback: string): string {
  const t = f.attrs[TARGET_ATTR];
  return typeof t === "string" ? t : fallback;
}

/** Whether a binding is a copy between targets. */
export function isCopy(b: Binding): boolean {
  return b.value.kind === "CallExtern" && b.value.func === DEVICE_COPY;
}

/** Where a binding's value lives, given where its operands live. */
export function locationOf(
  v: GraphValue,
  at: (a: Atom) => Location,
  tir: ReadonlyMap<string, PrimFunc>,
  home: string,
): Location {
  switch (v.kind) {
    case "CallTIR":
      return targetOf(tir.get(v.func), home);
    case "CallExtern":
      return v.func === DEVICE_COPY ? String(v.attrs.to) : home;
    case "Tuple":
      return v.fields.map(at);
    case "TupleGetItem": {
      const t = at(v.tuple);
      return Array.isArray(t) ? t[v.index] : t;
    }
    case "MatchShape":
      return at(v.value);
    case "OpCall":
      return home; // not legalized: the executor refuses it anyway
  }
}

/** What `place` needs: the home target, and the target of each `callTIR` binding. */
export interface PlaceOptions {
  /** Where parameters, extern calls and results live. */
  readonly home: string;
  /** The target of a `callTIR` binding (undefined: home). */
  readonly assign: (b: Binding, f: GraphFunc) => string | undefined;
}

const safe = (t: string) => t.replace(/[^A-Za-z0-9_]/g, "_");

/** One graph function with copies inserted; `calls` collects (binding → target). */
function placeFunc(
  f: GraphFunc,
  options: PlaceOptions,
  calls: Map<GraphVar, string>,
): GraphFunc {
  const home = options.home;
  const loc = new Map<Atom, Location>(f.params.map((p) => [p, home]));
  const at = (a: Atom): Location => a.kind === "Constant" ? "*" : loc.get(a) ?? home;
  const copies = new Map<Atom, Map<string, Atom>>(); // source → target → its copy
  const used = new Set<string>([...f.params, ...f.blocks.flatMap((b) => b.bindings.map((x) => x.v))]
    .map((v) => v.name));
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  /** `a` on target `to`: `a` itself, or a copy (made once, appended to `out`). */
  const onTarget = (a: Atom, to: string, out: Binding[], path: string): Atom => {
    const from = at(a);
    if (from === "*" || from === to) return a;
    if (typeof from !== "string" || a.type.kind !== "TensorType") {
      throw new GraphError(
        "GRAPH_PLACEMENT",
        `Cannot place a copy of "${a.name}" on "${to}": it is a tuple`,
        { path },
      );
    }
    const mine = copies.get(a) ?? copies.set(a, new Map()).get(a)!;
    let c = mine.get(to);
    if (!c) {
      const v = graphVar(fresh(`${a.name}_${safe(to)}`), a.type as TensorType);
      out.push(binding(v, {
        kind: "CallExtern",
        func: DEVICE_COPY,
        args: [a],
        attrs: { from, to },
        pure: true,
      }));
      loc.set(v, to);
      mine.set(to, c = v);
    }
    return c;
  };
  const blocks: BindingBlock[] = [];
  for (const blk of f.blocks) {
    const out: Binding[] = [];
    for (const b of blk.bindings) {
      const path = nodePath(f.name, b.v.name);
      const v = b.value;
      let nb = b;
      if (v.kind === "CallTIR") {
        const t = options.assign(b, f) ?? home;
        calls.set(b.v, t);
        const args = v.args.map((a) => onTarget(a, t, out, path));
        nb = { ...b, value: { ...v, args } };
        loc.set(b.v, t);
      } else {
        if (v.kind === "CallExtern" && v.func !== DEVICE_COPY) {
          nb = { ...b, value: { ...v, args: v.args.map((a) => onTarget(a, home, out, path)) } };
        }
        loc.set(b.v, locationOf(nb.value, at, new Map(), home));
      }
      out.push(nb);
    }
    blocks.push(bindingBlock(out, blk.dataflow));
  }
  // the result comes home: a tensor copied, a tuple rebuilt from its fields copied
  let output = f.output;
  const tail: Binding[] = [];
  const o = at(output);
  const path = nodePath(f.name, output.name, "result");
  if (typeof o === "string") output = onTarget(output, home, tail, path);
  else if (o.some((l) => l !== home && l !== "*")) {
    const fields = o.map((l, k) => {
      if (typeof l !== "string") {
        throw new GraphError("GRAPH_PLACEMENT", "Cannot place a nested tuple result", { path });
      }
      const ft = (output.type as { fields: readonly TensorType[] }).fields[k];
      const item = graphVar(fresh(`${output.name}_${k}`), ft);
      tail.push(binding(item, { kind: "TupleGetItem", tuple: output, index: k }));
      loc.set(item, l);
      return onTarget(item, home, tail, path);
    });
    const t = graphVar(fresh(`${output.name}_${safe(home)}`), output.type);
    tail.push(binding(t, { kind: "Tuple", fields }));
    output = t;
  }
  if (tail.length > 0) blocks.push(bindingBlock(tail, true));
  return { ...f, blocks, output, attrs: { ...f.attrs, [TARGET_ATTR]: home } };
}

/**
 * Place a module's graph functions: every `callTIR` on the target `assign` gives it, copies
 * inserted where tensors cross targets, the result copied home. Callees get a `target`
 * attribute (cloned as `<name>_<target>` when called on several targets). Run it on a legalized
 * module (after `legalize`/`fuse`).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { place } from "./placement.ts";
 * import { printGraphModule } from "./print.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.softmax(b.relu(b.input("x", ["n", 4]), "h")));
 * const mod = place(legalize.run(b.finish()), {
 *   home: "cpu",
 *   assign: (bd) => (bd.v.name === "h" ? "npu" : undefined),
 * });
 * console.assert(printGraphModule(mod).includes('call_extern "tessera.device_copy"(x) {from: "cpu", to: "npu"}'));
 * ```
 */
export function place(mod: GraphModule, options: PlaceOptions): GraphModule {
  const calls = new Map<GraphVar, string>();
  const placed = [...mod.graphs.values()].map((f) => placeFunc(f, options, calls));
  // each callee gets the target its calls run on; a callee on several targets is cloned
  const byFunc = new Map<string, Set<string>>();
  const callee = new Map<GraphVar, string>();
  for (const f of mod.graphs.values()) {
    for (const b of f.blocks.flatMap((x) => x.bindings)) {
      if (b.value.kind === "CallTIR") callee.set(b.v, b.value.func);
    }
  }
  for (const [v, t] of calls) {
    const name = callee.get(v)!;
    (byFunc.get(name) ?? byFunc.set(name, new Set()).get(name)!).add(t);
  }
  const tir = new Map(mod.tir.functions);
  const names = new Set([...tir.keys(), ...mod.graphs.keys()]);
  const rename = new Map<string, string>(); // `${func}@${target}` → callee name
  for (const [name, targets] of byFunc) {
    const f = tir.get(name);
    if (!f) continue; // verifyGraph's business
    [...targets].forEach((t, k) => {
      let callee = name;
      if (k > 0) {
        callee = `${name}_${safe(t)}`;
        for (let j = 1; names.has(callee); j++) callee = `${name}_${safe(t)}_${j}`;
        names.add(callee);
      }
      tir.set(callee, { ...f, name: callee, attrs: { ...f.attrs, [TARGET_ATTR]: t } });
      rename.set(`${name}@${t}`, callee);
    });
  }
  const graphs = new Map<string, GraphFunc>();
  for (const f of placed) {
    const blocks = f.blocks.map((blk) =>
      bindingBlock(
        blk.bindings.map((b) => {
          const v = b.value;
          if (v.kind !== "CallTIR") return b;
          const name = rename.get(`${v.func}@${calls.get(b.v)}`) ?? v.func;
          return name === v.func ? b : { ...b, value: { ...v, func: name } };
        }),
        blk.dataflow,
      )
    );
    graphs.set(f.name, { ...f, blocks });
  }
  return { kind: "GraphModule", graphs, tir: { kind: "IRModule", functions: tir } };
}

/**
 * Problems of a placed module, as messages (empty when every tensor a kernel, an extern or the
 * result reads is on the right target, and every copy's `from` is where its operand lives).
 */
export function placementProblems(mod: GraphModule, fallback = "host"): string[] {
  const problems: string[] = [];
  for (const f of mod.graphs.values()) {
    const home = homeOf(f, fallback);
    const loc = new Map<Atom, Location>(f.params.map((p) => [p, home]));
    const at = (a: Atom): Location => a.kind === "Constant" ? "*" : loc.get(a) ?? home;
    const need = (a: Atom, t: string, what: string) => {
      const l = at(a);
      if (l !== "*" && l !== t) {
        problems.push(`${what} reads "${a.name}" on "${t}" but it lives on ${JSON.stringify(l)}`);
      }
    };
    for (const b of f.blocks.flatMap((x) => x.bindings)) {
      const v = b.value;
      const what = nodePath(f.name, b.v.name);
      if (v.kind === "CallTIR") {
        const t = targetOf(mod.tir.functions.get(v.func), home);
        v.args.forEach((a) => need(a, t, what));
      } else if (v.kind === "CallExtern") {
        v.args.forEach((a) => need(a, v.func === DEVICE_COPY ? String(v.attrs.from) : home, what));
      }
      loc.set(b.v, locationOf(v, at, mod.tir.functions, home));
    }
    const o = at(f.output);
    const flat = (l: Location): string[] => (typeof l === "string" ? [l] : l.flatMap(flat));
    if (flat(o).some((l) => l !== home && l !== "*")) {
      problems.push(`${nodePath(f.name)}: the result is not on its home target "${home}"`);
    }
  }
  return problems;
}
