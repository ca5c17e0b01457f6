/**
 * Symbolic interval evaluation ("relaxing" loops): the inclusive interval `[lo, hi]` an integer
 * expression covers while some variables run over their ranges and the others stay symbolic.
 * Schedules (compute_at's region analysis) and the buffer allocation passes stand on it.
 *
 * Rules (x ∈ [a, b], y ∈ [c, d]; results simplified by the analyzer):
 *
 * | expression         | interval                                                        |
 * | ------------------ | --------------------------------------------------------------- |
 * | relaxed v ∈ r      | [r.min, r.min + r.extent − 1]                                   |
 * | e without relaxed  | [e, e]                                                          |
 * | x + y, x − y       | [a + c, b + d], [a − d, b − c]                                  |
 * | x · k (k ≥ 0 / <0) | [a·k, b·k] / [b·k, a·k]   (k free of relaxed vars, sign proven) |
 * | ⌊x / k⌋, k > 0     | [⌊a / k⌋, ⌊b / k⌋]                                              |
 * | x mod k, k > 0     | [a mod k, b mod k] when ⌊a/k⌋ = ⌊b/k⌋ is proven, else [0, k − 1] |
 * | min, max           | componentwise (both are monotone)                               |
 * | select(c, x, y)    | [min(a, c), max(b, d)]                                          |
 *
 * Anything else that uses a relaxed variable — at any depth, so `i·4 + j·j` keeps its symbolic
 * part — falls back to constant bounds (`constIntBound` with the relaxed ranges bound), or has no
 * interval. `relaxRange`/`relaxRegion` lift this to ranges and buffer regions.
 *
 * This is the one interval evaluator of the code base: schedules (compute_at, cache stages,
 * blockize, layout maps, access regions) and the buffer allocation passes all use it.
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import {
  add,
  floordiv,
  floormod,
  ge,
  gt,
  int,
  le,
  lt,
  max,
  min,
  mul,
  type PrimExpr,
  sub,
  type Var,
} from "../expr.ts";
import { isInt } from "../dtype.ts";
import { visit } from "../node.ts";
import { type BufferRegion, bufferRegion, range } from "../stmt.ts";

/** An inclusive integer interval with symbolic ends. */
export interface Interval {
  /** Least value. */
  readonly lo: PrimExpr;
  /** Greatest value. */
  readonly hi: PrimExpr;
}

/** Ranges of the variables to relax. */
export type RelaxRanges = ReadonlyMap<Var, { readonly min: PrimExpr; readonly extent: PrimExpr }>;

/** Whether `e` uses any variable of `vars` (a set, or the keys of a map). */
export function usesAny(
  e: PrimExpr,
  vars: ReadonlySet<Var> | ReadonlyMap<Var, unknown>,
): boolean {
  if (vars.size === 0) return false;
  let found = false;
  visit(e, (n) => {
    if (found) return false;
    if (n.kind === "Var" && vars.has(n)) found = true;
  });
  return found;
}

/**
 * The interval of `e` while the variables of `ranges` run over their ranges (undefined when no
 * rule applies and constant bounds are unbounded). `ana` knows the ranges of the variables that
 * stay symbolic (it is used for proofs and simplification, never to relax).
 *
 * @example
 * ```ts
 * import { relaxExpr } from "./relax.ts";
 * import { Analyzer } from "../arith/mod.ts";
 * import { add, int, mul, sub, variable } from "../expr.ts";
 * const io = variable("io"), ii = variable("ii");
 * const ana = new Analyzer();
 * const r = relaxExpr(add(mul(io, 4), ii), new Map([[ii, { min: int(0), extent: int(4) }]]), ana)!;
 * console.assert(ana.canProveEqual(sub(r.hi, r.lo), 3));
 * ```
 */
export function relaxExpr(e: PrimExpr, ranges: RelaxRanges, ana: Analyzer): Interval | undefined {
  const r = go(e, ranges, ana);
  return r && { lo: ana.simplify(r.lo), hi: ana.simplify(r.hi) };
}

