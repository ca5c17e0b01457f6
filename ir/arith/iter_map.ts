/**
 * Iter-map detection, after TVM's `iter_affine_map`: recognise index expressions made of fused and
 * split loop iterators, and invert them.
 *
 * The vocabulary (all extents, factors and scales are expressions, so symbolic sizes work):
 * - an `IterMark` is an iterator with values `[0, extent)`: a domain variable (minus its min), or
 *   a fused sum of splits;
 * - an `IterSplit` takes part of a mark: `floormod(floordiv(mark, lowerFactor), extent) · scale`;
 * - an `IterSum` is `Σ splits + base`.
 *
 * Given i ∈ [0,4) and j ∈ [0,16), `i*16 + j` is one split of a fused mark of extent 64 whose
 * source is the sum `i·16 + j`; given f ∈ [0,64), `floordiv(f, 16)` and `floormod(f, 16)` are the
 * splits `(f, lowerFactor 16, extent 4)` and `(f, lowerFactor 1, extent 16)`.
 *
 * Detection succeeds only for a bijective affine map: every split divides its mark exactly, the
 * splits of every domain variable tile it exactly once (lower factors 1, e₁, e₁e₂, … up to its
 * extent), every variable of extent > 1 is used, and each index is one fused iterator.
 *
 * @module
 */
import {
  add,
  type ExprLike,
  floordiv,
  floormod,
  int,
  mul,
  type PrimExpr,
  sub,
  type Var,
} from "../expr.ts";
import type { Range } from "../stmt.ts";
import { Analyzer, type RangeLike } from "./analyzer.ts";
import { formatExpr } from "./format.ts";
import { exprKey } from "./key.ts";

/** An iterator with values `[0, extent)`: a domain variable (minus `min`), or a fused sum. */
export interface IterMark {
  /** Tag. */
  readonly kind: "IterMark";
  /** A domain variable, or the fused sum. */
  readonly source: Var | IterSum;
  /** Number of values. */
  readonly extent: PrimExpr;
  /** For a variable source: its domain's min (the mark's value is `v - min`). */
  readonly min: PrimExpr;
}

/** `floormod(floordiv(mark, lowerFactor), extent) · scale`. */
export interface IterSplit {
  /** Tag. */
  readonly kind: "IterSplit";
  /** The mark split. */
  readonly source: IterMark;
  /** The product of the extents of the mark's lower parts. */
  readonly lowerFactor: PrimExpr;
  /** Number of values of this part. */
  readonly extent: PrimExpr;
  /** What the part is multiplied by in the sum. */
  readonly scale: PrimExpr;
}

/** `Σ args + base`; in a fused mark the args are ordered from the largest scale down. */
export interface IterSum {
  /** Tag. */
  readonly kind: "IterSum";
  /** The splits. */
  readonly args: readonly IterSplit[];
  /** The constant (iterator-free) part. */
  readonly base: PrimExpr;
}

/** The outcome of `detectIterMap`. */
export type IterMapResult =
  | { readonly ok: true; readonly indices: readonly IterSum[] }
  | { readonly ok: false; readonly reason: string };

class NotAffine extends Error {}

function fail(reason: string): never {
  throw new NotAffine(reason);
}

/** The detector: one per call, holding the domain marks and the analyzer. */
class Detector {
  readonly marks = new Map<Var, IterMark>();
  /** Fused marks by their pieces, so two uses of one fused sum split one mark. */
  readonly fused = new Map<string, IterMark>();
  readonly markIds = new Map<IterMark, number>();
  constructor(readonly ana: Analyzer, domains: ReadonlyMap<Var, Range | RangeLike>) {
    for (const [v, r] of domains) {
      ana.bind(v, r);
      const rr = ana.rangeOf(v)!;
      this.marks.set(v, { kind: "IterMark", source: v, extent: rr.extent, min: rr.min });
    }
  }

  eq(a: PrimExpr, b: ExprLike): boolean {
    return this.ana.canProveEqual(a, b);
  }
  /** c divides e exactly. */
  divides(c: PrimExpr, e: PrimExpr): boolean {
    return this.eq(floormod(e, c), 0);
  }
  s(e: PrimExpr): PrimExpr {
    return this.ana.simplify(e);
  }

