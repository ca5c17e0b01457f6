/**
 * The semantic comparison of two canonical forms (`einsum.ts`): a block's and an intrinsic
 * description's. It searches for
 *
 * - a map σ from the description's iterators to the block's (spatial ↔ spatial, reduce ↔
 *   reduce, injective, any order), and
 * - for each description buffer D an affine map from D's indices into the block buffer X it
 *   stands for: `X-index(p) = base + Σ_d p_d · col_d`, so an access `D[e(v)]` of the
 *   description corresponds to the block's access `X[f(σ v)]` exactly when
 *   `f(σ v) = base + Σ_d e_d(v) · col_d` with `base` free of mapped iterators. The columns are
 *   the operand's strides in the block buffer's index space (a transposed or conv-window
 *   operand is a strided view, not a mismatch),
 *
 * such that the stores, the values and the inits correspond node for node, with commutative
 * operators (`+ · min max == !=`) matched in either order. The search backtracks (continuation
 * style) over the iterator choices and operand orders; it remembers the deepest failure, which
 * is the first differing sub-expression the diagnostic shows.
 *
 * `exact` also requires equal extents and every non-unit block iterator mapped (the block is
 * one instance of the intrinsic); without it the block may be larger (auto-tensorization's
 * pattern check: tiles of the block compute the intrinsic).
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, int, isConst, mul, type PrimExpr, sub, type Var } from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type { Einsum, Iter } from "./einsum.ts";

/** How one description buffer maps onto a block buffer. */
export interface OperandMap {
  /** The description's buffer. */
  readonly param: Buffer;
  /** The block's buffer it stands for. */
  readonly buffer: Buffer;
  /** The block index of the description element `[0, …, 0]` (free of mapped iterators). */
  readonly base: readonly PrimExpr[];
  /** Per description dimension: the block index step of one step along it (constants). */
  readonly cols: readonly (readonly number[])[];
}

/** A correspondence found. */
export interface Correspondence {
  /** Description iterator variable → the block iterator it maps to. */
  readonly iters: ReadonlyMap<Var, Iter>;
  /** Description buffer → its operand map. */
  readonly operands: ReadonlyMap<Buffer, OperandMap>;
}

/** The deepest point where the comparison failed. */
export interface Difference {
  /** The block's side (an expression, or a description of the part). */
  readonly block?: PrimExpr;
  /** The description's side. */
  readonly description?: PrimExpr;
  /** Why they differ. */
  readonly reason: string;
  /** How far the search got (matched nodes) — larger is closer. */
  readonly depth: number;
}

/** Options of `correspond`. */
export interface CorrespondOptions {
  /** Require equal extents and no unmapped block iterator (default false). */
  readonly exact?: boolean;
  /** Stop after this many correspondences (default 1). */
  readonly limit?: number;
  /**
   * Compare the updates only when the block has an init and the description has none (the
   * planner decomposes the reduction); default false.
   */
  readonly ignoreInit?: boolean;
}

/** The result: correspondences found (best first in search order) or the deepest difference. */
export type CorrespondResult =
  | { readonly ok: true; readonly found: readonly Correspondence[] }
  | { readonly ok: false; readonly difference: Difference };

interface State {
  readonly sigma: ReadonlyMap<Var, Iter>;
  readonly used: ReadonlySet<Var>;
  readonly ops: ReadonlyMap<Buffer, OperandMap>;
  readonly depth: number;
}

type K = (st: State) => boolean;

const COMMUTATIVE = new Set(["add", "mul", "min", "max", "eq", "ne"]);

class Search {
  readonly descIters: Map<Var, Iter>;
  readonly candIters: Map<Var, Iter>;
  best: Difference = { reason: "nothing compared", depth: -1 };
  readonly found: Correspondence[] = [];

  constructor(
    readonly cand: Einsum,
    readonly desc: Einsum,
    readonly exact: boolean,
    readonly limit: number,
  ) {
    this.descIters = new Map(desc.iters.map((it) => [it.v, it]));
    this.candIters = new Map(cand.iters.map((it) => [it.v, it]));
  }

  get ana(): Analyzer {
    return this.cand.ana;
  }

