/**
 * Affine bindings and iteration types: whether a block's iteration values are a bijective
 * affine map of the loops they use (`ir/arith` `detectIterMap`), which kinds of block
 * iteration variables a loop is bound to, and a block predicate rewritten over its iteration
 * variables.
 *
 * @module
 */
import { type Analyzer, detectIterMap, exprKey } from "../../ir/arith/mod.ts";
import { int, type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { isExpr, rewrite, visit } from "../../ir/node.ts";
import { type BlockRealize, type For, type Range, TRUE } from "../../ir/stmt.ts";
import { analyzerFor } from "./bindings.ts";

/** Whether expression `e` uses variable `v`. */
export function usesVar(e: PrimExpr, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (found) return false;
    if (n === v) found = true;
  });
  return found;
}

/**
 * Why the bindings of `realize` are not affine in the `loops` above it (undefined when they
 * are): each iteration value must be a sum of splits of fused loops, every loop used tiled
 * exactly once. Loops no binding uses are left out (a block after compute_at need not use every
 * loop above it).
 *
 * @example
 * ```ts
 * import { bindingProblem } from "./affine.ts";
 * import { findBlock, loopsAbove } from "./find.ts";
 * import { parseFunc } from "../../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[16]) {
 *   block root() {
 *     for i in 0..4 {
 *       block B(vi: spatial(0..16) = i * i) {
 *         reads()
 *         writes(A[vi])
 *         A[vi] = 0.0
 *       }
 *     }
 *   }
 * }`);
 * const loc = findBlock(f, "B")!;
 * console.assert(bindingProblem(f, loc.realize, loopsAbove(loc.path)) !== undefined);
 * ```
 */
export function bindingProblem(
  f: PrimFunc,
  realize: BlockRealize,
  loops: readonly For[],
): string | undefined {
  const first = detect(f, realize.iterValues, loopDomains(loops));
  if (first === undefined) return undefined;
  // A non-dividing split guards its blocks with `X < E`, X the fused iterator of the new loops:
  // the guarded loop values are then one iterator t over [0, E). Retry with X replaced by t.
  for (const c of conjuncts(realize.predicate)) {
    if (c.kind !== "Binary" || c.op !== "lt") continue;
    const bounded = boundedIterator(f, c.a, c.b, loops);
    if (!bounded) continue;
    const { t, values } = bounded.replaceIn(realize.iterValues);
    const [inside, outside] = [bounded.loops, loops.filter((l) => !bounded.loops.includes(l))];
    if (inside.some((l) => values.some((e) => usesVar(e, l.loopVar)))) continue;
    const domains = loopDomains(outside);
    domains.set(t, { kind: "Range", min: int(0, t.dtype), extent: c.b });
    if (detect(f, values, domains) === undefined) return undefined;
  }
  return first;
}

function loopDomains(loops: readonly For[]): Map<Var, Range> {
  return new Map(loops.map((l) => [l.loopVar, { kind: "Range", min: l.min, extent: l.extent }]));
}

/** Why `values` are not a bijective affine map of the domains they use, or undefined. */
function detect(
  f: PrimFunc,
  values: readonly PrimExpr[],
  domains: ReadonlyMap<Var, Range>,
): string | undefined {
  const used = new Map([...domains].filter(([v]) => values.some((e) => usesVar(e, v))));
  if (used.size === 0) return undefined;
  const r = detectIterMap(values, used, analyzerFor(f));
  return r.ok ? undefined : r.reason;
}

function conjuncts(e: PrimExpr): PrimExpr[] {
  return e.kind === "Binary" && e.op === "and" ? [...conjuncts(e.a), ...conjuncts(e.b)] : [e];
}

/**
 * `x < bound` where `x` is one fused iterator of some of `loops` (starting at 0): a way to
 * replace `x` in expressions by a fresh variable.
 */
function boundedIterator(f: PrimFunc, x: PrimExpr, bound: PrimExpr, loops: readonly For[]) {
  const mine = loops.filter((l) => usesVar(x, l.loopVar));
  if (mine.length < 2 || loops.some((l) => usesVar(bound, l.loopVar))) return undefined;
  const r = detectIterMap([x], loopDomains(mine), analyzerFor(f));
  if (!r.ok || r.indices[0].args.length !== 1) return undefined;
  const key = exprKey(x);
  const t = variable("t", x.dtype);
  return {
    loops: mine,
    replaceIn(values: readonly PrimExpr[]): { t: Var; values: PrimExpr[] } {
      const out = values.map((e) =>
        rewrite(e, { pre: (n) => (isExpr(n) && exprKey(n) === key ? t : undefined) })
      );
      return { t, values: out };
    },
  };
}

/** Which kinds of iteration variables of `realize` are bound to expressions using `v`. */
export function iterKindsOf(realize: BlockRealize, v: Var): { spatial: boolean; reduce: boolean } {
  let spatial = false, reduce = false;
  realize.iterValues.forEach((e, k) => {
    if (!usesVar(e, v)) return;
    if (realize.block.iterVars[k].iterKind === "spatial") spatial = true;
    else reduce = true;
  });
  return { spatial, reduce };
}

/** Whether loop `l` repeats `realize`: it binds none of its variables and runs more than once. */
export function repeatsBlock(realize: BlockRealize, l: For): boolean {
  const k = iterKindsOf(realize, l.loopVar);
  return !k.spatial && !k.reduce && !(l.extent.kind === "IntImm" && l.extent.value === 1);
}

/**
 * The first of `loops` (outermost first) that repeats `realize` inside one driving a reduction
 * variable of it, with that loop: there the update runs again on each repetition without its
 * init in between (outside all of them, the init makes repeating idempotent).
 */
export function repeatInsideReduction(
  realize: BlockRealize,
  loops: readonly For[],
): { repeat: For; reduce: For } | undefined {
  const at = loops.findIndex((l) => iterKindsOf(realize, l.loopVar).reduce);
  const repeat = at < 0 ? undefined : loops.slice(at + 1).find((l) => repeatsBlock(realize, l));
  return repeat && { repeat, reduce: loops[at] };
}

/**
 * The predicate of `realize` written over its block's iteration variables, for a block whose
 * loops are replaced (compute_at): each sub-expression equal to an iteration value becomes that
 * variable (`i_0 * 4 + i_1 < 13` with `vi = i_0 * 4 + i_1` → `vi < 13`). Undefined when a
 * variable of `gone` (the loops it leaves) is still used; `TRUE` when the iteration domains
 * alone imply it (`ana` knows what stays, the domains are bound here).
 */
export function predicateOverIterVars(
  realize: BlockRealize,
  gone: ReadonlySet<Var>,
  ana: Analyzer,
): PrimExpr | undefined {
  const p0 = realize.predicate;
  if (p0.kind === "IntImm" && p0.value !== 0) return TRUE;
  const keys = new Map<string, Var>();
  realize.iterValues.forEach((e, k) => {
    if (e.kind !== "IntImm") keys.set(exprKey(e), realize.block.iterVars[k].v);
  });
  const pred = rewrite(realize.predicate, {
    pre: (n) => (isExpr(n) && n.kind !== "IntImm" ? keys.get(exprKey(n)) : undefined),
  });
  if ([...gone].some((v) => usesVar(pred, v))) return undefined;
  const ivs = realize.block.iterVars;
  const step = (k: number): boolean =>
    k === ivs.length
      ? ana.canProve(pred)
      : ana.withBinding(ivs[k].v, ivs[k].dom, () => step(k + 1));
  return step(0) ? TRUE : pred;
}
