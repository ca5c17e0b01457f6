/**
 * Building the loop nest of a block placed anew (compute_at, cache stages): loops over given
 * ranges of its iteration variables, guarded where a range may leave the domain.
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import {
  add,
  and,
  ge,
  int,
  le,
  lt,
  type PrimExpr,
  sub,
  type Var,
  variable,
} from "../../ir/expr.ts";
import { type Block, blockRealize, forLoop, type Stmt, TRUE } from "../../ir/stmt.ts";
import { type Interval, substitute } from "../../ir/transform/mod.ts";

/**
 * A loop nest running `block` over new ranges of its iteration variables (`doms[k]`, inclusive;
 * undefined keeps the domain): loops `ax0, ax1, …` from 0, the variable bound to `lo + ax`. An
 * end that may leave the domain, or a symbolic extent (run to its constant bound), gets a
 * predicate so iteration stays exact; `guard` (over the iteration variables) is conjoined. A
 * range of extent 1 binds directly unless `preserveUnitLoops`.
 *
 * ```text
 * B(vi: 0..16), doms [[i_0 * 4, i_0 * 4 + 3]]  →  for ax0 in 0..4: block B(vi = i_0 * 4 + ax0)
 * ```
 */
export function nestOver(
  block: Block,
  doms: readonly (Interval | undefined)[],
  guard: PrimExpr,
  preserveUnitLoops: boolean,
  ana: Analyzer,
): Stmt {
  const loops: { v: Var; extent: PrimExpr }[] = [];
  const values: PrimExpr[] = [];
  let predicate: PrimExpr = TRUE;
  block.iterVars.forEach((iv, k) => {
    const dmin = iv.dom.min;
    const dmax = ana.simplify(sub(add(dmin, iv.dom.extent), int(1, dmin.dtype)));
    const d = doms[k] ?? { lo: dmin, hi: dmax };
    const conds: ((x: PrimExpr) => PrimExpr)[] = [];
    let start = d.lo, end = d.hi;
    if (!ana.canProve(ge(d.lo, dmin))) {
      if (ana.canProve(le(d.lo, dmin))) start = dmin;
      else conds.push((x) => ge(x, dmin));
    }
    if (!ana.canProve(le(d.hi, dmax))) {
      if (ana.canProve(ge(d.hi, dmax))) end = dmax;
      else conds.push((x) => lt(x, ana.simplify(add(dmin, iv.dom.extent))));
    }
    let extent = ana.simplify(add(sub(end, start), int(1, start.dtype)));
    if (extent.kind !== "IntImm") {
      const b = ana.constIntBound(extent);
      if (Number.isFinite(b.max)) {
        extent = int(b.max, extent.dtype);
        const hi = end;
        conds.push((x) => le(x, hi));
      }
    }
    let value: PrimExpr = start;
    if (preserveUnitLoops || !(extent.kind === "IntImm" && extent.value === 1)) {
      const v = variable(`ax${loops.length}`, iv.v.dtype);
      loops.push({ v, extent });
      value = add(start, v);
    }
    values.push(value);
    for (const c of conds) predicate = and(predicate, c(value));
  });
  const toValues = new Map(block.iterVars.map((iv, k) => [iv.v, values[k]]));
  predicate = and(predicate, substitute(guard, toValues));
  let nest: Stmt = blockRealize(values, predicate, block);
  for (let k = loops.length - 1; k >= 0; k--) {
    nest = forLoop(loops[k].v, int(0, loops[k].v.dtype), loops[k].extent, nest);
  }
  return nest;
}
