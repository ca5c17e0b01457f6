/**
 * Static memory planning of a graph function with symbolic sizes (in the spirit of TVM Relax's
 * `StaticPlanBlockMemory`): once per function, independent of input values, the intermediates
 * an executor allocates (the outputs of `callTIR` bindings) are assigned to storage tokens.
 *
 * Rules (per pool, one pool per backend/target; one dtype per token):
 * - a value's size is a `PrimExpr` over the function's size variables (`4 * 3072 * n` bytes);
 * - values whose lifetimes overlap never share a token (lifetimes from `planRun`'s liveness, so a
 *   tuple, field or `matchShape` alias keeps its sources alive);
 * - a token freed by its last value's last use is taken by a later value only when its size is
 *   provably ≥ the value's for every value of the size variables; the best fit wins (a provably
 *   equal size first, else the smallest that fits);
 * - with `upperBounds` (like Relax's `tir_var_upper_bound`), a value whose size is bounded by them
 *   gets a constant size (its bound); bounded values share tokens freely, a token growing to the
 *   largest bound it serves;
 * - the function's result (and what it aliases), parameters and constants are never planned.
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import { byteSize, type DType } from "../dtype.ts";
import { cast, int, mul, type PrimExpr, type Var } from "../expr.ts";
import { visit } from "../node.ts";
import { GraphError, nodePath } from "./errors.ts";
import type { Binding, GraphFunc, GraphVar } from "./ir.ts";
import { planRun } from "./run_plan.ts";
import type { GraphType, TensorType } from "./types.ts";

/** Options of `planMemory`. */
export interface MemoryPlanOptions {
  /**
   * Largest values of size variables, by name (Relax's `tir_var_upper_bound`): values whose
   * size they bound get constant-size tokens. A larger value at run time is `GRAPH_UPPER_BOUND`.
   */
  readonly upperBounds?: Readonly<Record<string, number>>;
  /** The pool (backend or target) of a `callTIR` binding's outputs (default: one pool, `""`). */
  readonly poolOf?: (b: Binding) => string;
  /** False: one token per value, nothing shared (the unplanned baseline). Default true. */
  readonly reuse?: boolean;
}

/** One planned intermediate: a tensor output of a `callTIR` binding. */
export interface PlannedValue {
  /** The binding's variable. */
  readonly v: GraphVar;
  /** The output's index among the binding's outputs (0 for a single tensor). */
  readonly field: number;
  /** Its type. */
  readonly type: TensorType;
  /** Its size in bytes, over the size variables. */
  readonly bytes: PrimExpr;
  /** Index of the binding that writes it. */
  readonly start: number;
  /** Index of the last binding that reads it (or an alias of it); `start` if none. */
  readonly end: number;
}

/** A storage token: one allocation shared by values whose lifetimes do not overlap. */
export interface StorageToken {
  /** Number in the plan (its index in `tokens`). */
  readonly id: number;
  /** The pool (backend/target) it lives in. */
  readonly pool: string;
  /** Element dtype of every value it holds. */
  readonly dtype: DType;
  /** Its size in bytes: provably ≥ every value's size (a constant when bounded). */
  readonly bytes: PrimExpr;
  /** True when its size comes from `upperBounds`. */
  readonly bounded: boolean;
  /** The values it holds, in binding order. */
  readonly values: readonly PlannedValue[];
}

/** The memory plan of one graph function. */
export interface MemoryPlan {
  /** The function planned. */
  readonly func: GraphFunc;
  /** The storage tokens. */
  readonly tokens: readonly StorageToken[];
  /** Every planned value in binding order. */
  readonly values: readonly PlannedValue[];
  /** The token of each planned binding's outputs, by output index (undefined: not planned). */
  readonly assignment: ReadonlyMap<GraphVar, readonly (StorageToken | undefined)[]>;
  /** The size variables of the function (parameters' and bindings' types). */
  readonly symbols: readonly Var[];
  /** The upper bounds given, by size variable. */
  readonly upperBounds: ReadonlyMap<Var, number>;
}

interface Building {
  id: number;
  pool: string;
  dtype: DType;
  bytes: PrimExpr;
  bounded: boolean;
  bound: number;
  end: number;
  values: PlannedValue[];
}

/** The size variables in a type, in order of appearance. */
function typeVars(t: GraphType, out: Set<Var>): void {
  if (t.kind === "TupleType") return t.fields.forEach((f) => typeVars(f, out));
  for (const d of t.shape) visit(d, (n) => void (n.kind === "Var" && out.add(n)));
}

/** The bytes of a tensor type: product of its dims times the element size (int32). */
function bytesOf(t: TensorType, ana: Analyzer): PrimExpr {
  let e: PrimExpr = int(byteSize(t.dtype));
  for (const d of t.shape) e = mul(e, d.dtype === "int32" ? d : cast("int32", d));
  return ana.simplify(e);
}

/** The variables a function's result aliases (through tuples, fields and shape matches). */
function resultAliases(f: GraphFunc, bs: readonly Binding[]): Set<GraphVar> {
  const byVar = new Map(bs.map((b) => [b.v, b]));
  const out = new Set<GraphVar>();
  const walk = (a: typeof f.output) => {
    if (a.kind !== "GraphVar" || out.has(a)) return;
    out.add(a);
    const v = byVar.get(a)?.value;
    if (v?.kind === "Tuple") v.fields.forEach(walk);
    else if (v?.kind === "TupleGetItem") walk(v.tuple);
    else if (v?.kind === "MatchShape") walk(v.value);
  };
  walk(f.output);
  return out;
}

