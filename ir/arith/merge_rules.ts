/**
 * Rules that recombine `floordiv`/`floormod` pairs inside a sum (the inverse of splitting an
 * iterator), for a constant or monomial divisor D:
 *
 * ```
 * m·D·⌊x/D⌋ + m·(x mod D)  →  m·x          (since x = D·⌊x/D⌋ + x mod D)
 * m·x - m·D·⌊x/D⌋          →  m·(x mod D)
 * ```
 *
 * A modulus of a quotient pairs with the quotient of the product, since ⌊⌊y/c⌋/D⌋ = ⌊y/(c·D)⌋ for
 * constants c, D ≥ 1 (three fused loops: `65·⌊x/65⌋ + 5·(⌊x/5⌋ mod 13) + x mod 5 → x`).
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";
import { pAdd, pAtom, pMul, type Poly, polyOf, pScale, pTerms, type Term } from "./poly.ts";

type DivMod = PrimExpr & { kind: "Binary"; op: "floordiv" | "floormod" };

function asDivMod(e: PrimExpr, op: "floordiv" | "floormod"): DivMod | undefined {
  return e.kind === "Binary" && e.op === op ? e as DivMod : undefined;
}

/** The polynomial `D·⌊x/D⌋` as one term (key and term), if D is a constant or a monomial. */
function divTimesDivisor(fd: DivMod): { key: string; term: Term } | undefined {
  const prod = pMul(polyOf(fd.b), pAtom(fd));
  if (prod.k !== 0 || prod.terms.size !== 1) return undefined;
  const [[key, term]] = prod.terms;
  return { key, term };
}

/**
 * `⌊x/D⌋` for `x mod D`, with `⌊⌊y/c⌋/D⌋` written `⌊y/(c·D)⌋` (constants c, D ≥ 1), and the
 * factor c by which the divisor grew.
 */
function quotientOf(fm: DivMod): { fd: DivMod; c: number } {
  const inner = asDivMod(fm.a, "floordiv");
  if (inner && inner.b.kind === "IntImm" && fm.b.kind === "IntImm") {
    const c = inner.b.value, d = fm.b.value;
    if (c >= 1 && d >= 1 && Number.isSafeInteger(c * d)) {
      const fd = { ...fm, op: "floordiv", a: inner.a, b: { ...fm.b, value: c * d } } as DivMod;
      return { fd, c };
    }
  }
  return { fd: { ...fm, op: "floordiv" } as DivMod, c: 1 };
}

/** `m·D·⌊x/D⌋ + m·(x mod D) → m·x`; returns undefined if no pair is present. */
function mergeModPair(p: Poly): Poly | undefined {
  for (const [key, t] of p.terms) {
    const fm = t.atoms.length === 1 ? asDivMod(t.atoms[0], "floormod") : undefined;
    if (!fm) continue;
    const { fd, c } = quotientOf(fm);
    const dd = divTimesDivisor(fd);
    if (!dd) continue;
    const other = p.terms.get(dd.key);
    if (!other || other.coeff !== (dd.term.coeff / c) * t.coeff) continue;
    let out = pAdd(p, pTerms(p.dtype, [[key, t], [dd.key, other]]), -1);
    out = pAdd(out, pScale(polyOf(fm.a), t.coeff));
    return out;
  }
  return undefined;
}

/** `m·x - m·D·⌊x/D⌋ → m·(x mod D)` when every term of m·x is present in the sum. */
function mergeDivPair(p: Poly): Poly | undefined {
  for (const [key, t] of p.terms) {
    const fd = t.atoms.find((a): a is DivMod => asDivMod(a, "floordiv") !== undefined);
    if (!fd) continue;
    const dd = divTimesDivisor(fd);
    if (!dd || dd.key !== key || t.coeff % dd.term.coeff !== 0) continue;
    const m = -t.coeff / dd.term.coeff;
    const mx = pScale(polyOf(fd.a), m);
    let all = mx.terms.size > 0;
    for (const [k, xt] of mx.terms) if (p.terms.get(k)?.coeff !== xt.coeff) all = false;
    if (!all) continue;
    let out = pAdd(p, mx, -1);
    out = pAdd(out, pTerms(p.dtype, [[key, t]]), -1);
    const fm = { ...fd, op: "floormod" } as PrimExpr;
    return pAdd(out, pScale(pAtom(fm), m));
  }
  return undefined;
}

/**
 * Apply the merge rules until none applies (each application removes at least one term, so
 * this terminates).
 *
 * @example
 * ```ts
 * import { mergeDivMod } from "./merge_rules.ts";
 * import { pAdd, pAtom, pScale, toExpr } from "./poly.ts";
 * import { floordiv, floormod, variable } from "../expr.ts";
 * const x = variable("x");
 * const p = pAdd(pScale(pAtom(floordiv(x, 8)), 8), pAtom(floormod(x, 8)));
 * console.assert(toExpr(mergeDivMod(p)) === x);
 * ```
 */
export function mergeDivMod(p: Poly): Poly {
  let cur = p;
  for (let i = 0; i < 16; i++) {
    const next = mergeModPair(cur) ?? mergeDivPair(cur);
    if (!next) return cur;
    cur = next;
  }
  return cur;
}
