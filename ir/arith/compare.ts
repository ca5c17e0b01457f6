/**
 * Boolean simplification: comparisons of integers decided from bounds and modular sets, or put
 * in a normal form; `and`/`or`/`not` folded, each operand simplified knowing the other.
 *
 * Comparison normal form (int32/int64): `a op b` becomes `d op 0` with d = a - b canonical, then
 * `gt`/`ge` are turned round into `lt`/`le`, the terms are divided by their gcd g (rounding the
 * constant the way the op needs), and the positive terms are printed on the left, the negated
 * negative terms and the constant on the right:
 *
 * ```
 * g·D < K   ⇔  D < ⌈K/g⌉          g·D ≤ K  ⇔  D ≤ ⌊K/g⌋
 * g·D = K   ⇔  D = K/g (false if g ∤ K)
 * ```
 *
 * `and`/`or` keep their operand order: they short-circuit, so the left operand may guard the right
 * (`i < n && A[i] > 0`).
 *
 * @module
 */
import { isInt, lanesOf } from "../dtype.ts";
import { and, binary, type BinaryOp, bool, int, not, or, type PrimExpr } from "../expr.ts";
import { visit } from "../node.ts";
import type { Rewriter } from "./context.ts";
import { isIndexType } from "./int_bound.ts";
import { exprKey } from "./key.ts";
import {
  isConstPoly,
  pAdd,
  pConst,
  type Poly,
  pScale,
  pTerms,
  sortedTerms,
  type Term,
  termGcd,
  toExpr,
} from "./poly.ts";

const COMPARE = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);
const TRUE = bool(true), FALSE = bool(false);

/** Simplify a scalar bool expression. */
export function simplifyBool(rw: Rewriter, e: PrimExpr): PrimExpr {
  const r = simplifyBoolNode(rw, e);
  if (r.kind !== "IntImm" && rw.ctx.isFact(r)) return TRUE; // assumed by a constraint
  return r;
}

function simplifyBoolNode(rw: Rewriter, e: PrimExpr): PrimExpr {
  switch (e.kind) {
    case "Var":
      return rw.ctx.valueOf(e) ?? e;
    case "Not":
      return negate(rw, rw.simplify(e.a));
    case "Binary":
      if (e.op === "and" || e.op === "or") return logic(rw, e.op, e.a, e.b);
      if (COMPARE.has(e.op) && isIntScalar(e.a)) return compareInt(rw, e.op, e.a, e.b);
      return rw.structural(e);
    default:
      return rw.structural(e);
  }
}

function isIntScalar(e: PrimExpr): boolean {
  return isInt(e.dtype) && lanesOf(e.dtype) === 1;
}

/**
 * The negation of a simplified bool: integer comparisons turn round
 * (`!(a < b) → b ≤ a`, `!(a ≤ b) → b < a`, `!(a = b) → a ≠ b`); float comparisons stay negated
 * (NaN makes `!(x < y)` differ from `y ≤ x`).
 */
export function negate(rw: Rewriter, x: PrimExpr): PrimExpr {
  if (x.kind === "IntImm") return bool(x.value === 0);
  if (x.kind === "Not") return x.a; // !!x → x
  if (x.kind === "Binary" && COMPARE.has(x.op) && isIntScalar(x.a)) {
    const flip: Record<string, [BinaryOp, boolean]> = {
      lt: ["le", true], // !(a < b) → b ≤ a
      le: ["lt", true], // !(a ≤ b) → b < a
      gt: ["le", false], // !(a > b) → a ≤ b
      ge: ["lt", false], // !(a ≥ b) → a < b
      eq: ["ne", false],
      ne: ["eq", false],
    };
    const [op, swap] = flip[x.op];
    return swap ? compareInt(rw, op, x.b, x.a) : compareInt(rw, op, x.a, x.b);
  }
  return not(x);
}

function hasLoad(e: PrimExpr): boolean {
  let found = false;
  visit(e, (n) => {
    if (n.kind === "BufferLoad" || n.kind === "Call") found = true;
    return !found;
  });
  return found;
}

/**
 * `x && y`: y is simplified assuming x, then x assuming y (unless y reads memory, which x may
 * guard). `x || y` is the dual, assuming `!x` and `!y`.
 */
function logic(rw: Rewriter, op: "and" | "or", a: PrimExpr, b: PrimExpr): PrimExpr {
  const isAnd = op === "and";
  const absorbing = isAnd ? 0 : 1; // false && _ = false, true || _ = true
  const assume = (c: PrimExpr) => (isAnd ? c : negate(rw, c));
  let x = rw.simplify(a);
  if (x.kind === "IntImm") return x.value === absorbing ? x : rw.simplify(b);
  const y = rw.ctx.withConstraint(assume(x), () => rw.simplify(b));
  if (y.kind === "IntImm") return y.value === absorbing ? y : x;
  if (!hasLoad(y)) {
    x = rw.ctx.withConstraint(assume(y), () => rw.simplify(x));
    if (x.kind === "IntImm") return x.value === absorbing ? x : y;
  }
  if (exprKey(x) === exprKey(y)) return x; // x && x → x, x || x → x
  if (exprKey(negate(rw, x)) === exprKey(y)) return isAnd ? FALSE : TRUE; // x && !x, x || !x
  return isAnd ? and(x, y) : or(x, y);
}