  fail(st: State, c: PrimExpr | undefined, d: PrimExpr | undefined, reason: string): false {
    if (st.depth > this.best.depth) {
      this.best = { block: c, description: d, reason, depth: st.depth };
    }
    return false;
  }

  step(st: State): State {
    return { ...st, depth: st.depth + 1 };
  }

  expr(c: PrimExpr, d: PrimExpr, st: State, k: K): boolean {
    if (c.dtype !== d.dtype) {
      return this.fail(st, c, d, `dtypes differ (${c.dtype} vs ${d.dtype})`);
    }
    if (d.kind === "BufferLoad") {
      if (c.kind !== "BufferLoad") return this.fail(st, c, d, "a load in the description");
      return this.access(c.buffer, c.indices, d.buffer, d.indices, c, d, st, k);
    }
    if (c.kind !== d.kind) return this.fail(st, c, d, `${c.kind} vs ${d.kind}`);
    const s = this.step(st);
    switch (d.kind) {
      case "IntImm":
      case "FloatImm":
        return Object.is((c as typeof d).value, d.value)
          ? k(s)
          : this.fail(st, c, d, "constants differ");
      case "Var":
        return this.variable(c as Var, d, s, k);
      case "Cast":
        return this.expr((c as typeof d).value, d.value, s, k);
      case "Not":
        return this.expr((c as typeof d).a, d.a, s, k);
      case "Binary": {
        const cb = c as typeof d;
        if (cb.op !== d.op) return this.fail(st, c, d, `operators differ (${cb.op} vs ${d.op})`);
        const straight = this.expr(cb.a, d.a, s, (s2) => this.expr(cb.b, d.b, s2, k));
        if (straight || !COMMUTATIVE.has(d.op)) return straight;
        return this.expr(cb.b, d.a, s, (s2) => this.expr(cb.a, d.b, s2, k));
      }
      case "Select": {
        const cs = c as typeof d;
        return this.expr(
          cs.cond,
          d.cond,
          s,
          (s2) => this.expr(cs.t, d.t, s2, (s3) => this.expr(cs.f, d.f, s3, k)),
        );
      }
      case "Call": {
        const cc = c as typeof d;
        if (cc.op !== d.op || cc.args.length !== d.args.length) {
          return this.fail(st, c, d, `calls differ (${cc.op} vs ${d.op})`);
        }
        return this.list(cc.args, d.args, 0, s, k);
      }
      default:
        return this.fail(st, c, d, `${d.kind} is not compared`);
    }
  }

  list(cs: readonly PrimExpr[], ds: readonly PrimExpr[], i: number, st: State, k: K): boolean {
    if (i === ds.length) return k(st);
    return this.expr(cs[i], ds[i], st, (s) => this.list(cs, ds, i + 1, s, k));
  }

  variable(c: Var, d: Var, st: State, k: K): boolean {
    const it = this.descIters.get(d);
    if (!it) return c === d ? k(st) : this.fail(st, c, d, "variables differ");
    const have = st.sigma.get(d);
    if (have) return have.v === c ? k(st) : this.fail(st, c, d, "iterators differ");
    const ci = this.candIters.get(c);
    if (!ci || !this.fits(ci, it, st)) return this.fail(st, c, d, "iterators differ");
    return k(this.assign(st, d, ci));
  }

  fits(ci: Iter, di: Iter, st: State): boolean {
    if (st.used.has(ci.v) || ci.kind !== di.kind) return false;
    return !this.exact || this.ana.canProveEqual(ci.extent, di.extent);
  }

  assign(st: State, d: Var, ci: Iter): State {
    const sigma = new Map(st.sigma).set(d, ci);
    return { ...st, sigma, used: new Set(st.used).add(ci.v) };
  }

