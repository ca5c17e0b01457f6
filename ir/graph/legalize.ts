/**
 * `legalize`: every graph op call becomes a `callTIR` of a tensor-level function built from the
 * op library's definition. The function's parameter shapes keep the graph's symbols (so one
 * function serves every size); dimensions that are expressions (`n * 2`) become size variables
 * of their own, and dimensions a run-time check equates share one, so the op's definition sees
 * them equal. Structurally equal functions are built once (`dense` for `[n, 16]` and for
 * `[m, 16]` is one function).
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import { InternalError } from "../errors.ts";
import type { PrimFunc } from "../func.ts";
import { toPrimFunc } from "../ops/func.ts";
import { structuralEqual, structuralHash } from "../structural.ts";
import { placeholder, sizeVar } from "../te.ts";
import { nodePath } from "./errors.ts";
import { applyOp, canonicalDims, graphOp } from "./graph_ops.ts";
import type { Binding, GraphFunc, GraphModule, ShapeCheck } from "./ir.ts";
import type { GraphPass } from "./pass.ts";
import { mapBindings, sizeVarsByName } from "./rewrite.ts";
import { dimsEqual } from "./shape_ctx.ts";
import { asTensor, type TensorType } from "./types.ts";

/** The function attribute naming the graph op a legalized function came from. */
export const LEGALIZED_FROM = "legalized_from";

/** Classes of dimensions equated by checks (union-find over expressions, by analyzer equality). */
class DimClasses {
  private readonly reps: PrimExpr[] = [];
  private readonly parent: number[] = [];

  private index(e: PrimExpr): number {
    let k = this.reps.findIndex((r) => dimsEqual(r, e));
    if (k < 0) {
      k = this.reps.length;
      this.reps.push(e);
      this.parent.push(k);
    }
    return k;
  }

  private root(k: number): number {
    while (this.parent[k] !== k) k = this.parent[k] = this.parent[this.parent[k]];
    return k;
  }

  union(a: PrimExpr, b: PrimExpr): void {
    const x = this.root(this.index(a));
    const y = this.root(this.index(b));
    if (x === y) return;
    // The root's expression represents the class: constants first, then variables.
    const rank = (e: PrimExpr) => (e.kind === "IntImm" ? 0 : e.kind === "Var" ? 1 : 2);
    if (rank(this.reps[y]) < rank(this.reps[x])) this.parent[x] = y;
    else this.parent[y] = x;
  }

  rep(e: PrimExpr): PrimExpr {
    return this.reps[this.root(this.index(e))];
  }
}

/** Kernel-side shapes of a call's operands (see `kernelShapes`). */
export interface KernelShapes {
  /** One shape per operand. */
  readonly shapes: PrimExpr[][];
  /** The kernel-side dimension of a graph size variable. */
  readonly rep: (v: Var) => PrimExpr;
}

/**
 * The kernel-side shapes of a call's operands: dims equated by `checks` shared, expression dims
 * made size variables of their own; `rep` maps a graph size variable to its kernel-side dim.
 */
export function kernelShapes(
  args: readonly TensorType[],
  checks: readonly ShapeCheck[],
): KernelShapes {
  const classes = new DimClasses();
  for (const c of checks) classes.union(c.a, c.b);
  const shapes = canonicalDims(args.map((a) => a.shape.map((d) => classes.rep(d))));
  const fresh: [PrimExpr, Var][] = [];
  const general = (d: PrimExpr): PrimExpr => {
    if (d.kind === "IntImm" || d.kind === "Var") return d;
    const hit = fresh.find(([e]) => dimsEqual(e, d));
    if (hit) return hit[1];
    const v = sizeVar(`d${fresh.length}`);
    fresh.push([d, v]);
    return v;
  };
  return { shapes: shapes.map((s) => s.map(general)), rep: (v: Var) => general(classes.rep(v)) };
}

/** Build the tensor-level function of one op call (binding `b` of `f`). */
export function opFunc(f: GraphFunc, b: Binding, sizes: ReadonlyMap<string, Var>): PrimFunc {
  const v = b.value;
  if (v.kind !== "OpCall") throw new InternalError("opFunc of a binding that is no op call");
  const path = nodePath(f.name, b.v.name, `op "${v.op}"`);
  const args = v.args.map((a, k) => asTensor(a.type, `operand ${k}`, path));
  const { shapes, rep } = kernelShapes(args, b.checks);
  const ph = args.map((a, k) => placeholder(shapes[k], a.dtype, `in${k}`));
  const dim = (name: string): Var => {
    const s = sizes.get(name) ?? sizeVar(name);
    const r = rep(s);
    return r.kind === "Var" ? r : s;
  };
  const out = applyOp(graphOp(v.op, path), ph, v.attrs, dim, path);
  const prim = toPrimFunc(v.op.replace(/[^A-Za-z0-9_]/g, "_"), ph, [out]);
  return { ...prim, attrs: { ...prim.attrs, [LEGALIZED_FROM]: v.op } };
}

/** Tensor-level functions of a module, deduplicated structurally, with fresh names. */
export class FuncTable {
  private readonly byHash = new Map<string, PrimFunc[]>();
  /** Functions added by `intern` (to put into the module). */
  readonly added: PrimFunc[] = [];

  /** `names`: every name in use (graph and tensor-level functions); `existing`: functions to reuse. */
  constructor(private readonly names: Set<string>, existing: Iterable<PrimFunc>) {
    for (const f of existing) this.remember(f);
  }

  /** Index a function by its structural hash. */
  private remember(f: PrimFunc): void {
    const h = structuralHash(f);
    this.byHash.set(h, [...(this.byHash.get(h) ?? []), f]);
  }

  /** The name of a function equal to `f` (adding `f`, renamed if needed, when there is none). */
  intern(f: PrimFunc): string {
    const hit = this.byHash.get(structuralHash(f))?.find((g) =>
      structuralEqual({ ...g, name: f.name }, f)
    );
    if (hit) return hit.name;
    let name = f.name;
    for (let k = 1; this.names.has(name); k++) name = `${f.name}_${k}`;
    this.names.add(name);
    const g = name === f.name ? f : { ...f, name };
    this.remember(g);
    this.added.push(g);
    return name;
  }
}

function legalizeModule(mod: GraphModule): GraphModule {
  const names = new Set([...mod.graphs.keys(), ...mod.tir.functions.keys()]);
  const table = new FuncTable(names, mod.tir.functions.values());
  const graphs = new Map(mod.graphs);
  let changed = false;
  for (const [name, f] of mod.graphs) {
    const sizes = sizeVarsByName(f);
    const g = mapBindings(f, (b) => {
      if (b.value.kind !== "OpCall") return b;
      const func = table.intern(opFunc(f, b, sizes));
      return { ...b, value: { kind: "CallTIR", func, args: b.value.args } };
    });
    if (g !== f) {
      changed = true;
      graphs.set(name, g);
    }
  }
  if (!changed) return mod;
  const tir = new Map(mod.tir.functions);
  for (const f of table.added) tir.set(f.name, f);
  return { kind: "GraphModule", graphs, tir: { kind: "IRModule", functions: tir } };
}

/**
 * Replace every graph op call by a `callTIR` of a function built from the op library (see the
 * module doc).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", ["n", 8]);
 * b.output(b.relu(b.relu(x)));
 * const mod = legalize.run(b.finish());
 * console.assert(mod.tir.functions.size === 1); // one relu serves both calls
 * ```
 */
export const legalize: GraphPass = {
  name: "legalize",
  summary: "graph op calls → callTIR of op-library functions with symbolic shapes",
  run: legalizeModule,
};
