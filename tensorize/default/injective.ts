/**
 * The injective rule (elementwise, broadcast, layout changes): fuse the trailing loops along
 * which every access stays contiguous (all of them when operands have the output's shape), split
 * the fused loop by the vector width and vectorize it, then fuse and parallelize the outer loops
 * when the work is large enough.
 *
 * ```text
 * for i in 0..7 { for j in 0..13 { for k in 0..5 {      for f_0 in 0..57 (parallel) {
 *   B[i, j, k] = A[i, j, k] · 2                →           for f_1 in 0..8 (vectorized) {
 *                                                             B[…] = A[…] · 2  where f_0·8 + f_1 < 455
 * ```
 *
 * Transpose-like blocks (an operand read with a stride along the output's innermost axis)
 * are only parallelized: their loads would be gathers.
 *
 * @module
 */
import type { Schedule } from "../schedule.ts";
import type { LoopRV } from "../rv.ts";
import { accessUse, type BlockInfo } from "./block_info.ts";
import {
  fusableTail,
  parallelizeOuter,
  splitsSymbolic,
  splitVectorize,
  vectorFactor,
  workEstimate,
  workOf,
} from "./loops.ts";
import { type RuleContext, type ScheduleRule, vectorLanes } from "./rule.ts";

/**
 * How many trailing axes fuse into one contiguous loop (0 when the innermost cannot). With
 * threads and enough work (`workEstimate`), a tail with a symbolic axis stops short of it when the known axes after it fill a
 * vector: its guarded loop could not fuse with the loops above, so the symbolic axis stays
 * outside to fuse into the parallel loop (`[batch, seq, 128]`: tail `128`, parallel
 * `batch·seq·(128/16)`, rather than the tail `seq·128` under a parallel `batch` of 1).
 */
function tailLength(b: BlockInfo, ctx: RuleContext): number {
  let m = 0;
  while (m < b.axes.length && fusableTail(b, m + 1)) m++;
  if (ctx.threads <= 1 || !splitsSymbolic(workEstimate(b), ctx)) return m;
  const n = b.axes.length, lanes = vectorLanes(b.store.buffer.dtype, ctx.vectorBytes);
  let known = 0, product = 1;
  while (known < m && b.axes[n - 1 - known].extent !== undefined) {
    product *= b.axes[n - 1 - known].extent!;
    known++;
  }
  return known < m && known > 0 && product >= 2 * lanes ? known : m;
}

function apply(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  const loops = sch.getLoops(sch.getBlock(b.name));
  const n = b.axes.length;
  if (n === 0) return false;
  const lanes = vectorLanes(b.store.buffer.dtype, ctx.vectorBytes);
  const innermost = b.axes[n - 1].iter.v;
  const stores = accessUse(b.store.indices, innermost) === "contiguous";
  const m = stores && b.kind === "injective" ? tailLength(b, ctx) : 0;
  const outer: LoopRV[] = loops.slice(0, n - m);
  const extents = b.axes.slice(0, n - m).map((a) => a.extent);
  let changed = false;
  if (m > 0) {
    const tail = b.axes.slice(n - m);
    const extent = tail.every((a) => a.extent !== undefined)
      ? tail.reduce((p, a) => p * a.extent!, 1)
      : undefined;
    const factor = vectorFactor(extent, lanes);
    if (factor !== undefined) {
      const fused = m === 1 ? loops[n - 1] : sch.fuse(...loops.slice(n - m));
      const [vo] = splitVectorize(sch, fused, factor);
      // A loop guarded by a tail predicate may go parallel, but not fuse with the loops above.
      const exact = extent !== undefined && extent % factor === 0;
      if (exact || outer.length === 0) {
        outer.push(vo);
        extents.push(extent === undefined ? undefined : Math.ceil(extent / factor));
      }
      changed = true;
    }
  }
  if (!changed) {
    // No vector loop: keep the innermost loop serial and parallelize around it.
    outer.pop();
    extents.pop();
  }
  const par = parallelizeOuter(sch, outer, extents, workOf(b), ctx, workEstimate(b));
  return changed || par !== undefined;
}

/**
 * The rule.
 *
 * @example
 * ```ts
 * import { injectiveRule } from "./injective.ts";
 * console.assert(injectiveRule.kinds.includes("injective"));
 * ```
 */
export const injectiveRule: ScheduleRule = {
  name: "injective",
  kinds: ["injective", "transpose"],
  apply,
};