  /** Match `X[f]` against `D[e]`: assign σ for e's unmapped iterators, then fit D's map. */
  access(
    X: Buffer,
    f: readonly PrimExpr[],
    D: Buffer,
    e: readonly PrimExpr[],
    c: PrimExpr | undefined,
    d: PrimExpr | undefined,
    st: State,
    k: K,
  ): boolean {
    if (X.dtype !== D.dtype) {
      return this.fail(
        st,
        c,
        d,
        `buffer "${X.name}" holds ${X.dtype}, the intrinsic's "${D.name}" ${D.dtype}`,
      );
    }
    const open = this.varsOf(e).filter((v) => !st.sigma.has(v));
    const inF = this.candIn(f);
    // try first the block iterators at the same index positions as the description's
    const dimsOf = (vs: readonly PrimExpr[], v: Var) =>
      vs.flatMap((x, j) => (uses(x, v) ? [j] : []));
    const order = (v: Var) => {
      const dims = new Set(dimsOf(e, v));
      return [...inF].sort((a, b) =>
        Number(!dimsOf(f, a.v).some((j) => dims.has(j))) -
        Number(!dimsOf(f, b.v).some((j) => dims.has(j)))
      );
    };
    const go = (i: number, s: State): boolean => {
      if (i === open.length) return this.fit(X, f, D, e, c, d, s, k);
      const di = this.descIters.get(open[i])!;
      let any = false;
      for (const ci of order(di.v)) {
        if (!this.fits(ci, di, s)) continue;
        any = true;
        if (go(i + 1, this.assign(s, di.v, ci))) return true;
      }
      const left = this.cand.iters.filter((x) => !s.used.has(x.v) && x.kind === di.kind);
      if (!any && left.length === 0) {
        return this.fail(
          s,
          c,
          d,
          `the block has no ${di.kind} iterator left for the intrinsic's "${di.v.name}" (extent ${
            show(di.extent)
          }): its tile has fewer dimensions`,
        );
      }
      return any ? false : this.fail(
        s,
        c,
        d,
        `no ${di.kind} iterator of the block${
          this.exact ? ` with extent ${show(di.extent)}` : ""
        } indexes "${X.name}" where the intrinsic's "${di.v.name}" indexes "${D.name}"`,
      );
    };
    return go(0, st);
  }

  /** Description iterators used in `es`, in the description's order. */
  varsOf(es: readonly PrimExpr[]): Var[] {
    const seen = new Set<Var>();
    for (const e of es) visit(e, (n) => void (n.kind === "Var" && seen.add(n)));
    return this.desc.iters.map((it) => it.v).filter((v) => seen.has(v));
  }

  /** Block iterators used in `es`, in the block's order. */
  candIn(es: readonly PrimExpr[]): Iter[] {
    const seen = new Set<Var>();
    for (const e of es) visit(e, (n) => void (n.kind === "Var" && seen.add(n)));
    return this.cand.iters.filter((it) => seen.has(it.v));
  }

  fit(
    X: Buffer,
    f: readonly PrimExpr[],
    D: Buffer,
    e: readonly PrimExpr[],
    c: PrimExpr | undefined,
    d: PrimExpr | undefined,
    st: State,
    k: K,
  ): boolean {
    const have = st.ops.get(D);
    const sigmaSub = new Map<Var, PrimExpr>([...st.sigma].map(([v, it]) => [v, it.v]));
    const linear = (cols: readonly (readonly number[])[], j: number): PrimExpr =>
      e.reduce<PrimExpr>(
        (acc, ed, dd) => add(acc, mul(substitute(ed, sigmaSub), cols[dd][j])),
        zeroLike(f[j]),
      );
    if (have) {
      if (have.buffer !== X) {
        return this.fail(
          st,
          c,
          d,
          `"${D.name}" stands for "${have.buffer.name}" elsewhere, here for "${X.name}"`,
        );
      }
      for (let j = 0; j < f.length; j++) {
        const rest = this.ana.simplify(sub(sub(f[j], have.base[j]), linear(have.cols, j)));
        if (!isConst(rest, 0)) {
          return this.fail(
            st,
            c,
            d,
            `index ${j} of "${X.name}" is not where the intrinsic's access of "${D.name}" lands`,
          );
        }
      }
      return k(this.step(st));
    }
    const cols: number[][] = [];
    for (const ed of e) {
      const v = this.varsOf([ed])[0];
      if (!v) {
        cols.push(f.map(() => 0));
        continue;
      }
      const a = this.ana.simplify(sub(substitute(ed, new Map([[v, add(v, 1)]])), ed));
      const u = st.sigma.get(v)!.v;
      const col: number[] = [];
      for (const fj of f) {
        const s = this.ana.simplify(sub(substitute(fj, new Map([[u, add(u, 1)]])), fj));
        if (a.kind !== "IntImm" || a.value === 0 || s.kind !== "IntImm" || s.value % a.value) {
          return this.fail(
            st,
            c,
            d,
            `the indices of "${X.name}" are not affine in the mapped iterators the way "${D.name}"'s are`,
          );
        }
        if (s.value / a.value < 0) {
          return this.fail(
            st,
            c,
            d,
            `"${X.name}" is walked backwards where the intrinsic's "${D.name}" goes forwards`,
          );
        }
        col.push(s.value / a.value);
      }
      cols.push(col);
    }
    const base = f.map((fj, j) => this.ana.simplify(sub(fj, linear(cols, j))));
    const ops = new Map(st.ops).set(D, { param: D, buffer: X, base, cols });
    return k(this.step({ ...st, ops }));
  }

