/**
 * A thin local simplifier for index arithmetic, used until `ir/arith` lands (then this file
 * delegates to its `Analyzer`). It knows constant bounds of variables (loop ranges) and:
 *
 * | rule                                                  | algebra                                      |
 * | ----------------------------------------------------- | -------------------------------------------- |
 * | affine normal form                                    | Σ cₖ·xₖ + c, like terms merged, order kept   |
 * | floordiv by a positive constant d                     | ⌊(d·q·x + r) / d⌋ → q·x + ⌊r / d⌋            |
 * | … when m·d ≤ r < (m+1)·d                              | ⌊r / d⌋ → m                                  |
 * | floormod by a positive constant d                     | (d·q·x + r) mod d → r mod d → r − m·d        |
 * | comparisons with a sign-definite difference           | a < b → true when max(a − b) < 0             |
 * | min / max with an ordered pair                        | min(a, b) → a when max(a − b) ≤ 0            |
 *
 * Only signed integer scalars are rearranged (index arithmetic is assumed not to overflow, as in
 * TVM); floats are never reassociated, only their integer subexpressions are simplified.
 *
 * @module
 */
import { isInt, isUInt, lanesOf } from "../dtype.ts";
import { binary, type BinaryOp, constant, int, type PrimExpr, type Var } from "../expr.ts";
import { mapChildren, type Node } from "../node.ts";
import { sameExpr } from "./same_expr.ts";
import { refoldNode } from "./substitute.ts";

/** Inclusive constant bounds; infinite when unknown. */
export interface Bounds {
  readonly lo: number;
  readonly hi: number;
}

const ANY: Bounds = { lo: -Infinity, hi: Infinity };

/** Σ coeff·atom + c. */
interface Linear {
  readonly terms: [PrimExpr, number][];
  readonly c: number;
}

function isIndexType(d: string): boolean {
  return lanesOf(d) === 1 && isInt(d) && !isUInt(d);
}

/**
 * Simplifies integer expressions given constant bounds of variables.
 *
 * @example
 * ```ts
 * import { ExprSimplifier } from "./simplify_expr.ts";
 * import { add, floordiv, int, mul, variable } from "../expr.ts";
 * const i = variable("i");
 * const j = variable("j");
 * const s = new ExprSimplifier();
 * s.bind(j, int(0), int(4));
 * console.assert(s.simplify(floordiv(add(mul(i, 4), j), 4)) === i);
 * ```
 */
export class ExprSimplifier {
  private readonly ranges = new Map<Var, Bounds>();

  /** Bind `v` to `[min, min + extent)`; returns the previous bounds, for `restore`. */
  bind(v: Var, min: PrimExpr, extent: PrimExpr): Bounds | undefined {
    const prev = this.ranges.get(v);
    const m = this.bound(min);
    const e = this.bound(extent);
    this.ranges.set(v, { lo: m.lo, hi: m.hi + e.hi - 1 });
    return prev;
  }

  /** Bind `v` to inclusive bounds; returns the previous bounds. */
  bindBounds(v: Var, b: Bounds): Bounds | undefined {
    const prev = this.ranges.get(v);
    this.ranges.set(v, b);
    return prev;
  }

  /** Undo a `bind`: give `v` back its previous bounds. */
  restore(v: Var, prev: Bounds | undefined): void {
    if (prev) this.ranges.set(v, prev);
    else this.ranges.delete(v);
  }

  /** Constant bounds of an integer expression. */
  bound(e: PrimExpr): Bounds {
    if (e.kind === "IntImm") return { lo: e.value, hi: e.value };
    if (!isIndexType(e.dtype)) return ANY;
    return this.linBound(this.linear(e));
  }

  /** True if the bool expression is provably true. */
  canProve(cond: PrimExpr): boolean {
    const s = this.simplify(cond);
    return s.kind === "IntImm" && s.value === 1;
  }

  /** Simplify; returns `e` itself when the result is the same tree. */
  simplify(e: PrimExpr): PrimExpr {
    const out = this.simp(e);
    return sameExpr(out, e) ? e : out;
  }

  private simp(e: PrimExpr): PrimExpr {
    if (isIndexType(e.dtype) && e.kind !== "Let") return this.build(this.linear(e), e.dtype);
    if (e.kind === "Binary" && isIndexType(e.a.dtype)) return this.compare(e.op, e.a, e.b) ?? e;
    return this.children(e);
  }

  private children(e: PrimExpr): PrimExpr {
    const m = mapChildren(e, (c: Node) => (isExprNode(c) ? this.simp(c) : c));
    return m === e ? e : refoldNode(m);
  }

  private compare(op: BinaryOp, a: PrimExpr, b: PrimExpr): PrimExpr | undefined {
    const sa = this.simp(a);
    const sb = this.simp(b);
    const d = this.linBound(this.sub(this.linear(sa), this.linear(sb)));
    const truth: Record<string, [boolean, boolean]> = {
      // [provably true, provably false] from the bounds of a − b
      lt: [d.hi < 0, d.lo >= 0],
      le: [d.hi <= 0, d.lo > 0],
      gt: [d.lo > 0, d.hi <= 0],
      ge: [d.lo >= 0, d.hi < 0],
      eq: [d.lo === 0 && d.hi === 0, d.lo > 0 || d.hi < 0],
      ne: [d.lo > 0 || d.hi < 0, d.lo === 0 && d.hi === 0],
    };
    const t = truth[op];
    if (t === undefined) return binary(op, sa, sb);
    if (t[0]) return constant(1, "bool");
    if (t[1]) return constant(0, "bool");
    return binary(op, sa, sb);
  }

