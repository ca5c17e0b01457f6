/**
 * Intervals under guards: an access inside `if a < b` (a guarded vector tail, a block predicate)
 * only happens where the guard holds, so the interval of its index `e` over the relaxed loops can
 * be tightened by the guard. When `e − a` is free of the relaxed variables (`d`):
 *
 *   a < b   ⇒  e = a + d ≤ b − 1 + d        a ≤ b   ⇒  e ≤ b + d
 *   a > b   ⇒  e ≥ b + 1 + d                a ≥ b   ⇒  e ≥ b + d
 *
 * (`b + d` itself relaxed to its upper / lower end), kept only where it is proven tighter. So
 * `for l₀ in 0..⌈n/8⌉ { for l₁ in 0..8 { if l₀·8 + l₁ < n { Y[l₀·8 + l₁] … } } }` accesses
 * `[0, n − 1]`, not `[0, ⌈n/8⌉·8 − 1]`. Conjunctions (`and`) contribute each conjunct.
 *
 * @module
 */
import type { Analyzer } from "../arith/mod.ts";
import { add, floormod, int, le, type PrimExpr, sub } from "../expr.ts";
import { isExpr, mapChildren, type Node } from "../node.ts";
import { type Interval, relaxExpr, type RelaxRanges, usesAny } from "./relax.ts";

/** `⌊x / k⌋·k` rewritten as `x − x mod k` (what rounded-up tail loop bounds look like). */
function expandFloor(e: PrimExpr): PrimExpr {
  const go = (n: Node): Node => {
    if (!isExpr(n)) return n;
    const m = mapChildren(n, go) as PrimExpr;
    if (m.kind !== "Binary" || m.op !== "mul") return m;
    const [q, k] = m.a.kind === "Binary" && m.a.op === "floordiv" ? [m.a, m.b] : [m.b, m.a];
    if (q.kind !== "Binary" || q.op !== "floordiv" || q.b.kind !== "IntImm") return m;
    if (k.kind !== "IntImm" || k.value !== q.b.value || q.b.value <= 0) return m;
    return sub(q.a, floormod(q.a, q.b));
  };
  return go(e) as PrimExpr;
}

/**
 * Whether `a ≤ b` is proven, also after `⌊x / k⌋·k → x − x mod k` (which the analyzer does not
 * do itself): `n ≤ ⌊(n + 3) / 4⌋·4` holds as `n ≤ n + 3 − (n + 3) mod 4`.
 */
export function proveLe(ana: Analyzer, a: PrimExpr, b: PrimExpr): boolean {
  return ana.canProve(le(a, b)) || ana.canProve(le(expandFloor(a), expandFloor(b)));
}

/** The conjuncts of a condition. */
function conjuncts(c: PrimExpr, out: PrimExpr[] = []): PrimExpr[] {
  if (c.kind === "Binary" && c.op === "and") {
    conjuncts(c.a, out);
    conjuncts(c.b, out);
  } else out.push(c);
  return out;
}

/**
 * `got`, the interval of `e` over `ranges`, tightened by the guards `conds` that hold wherever
 * `e` is evaluated (see the module comment).
 *
 * @example
 * ```ts
 * import { Analyzer } from "../arith/mod.ts";
 * import { add, int, lt, mul, variable } from "../expr.ts";
 * import { sizeVar } from "../te.ts";
 * import { relaxExpr } from "./relax.ts";
 * import { tightenByGuards } from "./guard_bound.ts";
 * const ana = new Analyzer(), n = sizeVar("n"), i = variable("i"), j = variable("j");
 * const ranges = new Map([[i, { min: int(0), extent: n }], [j, { min: int(0), extent: int(8) }]]);
 * const e = add(mul(i, 8), j);
 * const got = tightenByGuards(e, relaxExpr(e, ranges, ana)!, [lt(e, n)], ranges, ana);
 * console.assert(ana.canProveEqual(got.hi, add(n, -1)));
 * ```
 */
export function tightenByGuards(
  e: PrimExpr,
  got: Interval,
  conds: readonly PrimExpr[],
  ranges: RelaxRanges,
  ana: Analyzer,
): Interval {
  let { lo, hi } = got;
  for (const c of conds.flatMap((x) => conjuncts(x))) {
    if (c.kind !== "Binary" || !["lt", "le", "gt", "ge"].includes(c.op)) continue;
    if (c.a.dtype !== e.dtype || c.b.dtype !== e.dtype) continue;
    const d = ana.simplify(sub(e, c.a));
    if (usesAny(d, ranges)) continue;
    const shift = c.op === "lt" ? -1 : c.op === "gt" ? 1 : 0;
    const r = relaxExpr(add(add(c.b, d), int(shift, e.dtype)), ranges, ana);
    if (!r) continue;
    if (c.op === "lt" || c.op === "le") {
      if (proveLe(ana, r.hi, hi)) hi = r.hi;
    } else if (proveLe(ana, lo, r.lo)) lo = r.lo;
  }
  return { lo, hi };
}