/** Compare two integers: decided if provable, else in normal form. */
export function compareInt(rw: Rewriter, op: BinaryOp, a: PrimExpr, b: PrimExpr): PrimExpr {
  const pa = rw.poly(a), pb = rw.poly(b);
  if (!isIndexType(pa.dtype)) return compareByBounds(rw, op, pa, pb);
  // a > b ⇔ b < a, a ≥ b ⇔ b ≤ a
  if (op === "gt" || op === "ge") return decide(rw, op === "gt" ? "lt" : "le", pAdd(pb, pa, -1));
  return decide(rw, op, pAdd(pa, pb, -1));
}

/** `d op 0` for op in lt, le, eq, ne. */
function decide(rw: Rewriter, op: BinaryOp, d: Poly): PrimExpr {
  switch (op) {
    case "lt": // d < 0 ⇔ d ≤ -1
      if (rw.proveLE(d, -1)) return TRUE;
      if (rw.proveGE(d, 0)) return FALSE;
      break;
    case "le":
      if (rw.proveLE(d, 0)) return TRUE;
      if (rw.proveGE(d, 1)) return FALSE;
      break;
    case "eq":
    case "ne": {
      const yes = op === "eq" ? TRUE : FALSE, no = op === "eq" ? FALSE : TRUE;
      if (isConstPoly(d)) return d.k === 0 ? yes : no;
      if (rw.proveGE(d, 1) || rw.proveLE(d, -1)) return no;
      const ms = rw.ctx.modular(toExpr(d)); // d ≡ base (mod coeff), base ≠ 0 → d ≠ 0
      if (ms.coeff > 0 && ms.base !== 0) return no;
      break;
    }
  }
  if (isConstPoly(d)) return bool(op === "lt" ? d.k < 0 : d.k <= 0);
  return normalForm(op, d);
}

function normalForm(op: BinaryOp, d: Poly): PrimExpr {
  const g = termGcd(d), k = -d.k; // D·g op k
  let rhs: number;
  if (op === "lt") rhs = Math.ceil(k / g);
  else if (op === "le") rhs = Math.floor(k / g);
  else if (k % g !== 0) return bool(op === "ne");
  else rhs = k / g;
  const terms: [string, Term][] = sortedTerms(d).map((
    [key, t],
  ) => [key, { ...t, coeff: t.coeff / g }]);
  let dd = pTerms(d.dtype, terms);
  // eq/ne are symmetric: make the first term positive so `x = y` and `y = x` print alike
  if ((op === "eq" || op === "ne") && terms[0][1].coeff < 0) {
    dd = pScale(dd, -1);
    rhs = -rhs;
  }
  const pos = pTerms(d.dtype, [...dd.terms].filter(([, t]) => t.coeff > 0));
  const neg = pScale(pTerms(d.dtype, [...dd.terms].filter(([, t]) => t.coeff < 0)), -1);
  const right = pAdd(neg, pConst(d.dtype, rhs));
  if (pos.terms.size === 0) return binary(op, int(-rhs, d.dtype), toExpr(neg)); // 0 op N + r
  return binary(op, toExpr(pos), toExpr(right));
}

/** For narrow and unsigned integers: decide from the operands' sound bounds, else keep. */
function compareByBounds(rw: Rewriter, op: BinaryOp, pa: Poly, pb: Poly): PrimExpr {
  const x = toExpr(pa), y = toExpr(pb);
  const a = rw.ctx.bound(x), b = rw.ctx.bound(y);
  const lt = a.max < b.min ? 1 : a.min >= b.max ? 0 : -1; // a < b decided?
  const le = a.max <= b.min ? 1 : a.min > b.max ? 0 : -1;
  const gt = b.max < a.min ? 1 : b.min >= a.max ? 0 : -1;
  const ge = b.max <= a.min ? 1 : b.min > a.max ? 0 : -1;
  const eq = a.min === a.max && b.min === b.max && a.min === b.min
    ? 1
    : a.max < b.min || b.max < a.min
    ? 0
    : -1;
  const known: Record<string, number> = { lt, le, gt, ge, eq, ne: eq < 0 ? -1 : 1 - eq };
  const r = known[op];
  if (r >= 0) return bool(r === 1);
  if (exprKey(x) === exprKey(y)) return bool(op === "eq" || op === "le" || op === "ge");
  return binary(op, x, y);
}