  toSum(e: PrimExpr): IterSum {
    switch (e.kind) {
      case "Var": {
        const m = this.marks.get(e);
        if (!m) return { kind: "IterSum", args: [], base: e };
        if (this.eq(m.extent, 1)) return { kind: "IterSum", args: [], base: m.min };
        return { kind: "IterSum", args: [split(m, 1, m.extent, 1)], base: m.min };
      }
      case "Binary":
        switch (e.op) {
          case "add":
          case "sub":
            return this.addSums(this.toSum(e.a), this.toSum(e.b), e.op === "sub");
          case "mul": {
            const a = this.toSum(e.a), b = this.toSum(e.b);
            if (a.args.length > 0 && b.args.length > 0) {
              fail(`${formatExpr(e)} multiplies two iterators`);
            }
            return a.args.length > 0 ? this.scaleSum(a, b.base) : this.scaleSum(b, a.base);
          }
          case "floordiv":
          case "floormod":
            return this.divMod(e.op, this.toSum(e.a), this.toSum(e.b), e);
        }
    }
    if (containsMarked(e, this.marks)) {
      fail(`${formatExpr(e)} is not an affine use of the iterators`);
    }
    return { kind: "IterSum", args: [], base: e };
  }

  addSums(a: IterSum, b: IterSum, negate: boolean): IterSum {
    if (negate && b.args.length > 0) fail("an iterator is subtracted (negative scale)");
    return {
      kind: "IterSum",
      args: [...a.args, ...b.args],
      base: this.s(negate ? sub(a.base, b.base) : add(a.base, b.base)),
    };
  }

  scaleSum(a: IterSum, c: PrimExpr): IterSum {
    if (a.args.length > 0 && !this.ana.canProveGreaterEqual(c, 1)) {
      fail(`the scale ${formatExpr(c)} of an iterator is not provably positive`);
    }
    return {
      kind: "IterSum",
      args: a.args.map((x) => ({ ...x, scale: this.s(mul(x.scale, c)) })),
      base: this.s(mul(a.base, c)),
    };
  }

  divMod(op: "floordiv" | "floormod", x: IterSum, d: IterSum, e: PrimExpr): IterSum {
    if (d.args.length > 0) fail(`${formatExpr(e)} divides by an iterator`);
    const c = d.base;
    if (!this.ana.canProveGreaterEqual(c, 1)) {
      fail(`the divisor in ${formatExpr(e)} is not positive`);
    }
    if (x.args.length === 0) return { kind: "IterSum", args: [], base: this.s(e) };
    // (S + c·q) / c = S/c + q and (S + c·q) mod c = S mod c
    if (!this.divides(c, x.base)) {
      fail(`the offset of ${formatExpr(e)} is not a multiple of the divisor`);
    }
    const sp = this.fuse(x);
    const base = op === "floordiv" ? this.s(floordiv(x.base, c)) : int(0, c.dtype);
    const sc = sp.scale;
    if (this.divides(c, sc)) {
      // ⌊S·s/c⌋ = S·(s/c) and S·s mod c = 0 when c | s
      if (op === "floormod") return { kind: "IterSum", args: [], base };
      return { kind: "IterSum", args: [{ ...sp, scale: this.s(floordiv(sc, c)) }], base };
    }
    if (!this.divides(sc, c)) fail(`${formatExpr(e)}: the divisor and the scale do not divide`);
    const c1 = this.s(floordiv(c, sc)); // c = s·c1
    if (!this.divides(c1, sp.extent)) {
      fail(
        `${formatExpr(e)}: ${formatExpr(c1)} does not divide the extent ${formatExpr(sp.extent)}`,
      );
    }
    if (op === "floordiv") {
      // ⌊S·s/(s·c1)⌋ = ⌊S/c1⌋: the upper part of the split
      const lower = this.s(mul(sp.lowerFactor, c1));
      return {
        kind: "IterSum",
        args: [split(sp.source, lower, this.s(floordiv(sp.extent, c1)), 1)],
        base,
      };
    }
    // S·s mod (s·c1) = (S mod c1)·s: the lower part
    return { kind: "IterSum", args: [split(sp.source, sp.lowerFactor, c1, sc)], base };
  }

