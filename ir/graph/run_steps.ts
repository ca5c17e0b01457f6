/**
 * The size-independent part of running each binding of a graph function, compiled once per
 * function by `GraphExecutor`: values live in an array of slots (the parameters, then one per
 * binding) instead of a map, each binding reads its arguments by slot index, knows which slots
 * to free after it, its output types, and for a `callTIR` when its kernel writes each output in
 * full (`fullWriteCondition`: then their planned views need no zero-fill).
 *
 * @module
 */
import { bufferParams, type PrimFunc } from "../func.ts";
import { nodePath } from "./errors.ts";
import { type DimRef, fullWriteCondition } from "./full_write.ts";
import { argsOf, type Atom, type Binding, type GraphFunc } from "./ir.ts";
import type { RunPlan } from "./run_plan.ts";
import type { GraphType } from "./types.ts";

/** An argument: a slot index, or an atom without a slot (a constant, or a variable never bound). */
export type Arg = number | Atom;

/** One binding, ready to run. */
export interface Step {
  /** The binding. */
  readonly binding: Binding;
  /** The slot of its value. */
  readonly slot: number;
  /** Its arguments (`argsOf` order). */
  readonly args: readonly Arg[];
  /** Slots whose last reader it is: freed right after it. */
  readonly releases: readonly number[];
  /** True if running it may bind size variables (it matches a type: `matchShape`, `callExtern`). */
  readonly binds: boolean;
  /** For a `callTIR`: the tensor-level function called. */
  readonly call?: string;
  /** For a `callTIR`: the types of its outputs (one, or the fields of a tuple). */
  readonly outTypes?: readonly GraphType[];
  /**
   * For a `callTIR`: per output, the argument dimensions that must be positive for the kernel
   * to write every element (`fullWriteCondition`; empty: always; undefined: not provably).
   */
  readonly full?: readonly (readonly DimRef[] | undefined)[];
}

/** The steps of a function. */
export interface Steps {
  /** One per binding, in order. */
  readonly steps: readonly Step[];
  /** Number of slots (parameters + bindings). */
  readonly slotCount: number;
  /** The function's result. */
  readonly output: Arg;
  /** Each parameter's node path (for messages). */
  readonly inputPaths: readonly string[];
  /** True if some binding binds size variables while running (`matchShape`, `callExtern`). */
  readonly dynamic: boolean;
  /** The variable of each slot (for messages). */
  readonly vars: readonly Atom[];
}

/**
 * Compile the bindings of `f` (planned by `planRun`) into steps; `tir` finds a tensor-level
 * function by name (undefined: unknown, reported when the binding runs).
 *
 * @example
 * ```ts ignore
 * const steps = compileSteps(f, planRun(f), (name) => mod.tir.functions.get(name));
 * ```
 */
export function compileSteps(
  f: GraphFunc,
  plan: RunPlan,
  tir: (name: string) => PrimFunc | undefined,
): Steps {
  const slots = new Map<Atom, number>();
  f.params.forEach((p, k) => slots.set(p, k));
  plan.bindings.forEach((b, k) => slots.set(b.v, f.params.length + k));
  const arg = (a: Atom): Arg => slots.get(a) ?? a;
  const fulls = new Map<string, (DimRef[] | undefined)[]>(); // per function and argument count
  const steps = plan.bindings.map((b, k): Step => {
    const v = b.value;
    const releases: number[] = [];
    for (const a of plan.releases[k]) {
      const s = slots.get(a);
      if (s !== undefined) releases.push(s);
    }
    const step = {
      binding: b,
      slot: f.params.length + k,
      args: argsOf(v).map(arg),
      releases,
      binds: v.kind === "MatchShape" || v.kind === "CallExtern",
    };
    if (v.kind !== "CallTIR") return step;
    const outTypes = b.v.type.kind === "TupleType" ? b.v.type.fields : [b.v.type];
    const key = `${v.func}/${v.args.length}`;
    let full = fulls.get(key);
    if (!full) {
      const prim = tir(v.func);
      const buffers = prim ? bufferParams(prim) : [];
      full = outTypes.map((_, i) => {
        const out = buffers[v.args.length + i];
        return out === undefined ? undefined : fullWriteCondition(prim!, out);
      });
      fulls.set(key, full);
    }
    return { ...step, call: v.func, outTypes, full };
  });
  return {
    steps,
    slotCount: f.params.length + plan.bindings.length,
    output: arg(f.output),
    inputPaths: f.params.map((p) => nodePath(f.name, p.name, "input")),
    dynamic: steps.some((s) => s.binds),
    vars: [...slots.keys()],
  };
}
