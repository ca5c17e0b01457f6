/**
 * Loop recipes the rules share: split a loop by a vector width and vectorize the inner part
 * (with a guarded tail when the width does not divide), fuse trailing loops that stay contiguous,
 * and fuse + parallelize the outer spatial loops of a block when its work is large enough.
 *
 * @module
 */
import type { Schedule } from "../schedule.ts";
import type { LoopRV } from "../rv.ts";
import { accessesOf, accessUse, type BlockInfo, coefficientOf } from "./block_info.ts";
import type { RuleContext } from "./rule.ts";

/**
 * The factor to split a loop of `extent` by for vectors of `lanes` elements: the widest of
 * 4, 2 and 1 vectors (at most 16 elements) that divides the extent, else the widest that fits
 * (the tail is guarded), else undefined when the loop is shorter than one vector. A symbolic
 * extent gets two vectors.
 *
 * @example
 * ```ts
 * import { vectorFactor } from "./loops.ts";
 * console.assert(vectorFactor(64, 4) === 16 && vectorFactor(24, 4) === 8);
 * console.assert(vectorFactor(13, 4) === 8 && vectorFactor(3, 4) === undefined);
 * ```
 */
export function vectorFactor(extent: number | undefined, lanes: number): number | undefined {
  if (lanes < 2) return undefined;
  const widths = [4, 2, 1].map((m) => m * lanes).filter((w) => w <= Math.max(16, lanes));
  if (extent === undefined) return widths.find((w) => w <= 2 * lanes) ?? lanes;
  if (extent < lanes) return undefined;
  return widths.find((w) => w <= extent && extent % w === 0) ?? widths.find((w) => w <= extent);
}

/**
 * The factor (from `preferred` down to 2) that divides `extent`, else `preferred` (the tail is
 * guarded), or undefined when the loop is too short to tile.
 */
export function tileFactor(extent: number | undefined, preferred: number): number | undefined {
  if (extent === undefined) return preferred;
  if (extent < 2) return undefined;
  for (let f = Math.min(preferred, extent); f >= 2; f--) if (extent % f === 0) return f;
  return Math.min(preferred, extent);
}

/** Split `loop` by `factor` and vectorize the inner loop; returns `[outer, inner]`. */
export function splitVectorize(sch: Schedule, loop: LoopRV, factor: number): [LoopRV, LoopRV] {
  const [outer, inner] = sch.split(loop, [undefined, factor]);
  sch.vectorize(inner);
  return [outer, inner];
}

/**
 * Whether the last `m` axes of the block can be fused into one loop along which every access
 * stays contiguous: each access uses none of them, or has them (each with coefficient 1, plus
 * terms free of them) as its last `m` indices, in order, over trailing dimensions whose lengths
 * are the axes' extents (all but the first of the `m`).
 */
export function fusableTail(b: BlockInfo, m: number): boolean {
  const tail = b.axes.slice(b.axes.length - m);
  if (m < 1 || tail.length < m || tail.some((a) => a.reduce)) return false;
  if (tail.slice(1).some((a) => a.extent === undefined)) return false;
  const vars = tail.map((a) => a.iter.v);
  return accessesOf(b).every(({ buffer, indices }) => {
    const n = indices.length;
    if (vars.every((v) => accessUse(indices, v) === "none")) return true;
    if (n < m) return false;
    const head = indices.slice(0, n - m);
    if (head.some((e) => vars.some((v) => coefficientOf(e, v) !== 0))) return false;
    return vars.every((_v, t) => {
      const e = indices[n - m + t];
      if (vars.some((w, u) => coefficientOf(e, w) !== (u === t ? 1 : 0))) return false;
      if (t === 0) return true;
      const dim = buffer.shape[n - m + t];
      return dim.kind === "IntImm" && dim.value === tail[t].extent;
    });
  });
}

/** The total iterations of a block's nest, or undefined when an extent is symbolic. */
export function workOf(b: BlockInfo): number | undefined {
  let w = 1;
  for (const a of b.axes) {
    if (a.extent === undefined) return undefined;
    w *= a.extent;
  }
  return w;
}

/**
 * Fuse a prefix of `loops` (a perfect nest of spatial loops from the top of the block's nest,
 * with `extents`) until it has enough iterations for the threads, and parallelize it. Does
 * nothing on one thread or when the block's work is known to be small. Returns the parallel
 * loop.
 */
export function parallelizeOuter(
  sch: Schedule,
  loops: readonly LoopRV[],
  extents: readonly (number | undefined)[],
  work: number | undefined,
  ctx: RuleContext,
): LoopRV | undefined {
  if (ctx.threads <= 1 || loops.length === 0) return undefined;
  if (work !== undefined && work < ctx.minParallelWork) return undefined;
  let n = 0, product = 1;
  while (n < loops.length && product < 8 * ctx.threads) {
    const e = extents[n];
    product = e === undefined ? Infinity : product * e;
    n++;
  }
  if (product < ctx.threads) return undefined;
  const fused = n === 1 ? loops[0] : sch.fuse(...loops.slice(0, n));
  sch.parallel(fused);
  return fused;
}
