/**
 * Subspace division (TVM's `SubspaceDivide`, for the cases schedules produce): split each block
 * binding into a part over the outer loops and a part over the inner loops,
 *
 *   binding = base + outer · E_inner + inner,   inner ∈ [0, E_inner), outer ∈ [0, E_outer),
 *
 * so that a loop nest can become an outer block (iterating the outer parts) around an inner
 * block (iterating the inner parts). A binding over only one side is that side whole. A binding
 * over both must be an affine fused/split map (`detectIterMap`) whose pieces over inner loops
 * are exactly its low digits.
 *
 * @module
 */
import {
  type Analyzer,
  detectIterMap,
  formatExpr,
  type IterMark,
  type IterSplit,
} from "../../ir/arith/mod.ts";
import { add, floordiv, floormod, int, mul, type PrimExpr, sub, type Var } from "../../ir/expr.ts";
import type { Range } from "../../ir/stmt.ts";
import { usesVar } from "./affine.ts";

/** One binding divided. */
export type Division =
  | { readonly kind: "outer"; readonly value: PrimExpr }
  | { readonly kind: "inner"; readonly value: PrimExpr }
  | {
    readonly kind: "mixed";
    /** Constant part. */
    readonly base: PrimExpr;
    /** The outer part, over the outer loops, in `[0, outerExtent)`. */
    readonly outer: PrimExpr;
    /** Its number of values. */
    readonly outerExtent: PrimExpr;
    /** The inner part, over the inner loops, in `[0, innerExtent)`. */
    readonly inner: PrimExpr;
    /** Its number of values. */
    readonly innerExtent: PrimExpr;
  };

interface Piece {
  readonly v: Var;
  readonly min: PrimExpr;
  readonly lowerFactor: PrimExpr;
  readonly extent: PrimExpr;
  readonly scale: PrimExpr;
}

/** Why a binding does not divide. */
export class NotDivisible extends Error {}

/**
 * Divide `binding` between `inner` loop variables and the others (`domains` holds the ranges of
 * every loop variable it may use). Throws `NotDivisible` with the reason.
 */
export function divideBinding(
  binding: PrimExpr,
  inner: ReadonlySet<Var>,
  domains: ReadonlyMap<Var, Range>,
  ana: Analyzer,
): Division {
  const used = [...domains.keys()].filter((v) => usesVar(binding, v));
  const usesInner = used.some((v) => inner.has(v));
  const usesOuter = used.some((v) => !inner.has(v));
  if (!usesInner) return { kind: "outer", value: binding };
  if (!usesOuter) return { kind: "inner", value: binding };
  const r = detectIterMap([binding], new Map(used.map((v) => [v, domains.get(v)!])), ana);
  if (!r.ok) throw new NotDivisible(`${formatExpr(binding)} is not affine: ${r.reason}`);
  const sum = r.indices[0];
  const top = sum.args[0];
  if (!ana.canProveEqual(top.scale, 1)) {
    throw new NotDivisible(
      `${formatExpr(binding)} scales its iterators by ${formatExpr(top.scale)}`,
    );
  }
  const pieces = flatten(top, int(1, binding.dtype), ana, binding);
  const isInner = (p: Piece) => inner.has(p.v);
  // pieces come largest scale first; the inner ones must be the low digits
  const firstInner = pieces.findIndex(isInner);
  if (pieces.slice(firstInner).some((p) => !isInner(p))) {
    throw new NotDivisible(
      `${formatExpr(binding)} interleaves outer and inner loops (an outer loop below an inner one)`,
    );
  }
  const outerPieces = pieces.slice(0, firstInner), innerPieces = pieces.slice(firstInner);
  const innerExtent = ana.simplify(
    innerPieces.reduce<PrimExpr>((p, x) => mul(p, x.extent), int(1, binding.dtype)),
  );
  const outerExtent = ana.simplify(
    outerPieces.reduce<PrimExpr>((p, x) => mul(p, x.extent), int(1, binding.dtype)),
  );
  // a piece's digit: ⌊(v − min) / lowerFactor⌋ mod extent (the analyzer drops what is trivial)
  const value = (p: Piece) => {
    const shifted = sub(p.v, p.min);
    const d = ana.canProveEqual(p.lowerFactor, 1) ? shifted : floordiv(shifted, p.lowerFactor);
    const top = ana.canProveEqual(mul(p.lowerFactor, p.extent), domains.get(p.v)!.extent);
    return top ? d : floormod(d, p.extent);
  };
  const innerValue = innerPieces.reduce<PrimExpr>(
    (s, p) => add(s, mul(value(p), p.scale)),
    int(0, binding.dtype),
  );
  const outerValue = outerPieces.reduce<PrimExpr>(
    (s, p) => add(s, mul(value(p), floordiv(p.scale, innerExtent))),
    int(0, binding.dtype),
  );
  return {
    kind: "mixed",
    base: sum.base,
    outer: ana.simplify(outerValue),
    outerExtent,
    inner: ana.simplify(innerValue),
    innerExtent,
  };
}

/** The pieces of a split, over domain variables, largest scale first. */
function flatten(s: IterSplit, scale: PrimExpr, ana: Analyzer, binding: PrimExpr): Piece[] {
  const m: IterMark = s.source;
  const sc = ana.simplify(mul(s.scale, scale));
  if (m.source.kind === "Var") {
    return [{ v: m.source, min: m.min, lowerFactor: s.lowerFactor, extent: s.extent, scale: sc }];
  }
  const whole = ana.canProveEqual(s.lowerFactor, 1) && ana.canProveEqual(s.extent, m.extent);
  if (!whole) {
    throw new NotDivisible(`${formatExpr(binding)} splits a fused iterator (not a whole digit)`);
  }
  return m.source.args.flatMap((a) => flatten(a, sc, ana, binding));
}
