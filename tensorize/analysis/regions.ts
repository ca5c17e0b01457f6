/**
 * Regions: producers and consumers of a block (through declared read/write regions), and a
 * block's read/write regions recomputed from its body after a rewrite (TVM's block access-region
 * detector), relaxed over the loops inside it with `ir/transform/relax.ts`; a dimension that
 * cannot be bounded symbolically becomes the whole dimension.
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, type PrimExpr, sub, type Var } from "../../ir/expr.ts";
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
import { type Interval, relaxRegion, unionInterval } from "../../ir/transform/relax.ts";
import { childBlocks, findBlock } from "./find.ts";

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

/** The hull of regions of one buffer, dimension by dimension. */
export function unionRegions(regions: readonly BufferRegion[], ana: Analyzer): BufferRegion {
  const [first, ...rest] = regions;
  const hull = (r: Range): Interval => ({ lo: r.min, hi: sub(add(r.min, r.extent), 1) });
  return bufferRegion(
    first.buffer,
    first.region.map((r0, d) => {
      const { lo, hi } = rest.reduce((u, r) => unionInterval(u, hull(r.region[d]), ana), hull(r0));
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
    const relaxed = relaxRegion(r, loops, ana, { clip: true });
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