  /**
   * Make the splits of a sum one split: order them into a chain (each scale is the previous
   * scale times the previous extent); consecutive splits of one mark merge back into it.
   */
  fuse(x: IterSum): IterSplit {
    if (x.args.length === 1) return x.args[0];
    let chain: IterSplit[] | undefined;
    for (const first of x.args) {
      chain = this.chainFrom(first, x.args);
      if (chain) break;
    }
    if (!chain) fail("the iterators do not form one fused iterator (scales do not chain)");
    const s0 = chain[0].scale;
    let extent: PrimExpr = int(1, s0.dtype);
    for (const a of chain) extent = this.s(mul(extent, a.extent));
    // consecutive pieces of one mark, lowest first: split(m, L, E₀·E₁·…)
    const same = chain.every((a, i) =>
      a.source === chain![0].source &&
      (i === 0 || this.eq(a.lowerFactor, mul(chain![i - 1].lowerFactor, chain![i - 1].extent)))
    );
    if (same) return split(chain[0].source, chain[0].lowerFactor, extent, s0);
    const zero = int(0, extent.dtype);
    const inner: IterSum = {
      kind: "IterSum",
      args: [...chain].reverse().map((a) => ({ ...a, scale: this.s(floordiv(a.scale, s0)) })),
      base: zero,
    };
    const id = (m: IterMark): number => {
      if (!this.markIds.has(m)) this.markIds.set(m, this.markIds.size);
      return this.markIds.get(m)!;
    };
    const key = inner.args.map((a) =>
      `${id(a.source)},${exprKey(a.lowerFactor)},${exprKey(a.extent)},${exprKey(a.scale)}`
    ).join("|");
    let mark = this.fused.get(key);
    if (!mark) this.fused.set(key, mark = { kind: "IterMark", source: inner, extent, min: zero });
    return split(mark, 1, extent, s0);
  }

  chainFrom(first: IterSplit, all: readonly IterSplit[]): IterSplit[] | undefined {
    const rest = all.filter((a) => a !== first);
    for (const a of rest) if (!this.divides(first.scale, a.scale)) return undefined;
    const chain = [first];
    let expected = this.s(mul(first.scale, first.extent));
    while (rest.length > 0) {
      const i = rest.findIndex((a) => this.eq(a.scale, expected));
      if (i < 0) return undefined;
      const [a] = rest.splice(i, 1);
      chain.push(a);
      expected = this.s(mul(a.scale, a.extent));
    }
    return chain;
  }

  /** Every domain variable of extent > 1 is tiled exactly once by the splits that use it. */
  checkCoverage(sums: readonly IterSum[]): void {
    const uses = new Map<IterMark, IterSplit[]>();
    const collect = (s: IterSplit) => {
      const list = uses.get(s.source) ?? [];
      if (list.length === 0) uses.set(s.source, list);
      list.push(s);
      if (
        typeof s.source.source === "object" && s.source.source.kind === "IterSum" &&
        list.length === 1
      ) {
        for (const a of s.source.source.args) collect(a);
      }
    };
    for (const sum of sums) for (const a of sum.args) collect(a);
    for (const [mark, splits] of uses) {
      let lower: PrimExpr = int(1, mark.extent.dtype);
      const rest = [...splits];
      while (rest.length > 0) {
        const i = rest.findIndex((a) => this.eq(a.lowerFactor, lower));
        if (i < 0) fail(`${markName(mark)} is split into overlapping or missing pieces`);
        const [a] = rest.splice(i, 1);
        lower = this.s(mul(a.lowerFactor, a.extent));
      }
      if (!this.eq(lower, mark.extent)) fail(`not every value of ${markName(mark)} is reached`);
    }
    for (const [v, m] of this.marks) {
      if (!uses.has(m) && !this.eq(m.extent, 1)) fail(`the iterator ${v.name} is not used`);
    }
  }
}

function markName(m: IterMark): string {
  return m.source.kind === "Var" ? `iterator ${m.source.name}` : "a fused iterator";
}

function split(
  source: IterMark,
  lowerFactor: PrimExpr | number,
  extent: PrimExpr | number,
  scale: PrimExpr | number,
): IterSplit {
  const d = source.extent.dtype;
  const ex = (x: PrimExpr | number) => (typeof x === "number" ? int(x, d) : x);
  return {
    kind: "IterSplit",
    source,
    lowerFactor: ex(lowerFactor),
    extent: ex(extent),
    scale: ex(scale),
  };
}

function containsMarked(e: PrimExpr, marks: ReadonlyMap<Var, IterMark>): boolean {
  if (e.kind === "Var") return marks.has(e);
  const kids: PrimExpr[] = e.kind === "Binary"
    ? [e.a, e.b]
    : e.kind === "Select"
    ? [e.cond, e.t, e.f]
    : e.kind === "Cast" || e.kind === "Not"
    ? [e.kind === "Cast" ? e.value : e.a]
    : e.kind === "Call"
    ? [...e.args]
    : e.kind === "BufferLoad"
    ? [...e.indices]
    : [];
  return kids.some((k) => containsMarked(k, marks));
}

