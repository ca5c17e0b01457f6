/**
 * Rules for `floordiv` and `floormod` on canonical polynomials of int32/int64 (whose index
 * arithmetic is assumed not to overflow). Each rule is exact for every value of its variables
 * under the stated side condition; the algebra is in the comment beside it.
 *
 * Notation: c, a > 0 are constants, D a symbolic divisor proven ≥ 1, ⌊x/c⌋ = floordiv(x, c),
 * x mod c = floormod(x, c).
 *
 * @module
 */
import { binary, type PrimExpr } from "../expr.ts";
import type { Rewriter } from "./context.ts";
import { gcd } from "./modular_set.ts";
import {
  asAtom,
  isConstPoly,
  pAdd,
  pAtom,
  pConst,
  type Poly,
  polyOf,
  pScale,
  pTerms,
  type Term,
  termGcd,
  toExpr,
} from "./poly.ts";
import { exprKey } from "./key.ts";

const fdiv = (x: number, c: number) => Math.floor(x / c);
const fmod = (x: number, c: number) => x - Math.floor(x / c) * c;

/** `p / g` for a g that divides every coefficient and the constant. */
function exactDiv(p: Poly, g: number): Poly {
  for (const t of p.terms.values()) {
    if (t.coeff % g !== 0) throw new Error(`exactDiv ${t.coeff} / ${g}`);
  }
  const m = new Map<string, Term>();
  for (const [k, t] of p.terms) m.set(k, { atoms: t.atoms, coeff: t.coeff / g });
  return { dtype: p.dtype, terms: m, k: p.k / g };
}

/** Split `p = c·Q + R`: Q takes the terms c divides (and ⌊k/c⌋), R the rest and `k mod c`. */
function splitByConst(p: Poly, c: number): [Poly, Poly] {
  const q: [string, Term][] = [], r: [string, Term][] = [];
  for (const [k, t] of p.terms) {
    if (t.coeff % c === 0) q.push([k, { atoms: t.atoms, coeff: t.coeff / c }]);
    else r.push([k, t]);
  }
  return [
    pAdd(pTerms(p.dtype, q), pConst(p.dtype, fdiv(p.k, c))),
    pAdd(pTerms(p.dtype, r), pConst(p.dtype, fmod(p.k, c))),
  ];
}

/** True if `lo ≤ p ≤ hi` is provable. */
function within(rw: Rewriter, p: Poly, lo: number, hi: number): boolean {
  return rw.proveGE(p, lo) && rw.proveLE(p, hi);
}

/** The m with `R ∈ [m·c, (m+1)·c)`, if provable (R then lies in one period of c). */
function onePeriod(rw: Rewriter, r: Poly, c: number): number | undefined {
  const b = rw.ctx.bound(toExpr(r));
  const m = Number.isFinite(b.min) ? fdiv(b.min, c) : 0;
  return within(rw, r, m * c, m * c + c - 1) ? m : undefined;
}

/** Candidate inner factors a (1 < a < c, a | c) for the split rules, largest first. */
function innerFactors(r: Poly, c: number): number[] {
  const s = new Set<number>();
  for (const t of r.terms.values()) {
    const a = gcd(t.coeff, c);
    if (a > 1 && a < c) s.add(a);
  }
  return [...s].sort((x, y) => y - x);
}

/** Split `R = a·Y + Z`: Y (already divided by a) takes the terms a divides, Z the rest and the constant. */
function splitByFactor(r: Poly, a: number): [Poly, Poly] {
  const y: [string, Term][] = [], z: [string, Term][] = [];
  for (const [k, t] of r.terms) {
    if (t.coeff % a === 0) y.push([k, { atoms: t.atoms, coeff: t.coeff / a }]);
    else z.push([k, t]);
  }
  return [pTerms(r.dtype, y), pAdd(pTerms(r.dtype, z), pConst(r.dtype, r.k))];
}

