/**
 * A memory plan for people: its text form (one line per storage token) and its figures for
 * concrete sizes — planned bytes, the unplanned total (every intermediate its own allocation)
 * and the liveness-only peak (the most bytes live at once; no plan can do better).
 *
 * @module
 */
import { formatExpr } from "../arith/mod.ts";
import type { PrimExpr, Var } from "../expr.ts";
import { ShapeError } from "./errors.ts";
import type { MemoryPlan, PlannedValue } from "./memory_plan.ts";
import { evalDim } from "./shape_eval.ts";
import { showDim } from "./types.ts";

/** Values of size variables: by name, or by variable. */
export type SizeBinding = Readonly<Record<string, number>> | ReadonlyMap<Var, number>;

/** A plan's figures for concrete sizes, in bytes. */
export interface MemoryFigures {
  /** Storage tokens (allocations per run). */
  readonly storages: number;
  /** Sum of the tokens' sizes. */
  readonly plannedBytes: number;
  /** Sum of every planned value's size (each its own allocation). */
  readonly unplannedBytes: number;
  /** The most bytes of planned values live at once (freeing after last use). */
  readonly peakBytes: number;
}

/** The env of a size binding, as variables of the plan. */
function envOf(plan: MemoryPlan, sizes: SizeBinding): ReadonlyMap<Var, number> {
  if (sizes instanceof Map) return sizes;
  const byName = sizes as Readonly<Record<string, number>>;
  return new Map(
    plan.symbols.filter((v) => byName[v.name] !== undefined).map((v) => [v, byName[v.name]]),
  );
}

/** The value of a size under an env (GRAPH_UNBOUND_SIZE naming the plan's function if unbound). */
function evalBytes(plan: MemoryPlan, e: PrimExpr, env: ReadonlyMap<Var, number>): number {
  const x = evalDim(e, env);
  if (x === undefined) {
    throw new ShapeError(
      "GRAPH_UNBOUND_SIZE",
      `Cannot evaluate the memory plan of "${plan.func.name}": ${showDim(e)} bytes need values of ${
        plan.symbols.filter((v) => !env.has(v)).map((v) => v.name).join(", ")
      }`,
    );
  }
  return x;
}

/**
 * Bytes of all storage tokens for concrete sizes.
 *
 * @example
 * ```ts ignore
 * console.log(planBytes(planMemory(f), { n: 128 }));
 * ```
 */
export function planBytes(plan: MemoryPlan, sizes: SizeBinding): number {
  const env = envOf(plan, sizes);
  return plan.tokens.reduce((s, t) => s + evalBytes(plan, t.bytes, env), 0);
}

/**
 * The figures of a plan for concrete sizes: storages, planned bytes, unplanned total and the
 * liveness-only peak.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { planMemory } from "./memory_plan.ts";
 * import { memoryFigures } from "./memory_plan_print.ts";
 * const b = new GraphBuilder("main");
 * const c = b.relu(b.op("neg", [b.relu(b.input("x", ["n", 8]), "a")], {}, "b"), "c");
 * b.output(b.op("neg", [c]));
 * const plan = planMemory(legalize.run(b.finish()).graphs.get("main")!);
 * const m = memoryFigures(plan, { n: 2 });
 * console.assert(m.storages === 2 && m.plannedBytes === 128 && m.unplannedBytes === 192);
 * ```
 */
export function memoryFigures(plan: MemoryPlan, sizes: SizeBinding): MemoryFigures {
  const env = envOf(plan, sizes);
  const size = (v: PlannedValue) => evalBytes(plan, v.bytes, env);
  let peak = 0;
  const steps = new Set(plan.values.flatMap((v) => [v.start, v.end]));
  for (const k of steps) {
    let live = 0;
    for (const v of plan.values) if (v.start <= k && k <= v.end) live += size(v);
    peak = Math.max(peak, live);
  }
  return {
    storages: plan.tokens.length,
    plannedBytes: planBytes(plan, env),
    unplannedBytes: plan.values.reduce((s, v) => s + size(v), 0),
    peakBytes: peak,
  };
}

/** A value for the printout: `lv3`, or `lv3.1` for the second output of a binding. */
function valueName(v: PlannedValue): string {
  return v.v.type.kind === "TupleType" ? `${v.v.name}.${v.field}` : v.v.name;
}

/**
 * The text form of a plan: a header, then one line per token — id, pool, bytes (symbolic),
 * dtype, and the values it holds with their binding indices.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { planMemory } from "./memory_plan.ts";
 * import { printMemoryPlan } from "./memory_plan_print.ts";
 * const b = new GraphBuilder("main");
 * const c = b.relu(b.op("neg", [b.relu(b.input("x", ["n", 8]), "a")], {}, "b"), "c");
 * b.output(b.op("neg", [c]));
 * const text = printMemoryPlan(planMemory(legalize.run(b.finish()).graphs.get("main")!));
 * console.assert(text.includes("storage 0: n*32 bytes float32: a@0, c@2"), text);
 * ```
 */
export function printMemoryPlan(plan: MemoryPlan): string {
  const bounds = [...plan.upperBounds].map(([v, ub]) => `${v.name} <= ${ub}`);
  const lines = [
    `memory plan of "${plan.func.name}": ${plan.tokens.length} storages for ${plan.values.length} values${
      bounds.length ? ` (upper bounds ${bounds.join(", ")})` : ""
    }`,
  ];
  for (const t of plan.tokens) {
    const pool = t.pool ? ` [${t.pool}]` : "";
    const values = t.values.map((v) => `${valueName(v)}@${v.start}`).join(", ");
    lines.push(
      `  storage ${t.id}${pool}: ${formatExpr(t.bytes)} bytes ${t.dtype}${
        t.bounded ? " (bounded)" : ""
      }: ${values}`,
    );
  }
  return lines.join("\n");
}