function point(e: PrimExpr): Interval {
  return { lo: e, hi: e };
}

/** The interval by the rules, else (a sub-expression no rule covers) by constant bounds. */
function go(e: PrimExpr, ranges: RelaxRanges, ana: Analyzer): Interval | undefined {
  if (!usesAny(e, ranges)) return point(e);
  return rule(e, ranges, ana) ?? constantFallback(e, ranges, ana);
}

function rule(e: PrimExpr, ranges: RelaxRanges, ana: Analyzer): Interval | undefined {
  if (e.kind === "Var") {
    const r = ranges.get(e)!;
    return { lo: r.min, hi: sub(add(r.min, r.extent), int(1, e.dtype)) };
  }
  if (e.kind === "Cast") {
    // int32 ↔ int64 index casts keep values (index arithmetic never overflows).
    if (!isInt(e.dtype) || !isInt(e.value.dtype)) return undefined;
    const x = go(e.value, ranges, ana);
    return x && { lo: castLike(e, x.lo), hi: castLike(e, x.hi) };
  }
  if (e.kind === "Select") {
    const t = go(e.t, ranges, ana), f = go(e.f, ranges, ana);
    return t && f && { lo: min(t.lo, f.lo), hi: max(t.hi, f.hi) };
  }
  if (e.kind !== "Binary") return undefined;
  const a = go(e.a, ranges, ana);
  if (!a) return undefined;
  switch (e.op) {
    case "add":
    case "sub":
    case "min":
    case "max": {
      const b = go(e.b, ranges, ana);
      if (!b) return undefined;
      if (e.op === "add") return { lo: add(a.lo, b.lo), hi: add(a.hi, b.hi) };
      if (e.op === "sub") return { lo: sub(a.lo, b.hi), hi: sub(a.hi, b.lo) };
      if (e.op === "min") return { lo: min(a.lo, b.lo), hi: min(a.hi, b.hi) };
      return { lo: max(a.lo, b.lo), hi: max(a.hi, b.hi) };
    }
    case "mul": {
      // one factor k is free of relaxed variables: scale the other's interval by it
      const [x, k] = usesAny(e.b, ranges) ? [go(e.b, ranges, ana), e.a] : [a, e.b];
      if (!x || usesAny(k, ranges)) return undefined;
      if (ana.canProve(ge(k, 0))) return { lo: mul(x.lo, k), hi: mul(x.hi, k) };
      if (ana.canProve(lt(k, 0))) return { lo: mul(x.hi, k), hi: mul(x.lo, k) };
      return undefined;
    }
    case "floordiv":
    case "floormod": {
      if (usesAny(e.b, ranges) || !ana.canProve(gt(e.b, 0))) return undefined;
      if (e.op === "floordiv") return { lo: floordiv(a.lo, e.b), hi: floordiv(a.hi, e.b) };
      if (ana.canProveEqual(floordiv(a.lo, e.b), floordiv(a.hi, e.b))) {
        return { lo: floormod(a.lo, e.b), hi: floormod(a.hi, e.b) };
      }
      return { lo: int(0, e.dtype), hi: sub(e.b, int(1, e.dtype)) };
    }
  }
  return undefined;
}

function castLike(c: Extract<PrimExpr, { kind: "Cast" }>, x: PrimExpr): PrimExpr {
  return x.dtype === c.dtype ? x : { ...c, value: x };
}

/** Constant bounds of `e` with the relaxed variables bound to their ranges. */
function constantFallback(e: PrimExpr, ranges: RelaxRanges, ana: Analyzer): Interval | undefined {
  if (!isInt(e.dtype)) return undefined;
  const b = withRanges(ana, ranges, () => ana.constIntBound(e));
  if (!Number.isFinite(b.min) || !Number.isFinite(b.max)) return undefined;
  return { lo: int(b.min, e.dtype), hi: int(b.max, e.dtype) };
}

