/**
 * Polynomials over atoms: the canonical form of an integer expression is a sum of terms
 * `coeff · a₁ · a₂ · …` plus a constant, where each atom is an expression the sum cannot see
 * into (a variable, a `floordiv`, a `min`, a load, …). Like terms are combined by key, the
 * atoms of a term are sorted, and terms are printed in key order, so equal polynomials print
 * equally.
 *
 * Coefficients are integers modulo 2^bits of the dtype, kept as signed representatives: add, sub
 * and mul commute with wrap-around, so this normal form is exact for every integer dtype even if
 * a value wraps. Numbers that cannot be held exactly (int64 beyond 2^53) raise `PolyBail`, and the
 * caller keeps the expression as it was.
 *
 * @module
 */
import { bitsOf, type DType } from "../dtype.ts";
import { add, int, mul, type PrimExpr, sub } from "../expr.ts";
import { compareKeys, exprKey } from "./key.ts";

/** One term `coeff · Π atoms` (atoms sorted by key; never empty). */
export interface Term {
  readonly atoms: readonly PrimExpr[];
  readonly coeff: number;
}

/** `Σ terms + k` over one integer dtype; terms keyed by the joined keys of their atoms. */
export interface Poly {
  readonly dtype: DType;
  readonly terms: ReadonlyMap<string, Term>;
  readonly k: number;
}

/** Thrown when a coefficient leaves the exactly representable numbers; callers give up. */
export class PolyBail extends Error {}

/** Most terms a product may expand to before it is kept as an unexpanded atom. */
export const MAX_EXPANDED_TERMS = 32;

/** Wrap an integer into the signed representative of the dtype's bits. */
export function wrap(d: DType, x: number | bigint): number {
  const bits = bitsOf(d);
  if (typeof x === "number") {
    if (Number.isSafeInteger(x) && bits === 64) return x;
    if (Number.isSafeInteger(x) && bits < 53 && Math.abs(x) < 2 ** (bits - 1)) return x;
    x = BigInt(x);
  }
  const r = Number(BigInt.asIntN(bits, x));
  if (!Number.isSafeInteger(r)) throw new PolyBail(`coefficient ${x} of ${d} is not exact`);
  return r;
}

/** Product of two coefficients in the dtype. */
export function cmul(d: DType, a: number, b: number): number {
  const p = a * b;
  return Number.isSafeInteger(p) ? wrap(d, p) : wrap(d, BigInt(a) * BigInt(b));
}

/** The constant polynomial. */
export function pConst(d: DType, k: number): Poly {
  return { dtype: d, terms: new Map(), k: wrap(d, k) };
}

/** The polynomial of one atom (an `IntImm` becomes a constant). */
export function pAtom(e: PrimExpr): Poly {
  if (e.kind === "IntImm") return pConst(e.dtype, e.value);
  return { dtype: e.dtype, terms: new Map([[exprKey(e), { atoms: [e], coeff: 1 }]]), k: 0 };
}

/** True if the polynomial has no terms. */
export function isConstPoly(p: Poly): boolean {
  return p.terms.size === 0;
}

function addTerm(m: Map<string, Term>, d: DType, key: string, t: Term, c: number): void {
  const old = m.get(key);
  const coeff = wrap(d, (old?.coeff ?? 0) + c);
  if (coeff === 0) m.delete(key);
  else m.set(key, { atoms: t.atoms, coeff });
}

/** `p + sign·q`. */
export function pAdd(p: Poly, q: Poly, sign: 1 | -1 = 1): Poly {
  const m = new Map(p.terms);
  for (const [key, t] of q.terms) addTerm(m, p.dtype, key, t, sign * t.coeff);
  return { dtype: p.dtype, terms: m, k: wrap(p.dtype, p.k + sign * q.k) };
}

/** `c·p`. */
export function pScale(p: Poly, c: number): Poly {
  if (c === 0) return pConst(p.dtype, 0);
  const m = new Map<string, Term>();
  for (const [key, t] of p.terms) {
    const coeff = cmul(p.dtype, t.coeff, c);
    if (coeff !== 0) m.set(key, { atoms: t.atoms, coeff });
  }
  return { dtype: p.dtype, terms: m, k: cmul(p.dtype, p.k, c) };
}

/** The key of a product of atoms (sorted). */
function monomial(atoms: PrimExpr[]): [string, PrimExpr[]] {
  const withKeys = atoms.map((a) => [exprKey(a), a] as const).sort((x, y) =>
    compareKeys(x[0], y[0])
  );
  return [withKeys.map((x) => x[0]).join("*"), withKeys.map((x) => x[1])];
}