/**
 * Detect whether `indices` are a bijective affine map of the iterators in `domains` (fused and
 * split loop variables). On success each index is an `IterSum` of at most one split (several
 * iterators used together are fused into one mark); on failure, the reason.
 *
 * @example
 * ```ts
 * import { detectIterMap } from "./iter_map.ts";
 * import { add, mul, variable } from "../expr.ts";
 * const i = variable("i"), j = variable("j");
 * const r = detectIterMap([add(mul(i, 16), j)], new Map([[i, { min: 0, extent: 4 }], [j, { min: 0, extent: 16 }]]));
 * console.assert(r.ok && r.indices[0].args[0].extent.kind === "IntImm");
 * ```
 */
export function detectIterMap(
  indices: readonly PrimExpr[],
  domains: ReadonlyMap<Var, Range | RangeLike>,
  analyzer: Analyzer = new Analyzer(),
): IterMapResult {
  const det = new Detector(analyzer, domains);
  try {
    const sums = indices.map((e) => {
      const sum = det.toSum(analyzer.simplify(e));
      return sum.args.length > 1 ? { ...sum, args: [det.fuse(sum)] } : sum;
    });
    det.checkCoverage(sums);
    return { ok: true, indices: sums };
  } catch (err) {
    if (err instanceof NotAffine) return { ok: false, reason: err.message };
    throw err;
  }
}

/**
 * Invert a detected map: given expressions for the values of the indices (`outputs[k]` stands for
 * index k), the value of every domain variable. Output variables are bound in `analyzer` to the
 * range of their index, so the results simplify.
 *
 * @example
 * ```ts
 * import { detectIterMap, inverseIterMap } from "./iter_map.ts";
 * import { add, mul, variable } from "../expr.ts";
 * const i = variable("i"), j = variable("j"), o = variable("o");
 * const r = detectIterMap([add(mul(i, 16), j)], new Map([[i, { min: 0, extent: 4 }], [j, { min: 0, extent: 16 }]]));
 * if (r.ok) console.assert(inverseIterMap(r.indices, [o]).get(i)!.kind === "Binary"); // floordiv(o, 16)
 * ```
 */
export function inverseIterMap(
  indices: readonly IterSum[],
  outputs: readonly PrimExpr[],
  analyzer: Analyzer = new Analyzer(),
): Map<Var, PrimExpr> {
  const parts = new Map<IterMark, PrimExpr[]>(); // mark → contributions to its value
  const give = (m: IterMark, value: PrimExpr) => {
    const list = parts.get(m);
    if (list) list.push(value);
    else parts.set(m, [value]);
  };
  // a sum's value v splits into its args: arg = floormod(floordiv(v, scale), extent) (largest first)
  const distribute = (sum: IterSum, value: PrimExpr) => {
    const v = sub(value, sum.base);
    for (const a of sum.args) {
      const piece = sum.args.length === 1
        ? floordiv(v, a.scale)
        : floormod(floordiv(v, a.scale), a.extent);
      give(a.source, mul(piece, a.lowerFactor));
    }
  };
  indices.forEach((sum, k) => {
    const o = outputs[k], a = sum.args[0];
    // an output variable ranges over its index's values: [base, base + (extent - 1)·scale]
    if (o.kind === "Var" && sum.args.length === 1) {
      analyzer.bind(o, { min: sum.base, extent: add(mul(sub(a.extent, 1), a.scale), 1) });
    }
    distribute(sum, o);
  });
  const out = new Map<Var, PrimExpr>();
  const resolve = (m: IterMark) => {
    const value = (parts.get(m) ?? []).reduce((x, y) => add(x, y));
    if (m.source.kind === "Var") out.set(m.source, analyzer.simplify(add(value, m.min)));
    else distribute(m.source, value);
  };
  // a fused mark must have all its value before it is split: resolve first one that no other
  // unresolved fused mark feeds
  const done = new Set<IterMark>();
  const feeds = (m: IterMark, into: IterMark) =>
    into.source.kind === "IterSum" && into.source.args.some((a) => a.source === m);
  while (true) {
    const fused = [...parts.keys()].filter((m) => m.source.kind === "IterSum" && !done.has(m));
    const next = fused.find((m) => !fused.some((o) => o !== m && feeds(m, o)));
    if (!next) break;
    done.add(next);
    resolve(next);
  }
  for (const m of parts.keys()) if (m.source.kind === "Var") resolve(m);
  return out;
}