  /** The final checks once everything is matched. */
  done(st: State): boolean {
    for (const it of this.desc.iters) {
      if (!st.sigma.has(it.v)) {
        return this.fail(
          st,
          undefined,
          undefined,
          `the intrinsic's iterator "${it.v.name}" indexes nothing`,
        );
      }
    }
    for (const op of st.ops.values()) {
      for (const b of op.base) {
        const bad = this.cand.iters.find((it) => st.used.has(it.v) && uses(b, it.v));
        if (bad) {
          return this.fail(
            st,
            undefined,
            undefined,
            `"${op.buffer.name}" is indexed by "${bad.source.name}" where the intrinsic's "${op.param.name}" is not`,
          );
        }
      }
    }
    if (this.exact) {
      const spare = this.cand.iters.find((it) => !st.used.has(it.v));
      if (spare) {
        return this.fail(
          st,
          undefined,
          undefined,
          `the block iterates over "${spare.source.name}" (extent ${
            show(spare.extent)
          }), which the intrinsic does not`,
        );
      }
    }
    this.found.push({ iters: st.sigma, operands: st.ops });
    return this.found.length >= this.limit;
  }
}

function zeroLike(e: PrimExpr): PrimExpr {
  return int(0, e.dtype);
}

function uses(e: PrimExpr, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

function show(e: PrimExpr): string {
  return e.kind === "IntImm" ? String(e.value) : e.kind === "Var" ? e.name : "a symbolic size";
}

/**
 * Compare a block's form with a description's (see the module doc).
 *
 * @example
 * ```ts
 * import { correspond } from "./correspond.ts";
 * import { domainEinsum, type Einsum } from "./einsum.ts";
 * import { matmulFunc } from "../testing.ts";
 * const f = domainEinsum(matmulFunc(), "C") as Einsum;
 * const r = correspond(f, f, { exact: true });
 * console.assert(r.ok);
 * ```
 */
export function correspond(
  cand: Einsum,
  desc: Einsum,
  options: CorrespondOptions = {},
): CorrespondResult {
  const s = new Search(cand, desc, options.exact ?? false, options.limit ?? 1);
  const st0: State = { sigma: new Map(), used: new Set(), ops: new Map(), depth: 0 };
  const cs = cand.store, ds = desc.store;
  const skipInit = options.ignoreInit === true && !!cand.init && !desc.init;
  if (!!cand.init !== !!desc.init && !skipInit) {
    return {
      ok: false,
      difference: {
        reason: desc.init
          ? "the intrinsic initialises its output (it has an init), the block accumulates onto it"
          : "the block initialises its output (it has an init), the intrinsic accumulates onto it",
        depth: 0,
      },
    };
  }
  const withInit = (st: State): boolean => {
    if (!cand.init || !desc.init || skipInit) return s.done(st);
    const ci = cand.init, di = desc.init;
    return s.access(
      ci.buffer,
      ci.indices,
      di.buffer,
      di.indices,
      undefined,
      undefined,
      st,
      (s2) => s.expr(ci.value, di.value, s2, (s3) => s.done(s3)),
    );
  };
  s.access(
    cs.buffer,
    cs.indices,
    ds.buffer,
    ds.indices,
    undefined,
    undefined,
    st0,
    (st) => s.expr(cs.value, ds.value, st, withInit),
  );
  if (s.found.length) return { ok: true, found: s.found };
  return { ok: false, difference: s.best };
}
