/**
 * Regions: producers and consumers of a block (through declared read/write regions), index
 * ranges relaxed over loop ranges as symbolic intervals, and a block's read/write regions
 * recomputed from its body after a rewrite (TVM's block access-region detector).
 *
 * Intervals are inclusive `[lo, hi]` of expressions; a dimension that cannot be bounded
 * symbolically becomes the whole dimension.
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import {
  add,
  floordiv,
  ge,
  int,
  isConst,
  le,
  max,
  min,
  mul,
  type PrimExpr,
  sub,
  type Var,
} from "../../ir/expr.ts";
import { mapChildren, type Node } from "../../ir/node.ts";
import type { PrimFunc } from "../../ir/func.ts";
import {
  type Block,
  type Buffer,
  type BufferRegion,
  bufferRegion,
  type Range,
  range,
} from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { usesVar } from "./affine.ts";
import { childBlocks, findBlock } from "./find.ts";

/** An inclusive interval of expressions. */
export interface Interval {
  /** Least value. */
  readonly lo: PrimExpr;
  /** Greatest value. */
  readonly hi: PrimExpr;
}

/** Names of the sibling blocks (same parent block) that write a buffer `name` reads. */
export function producersOf(f: PrimFunc, name: string): string[] {
  return siblings(
    f,
    name,
    (me, other) => me.reads.some((r) => other.writes.some((w) => w.buffer === r.buffer)),
  );
}

/** Names of the sibling blocks (same parent block) that read a buffer `name` writes. */
export function consumersOf(f: PrimFunc, name: string): string[] {
  return siblings(
    f,
    name,
    (me, other) => me.writes.some((w) => other.reads.some((r) => r.buffer === w.buffer)),
  );
}

function siblings(f: PrimFunc, name: string, related: (me: Block, other: Block) => boolean) {
  const loc = findBlock(f, name);
  if (!loc) return [];
  const parent = [...loc.path].reverse().find((s) => s.kind === "BlockRealize");
  if (!parent) return [];
  return childBlocks(parent).map((r) => r.block)
    .filter((b) => b !== loc.block && related(loc.block, b)).map((b) => b.name);
}

/**
 * The interval of `e` when the variables of `vars` range over their ranges (others fixed).
 * Affine parts are exact; `floordiv`/`floormod` by positive constants, `min`/`max` are
 * handled; anything else using a relaxed variable falls back to constant bounds, or undefined.
 */
export function relaxExpr(
  e: PrimExpr,
  vars: ReadonlyMap<Var, Range>,
  ana: Analyzer,
): Interval | undefined {
  const point = (x: PrimExpr): Interval => ({ lo: x, hi: x });
  const go = (x: PrimExpr): Interval | undefined => {
    if (![...vars.keys()].some((v) => usesVar(x, v))) return point(x);
    if (x.kind === "Var") {
      const r = vars.get(x)!;
      return { lo: r.min, hi: sub(add(r.min, r.extent), 1) };
    }
    if (x.kind === "Binary") {
      const a = go(x.a), b = go(x.b);
      if (!a || !b) return fallback(x);
      switch (x.op) {
        case "add":
          return { lo: add(a.lo, b.lo), hi: add(a.hi, b.hi) };
        case "sub":
          return { lo: sub(a.lo, b.hi), hi: sub(a.hi, b.lo) };
        case "mul": {
          const [s, c] = isConst(b.lo) && b.lo === b.hi ? [a, b.lo] : [b, a.lo];
          if (!isConst(c) || (s === b && a.lo !== a.hi)) return fallback(x);
          return c.value >= 0
            ? { lo: mul(s.lo, c), hi: mul(s.hi, c) }
            : { lo: mul(s.hi, c), hi: mul(s.lo, c) };
        }
        case "floordiv":
          if (b.lo !== b.hi || !ana.canProve(ge(b.lo, 1))) return fallback(x);
          return { lo: floordiv(a.lo, b.lo), hi: floordiv(a.hi, b.lo) };
        case "floormod":
          if (b.lo !== b.hi || !ana.canProve(ge(b.lo, 1))) return fallback(x);
          if (ana.canProveEqual(floordiv(a.lo, b.lo), floordiv(a.hi, b.lo))) {
            return {
              lo: sub(a.lo, mul(floordiv(a.lo, b.lo), b.lo)),
              hi: sub(a.hi, mul(floordiv(a.lo, b.lo), b.lo)),
            };
          }
          return { lo: int(0, x.dtype), hi: sub(b.lo, 1) };
        case "min":
          return { lo: min(a.lo, b.lo), hi: min(a.hi, b.hi) };
        case "max":
          return { lo: max(a.lo, b.lo), hi: max(a.hi, b.hi) };
      }
    }
    return fallback(x);
  };
  const fallback = (x: PrimExpr): Interval | undefined => {
    const b = ana.constIntBound(x);
    return Number.isFinite(b.min) && Number.isFinite(b.max)
      ? { lo: int(b.min, x.dtype), hi: int(b.max, x.dtype) }
      : undefined;
  };
  const r = go(e);
  return r && { lo: ana.simplify(r.lo), hi: ana.simplify(r.hi) };
}