function atomOf(op: "floordiv" | "floormod", p: Poly, divisor: Poly): Poly {
  return pAtom(binary(op, toExpr(p), toExpr(divisor)));
}

/** ⌊p / c⌋ for a constant c > 0. */
export function floorDivConst(rw: Rewriter, p: Poly, c: number): Poly {
  const d = p.dtype;
  if (c === 1) return p; // ⌊x/1⌋ = x
  if (isConstPoly(p)) return pConst(d, fdiv(p.k, c));
  // ⌊g·x / g·c'⌋ = ⌊x / c'⌋
  const g = gcd(gcd(termGcd(p), p.k), c);
  if (g > 1) return floorDivConst(rw, exactDiv(p, g), c / g);
  // ⌊(c·Q + R)/c⌋ = Q + ⌊R/c⌋
  const [q, r] = splitByConst(p, c);
  // ⌊R/c⌋ = m when m·c ≤ R < (m+1)·c
  const m = onePeriod(rw, r, c);
  if (m !== undefined) return pAdd(q, pConst(d, m));
  // ⌊(a·Y + Z)/c⌋ = ⌊Y/(c/a)⌋ when a | c and 0 ≤ Z < a
  for (const a of innerFactors(r, c)) {
    const [y, z] = splitByFactor(r, a);
    if (within(rw, z, 0, a - 1)) return pAdd(q, floorDivConst(rw, y, c / a));
  }
  // ⌊(⌊x/a⌋ + s)/c⌋ = ⌊⌊(x + s·a)/a⌋/c⌋ = ⌊(x + s·a)/(a·c)⌋
  const inner = nestedDivisor(r, "floordiv");
  if (inner && Number.isSafeInteger(inner.a * c)) {
    const x = pAdd(polyOf(inner.x), pConst(d, r.k * inner.a));
    return pAdd(q, floorDivConst(rw, x, inner.a * c));
  }
  return pAdd(q, atomOf("floordiv", r, pConst(d, c)));
}

/** `R = 1·op(x, a) + s` with a constant a > 0: gives x and a. */
function nestedDivisor(r: Poly, op: string): { x: PrimExpr; a: number } | undefined {
  const at = asAtom({ ...r, k: 0 });
  if (at?.kind !== "Binary" || at.op !== op || at.b.kind !== "IntImm" || at.b.value <= 0) {
    return undefined;
  }
  return { x: at.a, a: at.b.value };
}

/**
 * Inside `floormod(·, c)`, replace `m·floormod(x, a)` by `m·x` when c | m·a: the two differ by
 * `m·a·⌊x/a⌋`, a multiple of c, which floormod by c does not see.
 */
function dropInnerMods(r: Poly, c: number): Poly | undefined {
  let out: Poly | undefined;
  for (const [key, t] of r.terms) {
    const at = t.atoms.length === 1 ? t.atoms[0] : undefined;
    if (at?.kind !== "Binary" || at.op !== "floormod" || at.b.kind !== "IntImm") continue;
    if ((t.coeff * at.b.value) % c !== 0) continue;
    out ??= r;
    out = pAdd(out, pTerms(r.dtype, [[key, t]]), -1);
    out = pAdd(out, pScale(polyOf(at.a), t.coeff));
  }
  return out;
}

