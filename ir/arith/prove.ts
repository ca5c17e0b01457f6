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
import { isConstPoly, pAdd, pConst, type Poly, polyOf, pScale, pTerms, toExpr } from "./poly.ts";

const ROUNDS = 4;
const MAX_NESTING = 4;
let nesting = 0; // proofs inside proofs (a divisor's sign while relaxing a floormod)

/**
 * Replace each term `c·v` (v a variable with a symbolic bound on the needed side) by `c·bound`,
 * and each `c·floormod(x, d)` by `c·(d - 1)` or 0; `dir` +1 relaxes upwards, -1 downwards.
 * Returns undefined if nothing could be relaxed.
 */
function relax(rw: Rewriter, p: Poly, dir: 1 | -1): Poly | undefined {
  let out: Poly = pConst(p.dtype, p.k);
  let changed = false;
  for (const [key, t] of p.terms) {
    const term = pTerms(p.dtype, [[key, t]]);
    const up = t.coeff * dir > 0; // this term grows with its atom
    let repl: Poly | undefined;
    if (t.atoms.length === 1) {
      const a = t.atoms[0];
      if (a.kind === "Var") {
        const s = rw.ctx.symbolic(a);
        const b = up ? s?.hi : s?.lo;
        if (b) repl = pScale(polyOf(b), t.coeff);
      } else if (a.kind === "Binary" && a.op === "floordiv") {
        // ⌊x/d⌋ is monotone in x for d ≥ 1: relax x in the same direction
        const x = relax(rw, polyOf(a.a), up ? 1 : -1);
        if (x && rw.proveGE(polyOf(a.b), 1)) {
          repl = pScale(rw.poly(floordiv(toExpr(x), a.b)), t.coeff);
        }
      } else if (a.kind === "Binary" && a.op === "floormod" && a.b.kind !== "IntImm") {
        // 0 ≤ floormod(x, d) ≤ d - 1 for d ≥ 1
        const d = polyOf(a.b);
        if (rw.proveGE(d, 1)) {
          repl = up ? pScale(pAdd(d, pConst(p.dtype, 1), -1), t.coeff) : pConst(p.dtype, 0);
        }
      }
    }
    if (repl) changed = true;
    out = pAdd(out, repl ?? term);
  }
  return changed ? out : undefined;
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
  let q = p;
  for (let round = 0; round <= ROUNDS; round++) {
    if (isConstPoly(q)) return q.k <= c;
    if (rw.ctx.bound(toExpr(q)).max <= c) return true;
    if (round === ROUNDS) break;
    const next = relax(rw, q, 1);
    if (!next) return false;
    q = next;
  }
  return false;
}

/** True if every value of `p` is ≥ c. */
export function proveGE(rw: Rewriter, p: Poly, c: number): boolean {
  return proveLE(rw, pScale(p, -1), -c);
}