/**
 * `p·q`, expanded by distributivity: (Σ aᵢ + k)(Σ bⱼ + l) = Σ aᵢbⱼ + l·Σ aᵢ + k·Σ bⱼ + kl. A product
 * that would exceed `MAX_EXPANDED_TERMS` terms is kept as one atom `p*q`.
 */
export function pMul(p: Poly, q: Poly): Poly {
  if (isConstPoly(p)) return pScale(q, p.k);
  if (isConstPoly(q)) return pScale(p, q.k);
  if ((p.terms.size + 1) * (q.terms.size + 1) > MAX_EXPANDED_TERMS) {
    const [x, y] = [toExpr(p), toExpr(q)].sort((a, b) => compareKeys(exprKey(a), exprKey(b)));
    return pAtom(mul(x, y));
  }
  const d = p.dtype;
  const m = new Map<string, Term>();
  for (const s of p.terms.values()) {
    for (const t of q.terms.values()) {
      const [key, atoms] = monomial([...s.atoms, ...t.atoms]);
      addTerm(m, d, key, { atoms, coeff: 0 }, cmul(d, s.coeff, t.coeff));
    }
  }
  let out: Poly = { dtype: d, terms: m, k: cmul(d, p.k, q.k) };
  out = pAdd(out, pScale({ dtype: d, terms: p.terms, k: 0 }, q.k));
  return pAdd(out, pScale({ dtype: d, terms: q.terms, k: 0 }, p.k));
}

/** The terms in canonical (key) order. */
export function sortedTerms(p: Poly): [string, Term][] {
  return [...p.terms].sort((a, b) => compareKeys(a[0], b[0]));
}

/** A polynomial of the given terms only (no constant). */
export function pTerms(d: DType, terms: Iterable<[string, Term]>): Poly {
  return { dtype: d, terms: new Map(terms), k: 0 };
}

/** The single atom of a polynomial `1·a`, if that is what it is. */
export function asAtom(p: Poly): PrimExpr | undefined {
  if (p.k !== 0 || p.terms.size !== 1) return undefined;
  const [t] = p.terms.values();
  return t.coeff === 1 && t.atoms.length === 1 ? t.atoms[0] : undefined;
}

/** The greatest common divisor of the term coefficients (0 for a constant). */
export function termGcd(p: Poly): number {
  let g = 0;
  for (const t of p.terms.values()) {
    let a = Math.abs(t.coeff), b = g;
    while (b !== 0) [a, b] = [b, a % b];
    g = a;
  }
  return g;
}

function termExpr(t: Term, c: number, d: DType): PrimExpr {
  let e = t.atoms[0];
  for (let i = 1; i < t.atoms.length; i++) e = mul(e, t.atoms[i]);
  return c === 1 ? e : mul(e, int(c, d));
}

/**
 * Print a polynomial as an expression: positive terms in key order, then the negative ones
 * subtracted, then the constant (`i*16 + j - k*2 + 3`).
 *
 * @example
 * ```ts
 * import { pAdd, pAtom, pScale, toExpr } from "./poly.ts";
 * import { variable } from "../expr.ts";
 * const i = variable("i");
 * console.assert(toExpr(pAdd(pAtom(i), pScale(pAtom(i), 2))).kind === "Binary");
 * ```
 */
export function toExpr(p: Poly): PrimExpr {
  const d = p.dtype;
  const terms = sortedTerms(p).map(([, t]) => t);
  const pos = terms.filter((t) => t.coeff > 0), neg = terms.filter((t) => t.coeff < 0);
  let acc: PrimExpr | undefined;
  for (const t of pos) acc = acc ? add(acc, termExpr(t, t.coeff, d)) : termExpr(t, t.coeff, d);
  if (!acc && neg.length > 0 && p.k > 0) acc = int(p.k, d);
  for (const t of neg) {
    acc = acc ? sub(acc, termExpr(t, -t.coeff, d)) : termExpr(t, t.coeff, d);
  }
  if (!acc) return int(p.k, d);
  if (p.k > 0 && (pos.length > 0 || neg.length === 0)) return add(acc, int(p.k, d));
  if (p.k < 0) return sub(acc, int(-p.k, d));
  return acc;
}

/**
 * The polynomial of an expression read structurally: `+`, `-`, `*` and constants are expanded,
 * anything else is an atom as it stands. No rules are applied, so this is only canonical for an
 * expression that already is (the simplifier's output).
 */
export function polyOf(e: PrimExpr): Poly {
  if (e.kind === "IntImm") return pConst(e.dtype, e.value);
  if (e.kind === "Binary") {
    if (e.op === "add") return pAdd(polyOf(e.a), polyOf(e.b));
    if (e.op === "sub") return pAdd(polyOf(e.a), polyOf(e.b), -1);
    if (e.op === "mul") return pMul(polyOf(e.a), polyOf(e.b));
  }
  return pAtom(e);
}
