/**
 * Read regions recomputed from a block's accesses after a rewrite changed what it loads (inlining):
 * per buffer, the indices of every load; per dimension, a range from the least to the greatest
 * when the indices differ by constants, else the whole dimension (as `ir/te.ts` declares them).
 * A block holding blocks takes their regions (`regions.ts`).
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, int, type PrimExpr, sub } from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import {
  type Block,
  type Buffer,
  type BufferRegion,
  bufferRegion,
  range,
  type Stmt,
} from "../../ir/stmt.ts";
import { childBlocks } from "./find.ts";
import { accessRegions } from "./regions.ts";

/** Indices of every load of each buffer in `stmts` (not entering nested blocks). */
export function loadsOf(stmts: readonly Stmt[]): Map<Buffer, PrimExpr[][]> {
  const out = new Map<Buffer, PrimExpr[][]>();
  for (const s of stmts) {
    visit(s, (n) => {
      if (n.kind === "BlockRealize") return false;
      if (n.kind === "BufferLoad") {
        const list = out.get(n.buffer) ?? [];
        list.push([...n.indices]);
        out.set(n.buffer, list);
      }
    });
  }
  return out;
}

/** The region covering every index tuple of `list`. */
export function hullRegion(buf: Buffer, list: readonly PrimExpr[][], ana: Analyzer): BufferRegion {
  return bufferRegion(
    buf,
    buf.shape.map((dim, d) => {
      const first = list[0][d];
      let lo = 0, hi = 0;
      for (const idx of list) {
        const diff = ana.simplify(sub(idx[d], first));
        if (diff.kind !== "IntImm") return range(int(0, dim.dtype), dim);
        lo = Math.min(lo, diff.value);
        hi = Math.max(hi, diff.value);
      }
      return range(ana.simplify(add(first, lo)), hi - lo + 1);
    }),
  );
}

/**
 * `b`'s read regions with those of `changed` buffers recomputed from its loads (dropped when it
 * no longer loads them); other regions are kept in place. A block holding blocks (the outer block
 * of `blockize`) takes their declared regions instead, relaxed over the loops between.
 */
export function refreshReads(
  b: Block,
  changed: ReadonlySet<Buffer>,
  ana: Analyzer,
): BufferRegion[] {
  const loads = loadsOf(b.init ? [b.init, b.body] : [b.body]);
  const nested = childBlocks(b).length > 0
    ? new Map(accessRegions(b, ana).reads.map((r) => [r.buffer, r]))
    : undefined;
  const regionOf = (buf: Buffer): BufferRegion | undefined =>
    nested ? nested.get(buf) : loads.has(buf) ? hullRegion(buf, loads.get(buf)!, ana) : undefined;
  const out: BufferRegion[] = [];
  const done = new Set<Buffer>();
  for (const r of b.reads) {
    if (!changed.has(r.buffer)) out.push(r);
    else if (!done.has(r.buffer)) {
      const fresh = regionOf(r.buffer);
      if (fresh) out.push(fresh);
    }
    done.add(r.buffer);
  }
  for (const buf of changed) {
    const fresh = done.has(buf) ? undefined : regionOf(buf);
    if (fresh) out.push(fresh);
  }
  return out;
}
