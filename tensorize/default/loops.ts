/**
 * Loop recipes the rules share: split a loop by a vector width and vectorize the inner part
 * (with a guarded tail when the width does not divide), fuse trailing loops that stay contiguous,
 * and fuse + parallelize a run of outer spatial loops of a block when its work is large enough
 * (past symbolic batch/sequence loops when they would leave the parallel loop one iteration).
 *
 * @module
 */
import { ScheduleError } from "../../ir/errors.ts";
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
 * Parallelize a run of `loops` (a perfect nest of spatial loops from the top of the block's
 * nest, with `extents`, undefined where symbolic), fused into one loop (`parallelGroup`): the
 * leading loops when their known extents give the threads enough iterations (8 a thread), as
 * before; when a symbolic loop (batch, sequence: often 1 in graph kernels) stands in the way, a
 * later run of known extent, inside the loops before it (which stay serial):
 *
 * ```text
 * [64, 32, j₀]              →  64 parallel                       (constant: as always)
 * [batch, j₀ (32)]          →  fuse(batch, j₀) parallel
 * [batch, seq₀, j₀ (32)]    →  batch { seq₀ parallel { j₀ … } }   (was: batch, 1 iteration)
 * [batch, 4, i₀, j₀]        →  fuse(batch, 4) parallel
 * ```
 *
 * Only a group's first loop may be symbolic: the schedule cannot prove a symbolic divisor of a
 * fused index positive; a later symbolic loop goes parallel alone. A symbolic block whose
 * `estimate` (`workEstimate`: symbolic extents as 8) is below `minParallelWork` keeps the
 * leading loops up to the first symbolic one (at batch 1 a direct call, no dispatch) unless
 * `splitsSymbolic`: the transformer's 32×32 projections at sequence 32 ran 8 → 13 µs on one
 * thread with their sequence loop parallel (a `tsr_parallel_for` call instead of a direct one). When the group cannot fuse (`ScheduleError`), its first loop goes
 * parallel alone. Does nothing on one thread, when the block's work is known to be small, or
 * when the known extents are too short for the threads. Returns the parallel loop.
 */
export function parallelizeOuter(
  sch: Schedule,
  loops: readonly LoopRV[],
  extents: readonly (number | undefined)[],
  work: number | undefined,
  ctx: RuleContext,
  estimate = Infinity,
): LoopRV | undefined {
  if (ctx.threads <= 1 || loops.length === 0) return undefined;
  if (work !== undefined && work < ctx.minParallelWork) return undefined;
  const g = work === undefined && !splitsSymbolic(estimate, ctx)
    ? leadingGroup(extents)
    : parallelGroup(extents, ctx.threads);
  if (!g) return undefined;
  const [s, e] = g;
  let par: LoopRV;
  try {
    par = e - s === 1 ? loops[s] : sch.fuse(...loops.slice(s, e));
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    par = loops[s];
  }
  sch.parallel(par);
  return par;
}

/** The leading loops up to the first symbolic one, as `[0, end)` (undefined: fewer than 2). */
function leadingGroup(extents: readonly (number | undefined)[]): [number, number] | undefined {
  let e = 0, product = 1;
  while (e < extents.length && product < 16) {
    product = extents[e] === undefined ? Infinity : product * extents[e]!;
    e++;
  }
  return product >= 2 ? [0, e] : undefined;
}

/**
 * The work of a block's nest with each symbolic extent taken as 8: what the schedule assumes of
 * a block whose sizes it does not know when choosing its parallel loop (`parallelizeOuter`).
 */
export function workEstimate(b: BlockInfo): number {
  return b.axes.reduce((w, a) => w * (a.extent ?? 8), 1);
}

/**
 * Whether a block of symbolic sizes with `estimate` (`workEstimate`) has the work to split past
 * its leading loops: at least 64 × `minParallelWork` (2²¹ by default). At batch 1 the runtime
 * dispatches any loop of 16 K element operations, and on this 2-core machine a dispatch cost more
 * than it saved for the model kernels measured: the conformance cnn's 3×3 convs (8 channels at
 * 16×16, estimate 2¹⁹) ran 37 → 51 µs on 2 threads, the transformer's 32 → 32 projections (2¹⁶)
 * 8 → 13 µs on one. A dense 128 → 512 (2²²) splits.
 */
export function splitsSymbolic(estimate: number, ctx: RuleContext): boolean {
  return estimate >= 64 * ctx.minParallelWork;
}

/**
 * The loops `[start, end)` of `extents` (undefined: symbolic) to fuse into the parallel loop, or
 * undefined when none is worth it. A group from `s` runs on while its known extents' product is
 * below `8 × threads` and the next extent is known. With every extent known, the first group
 * when it reaches `threads` (as always). Else the first group when it reaches `2 × threads`;
 * else the first later loop that is symbolic (alone: fused with the known loops inside it, its
 * index would need a `⌊f/c⌋`, `f mod c` per iteration — a row reduction of 32 × 32 ran 7 → 11 µs
 * that way) or starts a known group that reaches `2 × threads`; else the first group.
 *
 * @example
 * ```ts
 * import { parallelGroup } from "./loops.ts";
 * const u = undefined;
 * console.assert(String(parallelGroup([64, 32], 2)) === "0,1");
 * console.assert(String(parallelGroup([u, u, 32, 4], 2)) === "1,2");
 * console.assert(String(parallelGroup([u, 4, 8, 4], 2)) === "0,3");
 * console.assert(parallelGroup([1, 1], 2) === undefined);
 * ```
 */
export function parallelGroup(
  extents: readonly (number | undefined)[],
  threads: number,
): [number, number] | undefined {
  const group = (s: number): [number, number, number] => {
    let e = s + 1, known = extents[s] ?? 1;
    while (e < extents.length && known < 8 * threads && extents[e] !== undefined) {
      known *= extents[e++]!;
    }
    return [s, e, known];
  };
  const first = group(0);
  if (!extents.includes(undefined)) return first[2] >= threads ? [0, first[1]] : undefined;
  if (first[2] >= 2 * threads) return [0, first[1]];
  for (let s = 1; s < extents.length; s++) {
    if (extents[s] === undefined) return [s, s + 1];
    const [, e, known] = group(s);
    if (known >= 2 * threads) return [s, e];
  }
  return [0, first[1]];
}