/** Run `fn` with the relaxed ranges bound in `ana` (undone afterwards). */
export function withRanges<T>(ana: Analyzer, ranges: RelaxRanges, fn: () => T): T {
  const entries = [...ranges];
  const step = (k: number): T =>
    k === entries.length ? fn() : ana.withBinding(entries[k][0], entries[k][1], () => step(k + 1));
  return step(0);
}

/** The smallest interval holding both (simplified; a proven order picks one end). */
export function unionInterval(a: Interval, b: Interval, ana: Analyzer): Interval {
  const lo = ana.canProve(le(a.lo, b.lo))
    ? a.lo
    : ana.canProve(le(b.lo, a.lo))
    ? b.lo
    : ana.simplify(min(a.lo, b.lo));
  const hi = ana.canProve(le(b.hi, a.hi))
    ? a.hi
    : ana.canProve(le(a.hi, b.hi))
    ? b.hi
    : ana.simplify(max(a.hi, b.hi));
  return { lo, hi };
}

/**
 * The hull `[lo, hi]` of range `r` (`[min, min + extent − 1]`) while the variables of `ranges`
 * run over theirs; undefined when an end has no interval.
 */
export function relaxRange(
  r: { readonly min: PrimExpr; readonly extent: PrimExpr },
  ranges: RelaxRanges,
  ana: Analyzer,
): Interval | undefined {
  const lo = relaxExpr(r.min, ranges, ana);
  const hi = lo && relaxExpr(sub(add(r.min, r.extent), int(1, r.min.dtype)), ranges, ana);
  return lo && hi && { lo: lo.lo, hi: hi.hi };
}

/** Options of `relaxRegion`. */
export interface RelaxRegionOptions {
  /**
   * Clip an end provably outside the buffer to its edge (a guarded block never touches more
   * than its buffer); an end that may or may not be outside is kept. Default false.
   */
  readonly clip?: boolean;
}

/**
 * A buffer region relaxed over `ranges`: each dimension covering every point any instance
 * touches; a dimension without an interval becomes the whole dimension. Returns `region` itself
 * when no dimension uses a relaxed variable.
 *
 * @example
 * ```ts
 * import { relaxRegion } from "./relax.ts";
 * import { Analyzer } from "../arith/mod.ts";
 * import { add, mul, variable } from "../expr.ts";
 * import { bufferRegion, decl, range } from "../stmt.ts";
 * const o = variable("o"), i = variable("i"), A = decl("A", [64]);
 * const r = relaxRegion(bufferRegion(A, [range(add(mul(o, 4), i), 1)]), new Map([[i, range(0, 4)]]), new Analyzer());
 * console.assert(r.region[0].extent.kind === "IntImm"); // A[o*4 +: 4]
 * ```
 */
export function relaxRegion(
  region: BufferRegion,
  ranges: RelaxRanges,
  ana: Analyzer,
  options: RelaxRegionOptions = {},
): BufferRegion {
  let changed = false;
  const out = region.region.map((r, d) => {
    if (!usesAny(r.min, ranges) && !usesAny(r.extent, ranges)) return r;
    changed = true;
    const dim = region.buffer.shape[d];
    const iv = relaxRange(r, ranges, ana);
    if (!iv) return range(int(0, dim.dtype), dim);
    let { lo, hi } = iv;
    if (options.clip) {
      const zero = int(0, lo.dtype), last = ana.simplify(sub(dim, int(1, dim.dtype)));
      if (!ana.canProve(ge(lo, zero)) && ana.canProve(le(lo, zero))) lo = zero;
      if (!ana.canProve(le(hi, last)) && ana.canProve(ge(hi, last))) hi = last;
    }
    return range(lo, ana.simplify(add(sub(hi, lo), int(1, lo.dtype))));
  });
  return changed ? bufferRegion(region.buffer, out) : region;
}