/** `region` relaxed over `vars`: each dimension's hull (whole dimension when unbounded). */
export function relaxRegion(
  region: BufferRegion,
  vars: ReadonlyMap<Var, Range>,
  ana: Analyzer,
): BufferRegion {
  return bufferRegion(
    region.buffer,
    region.region.map((r, d) => {
      const lo = relaxExpr(r.min, vars, ana);
      const hi = relaxExpr(sub(add(r.min, r.extent), 1), vars, ana);
      const dim = region.buffer.shape[d];
      if (!lo || !hi) return range(0, dim);
      // a guarded block (non-dividing split) touches no more than its buffer: clip to it
      const zero = int(0, lo.lo.dtype), last = sub(dim, 1);
      const l = !ana.canProve(ge(lo.lo, zero)) && ana.canProve(le(lo.lo, zero)) ? zero : lo.lo;
      const h = !ana.canProve(le(hi.hi, last)) && ana.canProve(ge(hi.hi, last)) ? last : hi.hi;
      return range(ana.simplify(l), ana.simplify(add(sub(h, l), 1)));
    }),
  );
}

/** The hull of regions of one buffer, dimension by dimension. */
export function unionRegions(regions: readonly BufferRegion[], ana: Analyzer): BufferRegion {
  const [first, ...rest] = regions;
  return bufferRegion(
    first.buffer,
    first.region.map((r0, d) => {
      let lo = r0.min, hi = sub(add(r0.min, r0.extent), 1);
      for (const r of rest) {
        const l = r.region[d].min, h = sub(add(l, r.region[d].extent), 1);
        lo = ana.canProve(le(lo, l)) ? lo : ana.canProve(le(l, lo)) ? l : min(lo, l);
        hi = ana.canProve(le(h, hi)) ? hi : ana.canProve(le(hi, h)) ? h : max(hi, h);
      }
      return range(ana.simplify(lo), ana.simplify(add(sub(hi, lo), 1)));
    }),
  );
}

/**
 * The read and write regions of a block recomputed from its body (and init): direct accesses
 * are relaxed over the loops inside the block, nested blocks contribute their declared regions
 * (bindings substituted) relaxed the same way. Buffers the block allocates are left out.
 */
export function accessRegions(
  blk: Block,
  ana: Analyzer,
): { reads: BufferRegion[]; writes: BufferRegion[] } {
  const reads = new Map<Buffer, BufferRegion[]>(), writes = new Map<Buffer, BufferRegion[]>();
  const loops = new Map<Var, Range>();
  const note = (into: Map<Buffer, BufferRegion[]>, r: BufferRegion) => {
    if (blk.allocBuffers.includes(r.buffer)) return;
    const relaxed = relaxRegion(r, loops, ana);
    into.set(r.buffer, [...(into.get(r.buffer) ?? []), relaxed]);
  };
  const point = (b: Buffer, idx: readonly PrimExpr[]) =>
    bufferRegion(b, idx.map((i) => range(i, 1)));
  const go = (n: Node): void => {
    if (n.kind === "For") {
      go(n.min);
      go(n.extent);
      loops.set(n.loopVar, range(n.min, n.extent));
      go(n.body);
      loops.delete(n.loopVar);
      return;
    }
    if (n.kind === "BlockRealize") {
      const map = new Map(n.block.iterVars.map((iv, k) => [iv.v, n.iterValues[k]]));
      for (const r of n.block.reads) note(reads, substitute(r, map));
      for (const w of n.block.writes) note(writes, substitute(w, map));
      return;
    }
    if (n.kind === "BufferLoad") note(reads, point(n.buffer, n.indices));
    if (n.kind === "BufferStore") note(writes, point(n.buffer, n.indices));
    mapChildren(n, (c) => {
      if (c.kind !== "Buffer") go(c);
      return c;
    });
  };
  if (blk.init) go(blk.init);
  go(blk.body);
  const done = (m: Map<Buffer, BufferRegion[]>) =>
    [...m.values()].map((rs) => unionRegions(rs, ana));
  return { reads: done(reads), writes: done(writes) };
}

/** `blk` with its read/write regions recomputed from its body (`accessRegions`). */
export function withAccessRegions(blk: Block, ana: Analyzer): Block {
  const { reads, writes } = accessRegions(blk, ana);
  return { ...blk, reads, writes };
}
