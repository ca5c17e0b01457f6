/**
 * Proving bounds of a canonical polynomial: first its constant bounds, then, if those do not
 * decide, by relaxing variables to their symbolic bounds (`i ≤ n - 1` for `i` in `[0, n)`) and
 * trying again, a few rounds deep. This is what proves `i < n` or `floormod(i, n) = i` for
 * symbolic `n`.
 *
 * Soundness: an upper bound of a sum is the sum of upper bounds of its terms, and `c·v ≤ c·hi(v)`
 * for c > 0 (`≤ c·lo(v)` for c < 0); the relaxed polynomial is exact algebra on those bounds.
 *
 * @module
 */
import { floordiv } from "../expr.ts";
import type { Rewriter } from "./context.ts";
import {
  isConstPoly,
  pAdd,
  pConst,
  type Poly,
  polyOf,
  pScale,
  pTerms,
  type Term,
  toExpr,
} from "./poly.ts";

const ROUNDS = 4;
const WIDTH = 6; // candidates kept per round
const MAX_NESTING = 4;
let nesting = 0; // proofs inside proofs (a divisor's sign while relaxing a floormod)

/**
 * The relaxation of one term `c·atom` upwards (`up`) or downwards: a variable by its symbolic
 * bound, `⌊x/d⌋` by `⌊relaxed x/d⌋`, `floormod(x, d)` by `d - 1` or 0; undefined if none applies.
 */
function relaxTerm(rw: Rewriter, t: Term, up: boolean, d: string): Poly | undefined {
  if (t.atoms.length !== 1) return undefined;
  const a = t.atoms[0];
  if (a.kind === "Var") {
    const s = rw.ctx.symbolic(a);
    const b = up ? s?.hi : s?.lo;
    return b ? pScale(polyOf(b), t.coeff) : undefined;
  }
  if (a.kind === "Binary" && a.op === "floordiv") {
    // ⌊x/d⌋ is monotone in x for d ≥ 1: relax x in the same direction
    const x = relaxAll(rw, polyOf(a.a), up ? 1 : -1);
    if (x && rw.proveGE(polyOf(a.b), 1)) return pScale(rw.poly(floordiv(toExpr(x), a.b)), t.coeff);
  }
  if (a.kind === "Binary" && a.op === "floormod" && a.b.kind !== "IntImm") {
    // 0 ≤ floormod(x, d) ≤ d - 1 for d ≥ 1
    const dv = polyOf(a.b);
    if (rw.proveGE(dv, 1)) return up ? pScale(pAdd(dv, pConst(d, 1), -1), t.coeff) : pConst(d, 0);
  }
  return undefined;
}

/** Every relaxable term relaxed at once (`dir` +1 upwards, -1 downwards), or undefined. */
function relaxAll(rw: Rewriter, p: Poly, dir: 1 | -1): Poly | undefined {
  let out: Poly = pConst(p.dtype, p.k);
  let changed = false;
  for (const [key, t] of p.terms) {
    const repl = relaxTerm(rw, t, t.coeff * dir > 0, p.dtype);
    if (repl) changed = true;
    out = pAdd(out, repl ?? pTerms(p.dtype, [[key, t]]));
  }
  return changed ? out : undefined;
}

/**
 * The candidates one step up: all terms relaxed at once, and each term alone (bounds may refer
 * to each other, as `x < n` gives both `x ≤ n - 1` and `n ≥ x + 1`: relaxing both at once loops).
 */
function relaxations(rw: Rewriter, p: Poly): Poly[] {
  const out: Poly[] = [];
  const all = relaxAll(rw, p, 1);
  if (all) out.push(all);
  for (const [key, t] of p.terms) {
    const repl = relaxTerm(rw, t, t.coeff > 0, p.dtype);
    if (repl) out.push(pAdd(pAdd(p, pTerms(p.dtype, [[key, t]]), -1), repl));
  }
  return out;
}

/** True if every value of `p` is ≤ c. */
export function proveLE(rw: Rewriter, p: Poly, c: number): boolean {
  if (nesting >= MAX_NESTING) return isConstPoly(p) ? p.k <= c : rw.ctx.bound(toExpr(p)).max <= c;
  nesting++;
  try {
    return proveLERounds(rw, p, c);
  } finally {
    nesting--;
  }
}

function proveLERounds(rw: Rewriter, p: Poly, c: number): boolean {
  let frontier = [p];
  for (let round = 0; round <= ROUNDS && frontier.length > 0; round++) {
    for (const q of frontier) {
      if (isConstPoly(q) ? q.k <= c : rw.ctx.bound(toExpr(q)).max <= c) return true;
    }
    if (round === ROUNDS) break;
    frontier = frontier.flatMap((q) => (isConstPoly(q) ? [] : relaxations(rw, q))).slice(0, WIDTH);
  }
  return false;
}

/** True if every value of `p` is ≥ c. */
export function proveGE(rw: Rewriter, p: Poly, c: number): boolean {
  return proveLE(rw, pScale(p, -1), -c);
}