  private linear(e: PrimExpr): Linear {
    switch (e.kind) {
      case "IntImm":
        return { terms: [], c: e.value };
      case "Binary": {
        const { op } = e;
        if (op === "add" || op === "sub") {
          const a = this.linear(e.a);
          const b = this.linear(e.b);
          return op === "add" ? this.addLin(a, b) : this.sub(a, b);
        }
        if (op === "mul") {
          const a = this.linear(e.a);
          const b = this.linear(e.b);
          if (b.terms.length === 0) return scale(a, b.c);
          if (a.terms.length === 0) return scale(b, a.c);
          return atom(binary("mul", this.build(a, e.dtype), this.build(b, e.dtype)));
        }
        if ((op === "floordiv" || op === "floormod") && e.b.kind === "IntImm" && e.b.value > 0) {
          return this.divMod(op, this.linear(e.a), e.b.value, e.dtype);
        }
        if (op === "min" || op === "max") {
          const a = this.simp(e.a);
          const b = this.simp(e.b);
          const d = this.linBound(this.sub(this.linear(a), this.linear(b)));
          if (d.hi <= 0) return this.linear(op === "min" ? a : b);
          if (d.lo >= 0) return this.linear(op === "min" ? b : a);
          return atom(binary(op, a, b));
        }
        return atom(this.children(e));
      }
      default:
        return atom(this.children(e));
    }
  }

  private divMod(op: "floordiv" | "floormod", x: Linear, d: number, dtype: string): Linear {
    const kept: [PrimExpr, number][] = [];
    const quotient: [PrimExpr, number][] = [];
    for (const [a, k] of x.terms) {
      if (k % d === 0) quotient.push([a, k / d]); // ⌊(d·q·a + r) / d⌋ = q·a + ⌊r / d⌋
      else kept.push([a, k]);
    }
    const qc = Math.floor(x.c / d);
    const rest: Linear = { terms: kept, c: x.c - qc * d };
    const b = this.linBound(rest);
    const m = Math.floor(b.lo / d);
    const exact = Number.isFinite(b.lo) && Number.isFinite(b.hi) && Math.floor(b.hi / d) === m;
    if (op === "floordiv") {
      const q: Linear = { terms: quotient, c: qc };
      if (exact) return this.addLin(q, { terms: [], c: m });
      return this.addLin(q, atom(binary("floordiv", this.build(rest, dtype), int(d, dtype))));
    }
    if (exact) return this.addLin(rest, { terms: [], c: -m * d });
    return atom(binary("floormod", this.build(rest, dtype), int(d, dtype)));
  }

  private atomBound(a: PrimExpr): Bounds {
    if (a.kind === "Var") return this.ranges.get(a) ?? ANY;
    if (a.kind === "Binary" && a.b.kind === "IntImm" && a.b.value > 0) {
      const d = a.b.value;
      if (a.op === "floormod") return { lo: 0, hi: d - 1 };
      if (a.op === "floordiv") {
        const x = this.bound(a.a);
        return { lo: Math.floor(x.lo / d), hi: Math.floor(x.hi / d) };
      }
    }
    if (a.kind === "Binary" && (a.op === "min" || a.op === "max")) {
      const x = this.bound(a.a);
      const y = this.bound(a.b);
      const f = a.op === "min" ? Math.min : Math.max;
      return { lo: f(x.lo, y.lo), hi: f(x.hi, y.hi) };
    }
    return ANY;
  }

  private linBound(x: Linear): Bounds {
    let lo = x.c;
    let hi = x.c;
    for (const [a, k] of x.terms) {
      const b = this.atomBound(a);
      const p = [k * b.lo, k * b.hi].map((v) => (Number.isNaN(v) ? 0 : v));
      lo += Math.min(p[0], p[1]);
      hi += Math.max(p[0], p[1]);
    }
    return { lo, hi };
  }

  private addLin(a: Linear, b: Linear): Linear {
    const terms = a.terms.map(([x, k]): [PrimExpr, number] => [x, k]);
    for (const [x, k] of b.terms) {
      const hit = terms.find(([y]) => sameExpr(x, y));
      if (hit) hit[1] += k;
      else terms.push([x, k]);
    }
    return { terms: terms.filter(([, k]) => k !== 0), c: a.c + b.c };
  }

  private sub(a: Linear, b: Linear): Linear {
    return this.addLin(a, scale(b, -1));
  }

  private build(x: Linear, dtype: string): PrimExpr {
    let out: PrimExpr | undefined;
    const pos = x.terms.filter(([, k]) => k > 0);
    const neg = x.terms.filter(([, k]) => k < 0);
    for (const [a, k] of pos) {
      const t = binary("mul", a, int(k, dtype));
      out = out ? binary("add", out, t) : t;
    }
    for (const [a, k] of neg) {
      const t = binary("mul", a, int(-k, dtype));
      out = out ? binary("sub", out, t) : binary("mul", a, int(k, dtype));
    }
    if (out === undefined) return int(x.c, dtype);
    if (x.c > 0) return binary("add", out, int(x.c, dtype));
    if (x.c < 0) return binary("sub", out, int(-x.c, dtype));
    return out;
  }
}

function atom(e: PrimExpr): Linear {
  return e.kind === "IntImm" ? { terms: [], c: e.value } : { terms: [[e, 1]], c: 0 };
}

function scale(x: Linear, k: number): Linear {
  if (k === 0) return { terms: [], c: 0 };
  return { terms: x.terms.map(([a, c]) => [a, c * k]), c: x.c * k };
}

function isExprNode(n: Node): n is PrimExpr {
  return "dtype" in n && n.kind !== "Buffer";
}