/** Upper bounds by variable, checked against the function's size variables. */
function boundsOf(f: GraphFunc, symbols: readonly Var[], given: Readonly<Record<string, number>>) {
  const out = new Map<Var, number>();
  for (const [name, ub] of Object.entries(given)) {
    const v = symbols.find((s) => s.name === name);
    if (!v || !Number.isSafeInteger(ub) || ub < 0) {
      throw new GraphError(
        "GRAPH_MEMORY_PLAN",
        `Cannot plan the memory of "${f.name}" with upper bound ${name} = ${ub}: ${
          v ? "a bound must be an integer ≥ 0" : "the function has no size variable of that name"
        }`,
        {
          path: nodePath(f.name),
          hint: `size variables: ${symbols.map((s) => s.name).join(", ") || "(none)"}`,
        },
      );
    }
    out.set(v, ub);
  }
  return out;
}

/**
 * The best free token for a value: among tokens whose size is provably ≥ the value's, one of
 * provably equal size, else the smallest; failing that (both bounded) the bounded token closest
 * to the value's bound, grown if needed.
 */
function pick(
  free: readonly Building[],
  dtype: DType,
  bytes: PrimExpr,
  bound: number | undefined,
  ana: Analyzer,
): Building | undefined {
  let best: Building | undefined;
  for (const t of free) {
    if (t.dtype !== dtype || !ana.canProveGreaterEqual(t.bytes, bytes)) continue;
    if (ana.canProveEqual(t.bytes, bytes)) return t;
    if (!best || ana.canProveLess(t.bytes, best.bytes)) best = t;
  }
  if (best || bound === undefined) return best;
  const bounded = free.filter((t) => t.dtype === dtype && t.bounded);
  const fits = bounded.filter((t) => t.bound >= bound).sort((a, b) => a.bound - b.bound);
  return fits[0] ?? bounded.sort((a, b) => b.bound - a.bound)[0];
}

/**
 * Plan the memory of a graph function: storage tokens for its intermediates (see the module
 * documentation for the rules). Computed once; sizes stay symbolic.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { planMemory } from "./memory_plan.ts";
 * const b = new GraphBuilder("main");
 * const c = b.relu(b.op("neg", [b.relu(b.input("x", ["n", 8]), "a")], {}, "b"), "c");
 * b.output(b.op("neg", [c]));
 * const plan = planMemory(legalize.run(b.finish()).graphs.get("main")!);
 * // three intermediates of 32 * n bytes; c takes a's storage once b has read a
 * console.assert(plan.values.length === 3 && plan.tokens.length === 2);
 * ```
 */
export function planMemory(f: GraphFunc, options: MemoryPlanOptions = {}): MemoryPlan {
  const run = planRun(f);
  const bs = run.bindings;
  const symbolSet = new Set<Var>();
  f.params.forEach((p) => typeVars(p.type, symbolSet));
  bs.forEach((b) => typeVars(b.v.type, symbolSet));
  const symbols = [...symbolSet];
  const upperBounds = boundsOf(f, symbols, options.upperBounds ?? {});
  const ana = new Analyzer(); // sizes must compare for every value of the size variables
  const boundAna = new Analyzer(); // sizes under the upper bounds
  for (const [v, ub] of upperBounds) boundAna.bind(v, { min: 0, extent: ub + 1 });
  const skip = resultAliases(f, bs);
  const tokens: Building[] = [];
  const live: Building[] = [];
  const free = new Map<string, Building[]>();
  const values: PlannedValue[] = [];
  const assignment = new Map<GraphVar, (Building | undefined)[]>();
  bs.forEach((b, k) => {
    for (let i = live.length - 1; i >= 0; i--) {
      if (live[i].end >= k) continue;
      const [t] = live.splice(i, 1);
      (free.get(t.pool) ?? free.set(t.pool, []).get(t.pool)!).push(t);
    }
    if (b.value.kind !== "CallTIR" || skip.has(b.v)) return;
    const pool = options.poolOf?.(b) ?? "";
    const types = b.v.type.kind === "TupleType" ? b.v.type.fields : [b.v.type];
    const end = Math.max(k, run.lastUse.get(b.v) ?? k);
    const slots = types.map((t, field) => {
      if (t.kind !== "TensorType") return undefined;
      const bytes = bytesOf(t, ana);
      const ub = upperBounds.size ? boundAna.constIntBound(bytes).max : Infinity;
      const bound = Number.isFinite(ub) ? ub : undefined;
      const value: PlannedValue = { v: b.v, field, type: t, bytes, start: k, end };
      const pf = free.get(pool) ?? [];
      let tok = options.reuse === false ? undefined : pick(pf, t.dtype, bytes, bound, ana);
      if (tok) {
        pf.splice(pf.indexOf(tok), 1);
        if (tok.bounded && bound !== undefined && bound > tok.bound) {
          tok.bound = bound;
          tok.bytes = int(bound);
        }
      } else {
        tok = {
          id: tokens.length,
          pool,
          dtype: t.dtype,
          bytes: bound !== undefined ? int(bound) : bytes,
          bounded: bound !== undefined,
          bound: bound ?? Infinity,
          end,
          values: [],
        };
        tokens.push(tok);
      }
      tok.end = end;
      tok.values.push(value);
      live.push(tok);
      values.push(value);
      return tok;
    });
    assignment.set(b.v, slots);
  });
  // freeze: the assignment refers to the tokens as returned
  const frozen = new Map<Building, StorageToken>(
    tokens.map((t) => [t, {
      id: t.id,
      pool: t.pool,
      dtype: t.dtype,
      bytes: t.bytes,
      bounded: t.bounded,
      values: t.values,
    }]),
  );
  return {
    func: f,
    tokens: [...frozen.values()],
    values,
    assignment: new Map(
      [...assignment].map(([v, ts]) => [v, ts.map((t) => t && frozen.get(t))]),
    ),
    symbols,
    upperBounds,
  };
}