/** `p mod c` for a constant c > 0. */
export function floorModConst(rw: Rewriter, p: Poly, c: number): Poly {
  const d = p.dtype;
  if (c === 1) return pConst(d, 0); // x mod 1 = 0
  if (isConstPoly(p)) return pConst(d, fmod(p.k, c));
  // (c·Q + R) mod c = R mod c
  const [, r] = splitByConst(p, c);
  const dropped = dropInnerMods(r, c);
  if (dropped) return floorModConst(rw, dropped, c);
  // R mod c = R - m·c when m·c ≤ R < (m+1)·c
  const m = onePeriod(rw, r, c);
  if (m !== undefined) return pAdd(r, pConst(d, -m * c));
  // (g·x) mod (g·c') = g·(x mod c')
  const g = gcd(gcd(termGcd(r), r.k), c);
  if (g > 1) return pScale(floorModConst(rw, exactDiv(r, g), c / g), g);
  // (a·Y + Z) mod c = a·(Y mod (c/a)) + Z when a | c and 0 ≤ Z < a
  for (const a of innerFactors(r, c)) {
    const [y, z] = splitByFactor(r, a);
    if (within(rw, z, 0, a - 1)) {
      return pAdd(pScale(floorModConst(rw, y, c / a), a), z);
    }
  }
  // R ≡ b (mod c·t) → R mod c = b mod c
  const ms = rw.ctx.modular(toExpr(r));
  if (ms.coeff > 0 && ms.coeff % c === 0) return pConst(d, fmod(ms.base, c));
  return atomOf("floormod", r, pConst(d, c));
}

/** A divisor that is one term `coeff·Π atoms` (no constant), as its key parts. */
function monomialDivisor(dv: Poly): { atoms: string[]; coeff: number } | undefined {
  if (dv.k !== 0 || dv.terms.size !== 1) return undefined;
  const [t] = dv.terms.values();
  return { atoms: t.atoms.map(exprKey), coeff: t.coeff };
}

/** Split `p = D·Q + R` for a monomial divisor D: Q takes the terms D divides. */
function splitByMonomial(p: Poly, dv: Poly): [Poly, Poly] | undefined {
  const m = monomialDivisor(dv);
  if (!m) return undefined;
  const q: [string, Term][] = [], r: [string, Term][] = [];
  for (const [, t] of p.terms) {
    const keys = t.atoms.map(exprKey);
    const rest = [...t.atoms];
    let ok = t.coeff % m.coeff === 0;
    for (const a of m.atoms) {
      const i = ok ? rest.findIndex((x) => exprKey(x) === a) : -1;
      if (i < 0) ok = false;
      else rest.splice(i, 1);
    }
    if (ok && rest.length > 0) {
      const qt = { atoms: rest, coeff: t.coeff / m.coeff };
      q.push([rest.map(exprKey).join("*"), qt]);
    } else if (ok) q.push(["", { atoms: [], coeff: t.coeff / m.coeff }]);
    else r.push([keys.join("*"), t]);
  }
  // a fully divided term (no atoms left) is a constant of Q
  const constQ = q.filter(([k]) => k === "").reduce((s, [, t]) => s + t.coeff, 0);
  const qp = pAdd(pTerms(p.dtype, q.filter(([k]) => k !== "")), pConst(p.dtype, constQ));
  return [qp, pAdd(pTerms(p.dtype, r), pConst(p.dtype, p.k))];
}

/** ⌊p / D⌋ for a symbolic divisor D ≥ 1 (proven by the caller). */
export function floorDivSym(rw: Rewriter, p: Poly, dv: Poly): Poly {
  const split = splitByMonomial(p, dv);
  if (!split) return atomOf("floordiv", p, dv);
  const [q, r] = split;
  // ⌊(D·Q + R)/D⌋ = Q + ⌊R/D⌋, and ⌊R/D⌋ = 0 when 0 ≤ R ≤ D - 1
  if (rw.proveGE(r, 0) && rw.proveLE(pAdd(r, dv, -1), -1)) return q;
  return pAdd(q, atomOf("floordiv", r, dv));
}

/** `p mod D` for a symbolic divisor D ≥ 1 (proven by the caller). */
export function floorModSym(rw: Rewriter, p: Poly, dv: Poly): Poly {
  const split = splitByMonomial(p, dv);
  const r = split ? split[1] : p; // (D·Q + R) mod D = R mod D
  // R mod D = R when 0 ≤ R ≤ D - 1
  if (rw.proveGE(r, 0) && rw.proveLE(pAdd(r, dv, -1), -1)) return r;
  return atomOf("floormod", r, dv);
}
