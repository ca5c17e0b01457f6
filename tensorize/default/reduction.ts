/**
 * The reduction rule (pooling, reductions, and multiply-accumulate blocks without a row axis
 * such as depthwise conv), in two shapes:
 *
 * - **spatial-inner**: the output's innermost axis `v` is read contiguously (or not at all) by
 *   every operand: the reduction loops move above a vector loop over `v`, so each vector of
 *   accumulators stays in registers for the whole reduction — or, for a long reduction over a
 *   long output row (a GEMV `C[j] += a[k]·B[k, j]`), above the whole row, so `B` streams once.
 *
 *   ```text
 *   for y, x, r, s: P[y, x] = max(P[y, x], X[y + r, x + s])
 *     →  for y, x₀ (parallel …) { for r, s { for x₁ (vectorized) { … } } }
 *   ```
 *
 * - **row reduction** (the innermost loop reduces, and every operand reads along it contiguously
 *   or not at all, as `Σ exp(x[i, k] − m[i])` reads `m`): split it by the
 *   vector width and `rfactor` the inner part, so vector partial sums accumulate in
 *   `<buffer>_rf`, which a short write-back reduces. A symbolic length (softmax over `seq`)
 *   splits by one vector width with a guarded tail.
 *
 *   ```text
 *   for i, k: S[i] += X[i, k]   →   for i, k₀ { for k₁ (vectorized) { S_rf[i, k₁] += X[i, k₀·8 + k₁] } }
 *                                   for i, k₁ { S[i] += S_rf[i, k₁] }
 *   ```
 *
 * Outer spatial loops go parallel when the work is large enough.
 *
 * @module
 */
import "../primitives/rfactor.ts";
import type { Schedule } from "../schedule.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { accessUse, type BlockInfo, innerOutputVar } from "./block_info.ts";
import { parallelizeOuter, vectorFactor, workEstimate, workOf } from "./loops.ts";
import { type RuleContext, type ScheduleRule, vectorLanes } from "./rule.ts";

function spatialInner(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  const spatial = b.axes.filter((a) => !a.reduce);
  const v = innerOutputVar(b.store, spatial.map((a) => a.iter.v));
  if (!v || b.loads.some((l) => accessUse(l.indices, v) === "strided")) return false;
  const t = b.axes.findIndex((a) => a.iter.v === v);
  const lanes = vectorLanes(b.store.buffer.dtype, ctx.vectorBytes);
  const f = vectorFactor(b.axes[t].extent, lanes);
  if (f === undefined) return false;
  const loops = sch.getLoops(sch.getBlock(b.name));
  const [vo, vi] = sch.split(loops[t], [undefined, f]);
  const outer: LoopRV[] = [], extents: (number | undefined)[] = [], reduce: LoopRV[] = [];
  b.axes.forEach((a, k) => {
    if (a.reduce) return void reduce.push(loops[k]);
    if (k === t) return;
    outer.push(loops[k]);
    extents.push(a.extent);
  });
  if (streamsRows(b, t)) {
    // A long reduction over rows of a vector operand (a GEMV): stream each row once, across
    // the whole output row (kept in L1), instead of walking down columns a tile at a time.
    sch.reorder(...outer, ...reduce, vo, vi);
  } else {
    const e = b.axes[t].extent;
    outer.push(vo);
    extents.push(e === undefined ? undefined : Math.ceil(e / f));
    sch.reorder(...outer, ...reduce, vi);
  }
  sch.vectorize(vi);
  parallelizeOuter(sch, outer, extents, workOf(b), ctx, workEstimate(b));
  return true;
}

/** Output elements along the vector axis that stay in L1 while a reduction streams rows. */
const ROW_ELEMENTS = 8192;

/**
 * Whether the reduction is long (≥ 64 steps) and the vector axis `t` is long but short enough
 * for its output row to stay in L1: then rows of the operands are streamed, reductions outside.
 */
function streamsRows(b: BlockInfo, t: number): boolean {
  const e = b.axes[t].extent;
  const steps = b.axes.filter((a) => a.reduce).reduce((p, a) => p * (a.extent ?? 1 << 20), 1);
  return e !== undefined && e >= 256 && e <= ROW_ELEMENTS && steps >= 64;
}

/**
 * How many partial results a row reduction of `extent` keeps (a multiple of `lanes`), or
 * undefined when the row is shorter than two vectors. The partials are combined one by one
 * afterwards, so short rows keep one vector of them; long rows keep up to four vectors, enough
 * independent accumulators to hide the add latency. Measured on cpu (float32, sums of rows):
 *
 * | row | 4 partials | 8    | 16   |
 * | --- | ---------- | ---- | ---- |
 * | 32  | **4.2 µs** (1024 rows) | 5.6 | 9.4 |
 * | 64  | **3.6** (512 rows) | 5.5 | 5.8 |
 * | 128 | 4.0 (256 rows) | **3.5** | 4.1 |
 * | 768 | 20.2 (128 rows) | 11.3 | **8.6** |
 *
 * At least two partials a lane, so the partial-result block keeps a reduction loop; a width
 * that does not divide the row leaves a guarded tail, as does a symbolic row (one vector).
 */
export function partialWidth(extent: number | undefined, lanes: number): number | undefined {
  if (lanes < 2) return undefined;
  if (extent === undefined) return lanes;
  const vectors = extent >= 64 * lanes ? 4 : extent >= 32 * lanes ? 2 : 1;
  let f = Math.min(vectors * lanes, Math.max(16, lanes));
  while (f > lanes && extent % f !== 0) f /= 2;
  if (extent >= 2 * f) return f;
  return extent >= 2 * lanes ? lanes : undefined;
}

/**
 * Split the innermost loop of a row reduction (every operand reads along it contiguously or not
 * at all) by a vector width and rfactor the inner part: the block computing the vector of
 * partial results (its last loop is the vector loop), or undefined when the block is not such
 * a reduction or its row is shorter than two vectors.
 */
export function rfactorRow(sch: Schedule, b: BlockInfo, ctx: RuleContext): BlockRV | undefined {
  const n = b.axes.length;
  const last = b.axes[n - 1];
  if (!last?.reduce) return undefined;
  const r = last.iter.v;
  if (b.loads.some((l) => accessUse(l.indices, r) === "strided")) return undefined;
  const lanes = vectorLanes(b.loads[0]?.dtype ?? b.store.buffer.dtype, ctx.vectorBytes);
  const f = partialWidth(last.extent, lanes);
  if (f === undefined) return undefined;
  const loops = sch.getLoops(sch.getBlock(b.name));
  const [, inner] = sch.split(loops[n - 1], [undefined, f]);
  return sch.rfactor(inner, b.store.indices.length);
}

function rowReduction(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  const rf = rfactorRow(sch, b, ctx);
  if (!rf) return false;
  const rfLoops = sch.getLoops(rf);
  sch.vectorize(rfLoops[rfLoops.length - 1]);
  const spatial = b.axes.filter((a) => !a.reduce);
  const extents = spatial.map((a) => a.extent);
  parallelizeOuter(sch, rfLoops.slice(0, spatial.length), extents, workOf(b), ctx, workEstimate(b));
  return true;
}

/**
 * The rule.
 *
 * @example
 * ```ts
 * import { reductionRule } from "./reduction.ts";
 * console.assert(reductionRule.kinds.includes("pool"));
 * ```
 */
export const reductionRule: ScheduleRule = {
  name: "reduction",
  kinds: ["pool", "reduction", "gemm", "conv"],
  apply: (sch, b, ctx) => spatialInner(sch, b, ctx) || rowReduction(sch, b, ctx),
};

/**
 * The fallback rule (after DLight's `Fallback`): parallelize the outer spatial loops.
 *
 * @example
 * ```ts
 * import { fallbackRule } from "./reduction.ts";
 * console.assert(fallbackRule.name === "fallback");
 * ```
 */
export const fallbackRule: ScheduleRule = {
  name: "fallback",
  kinds: ["injective", "transpose", "gemm", "conv", "pool", "reduction", "opaque"],
  apply(sch, b, ctx) {
    const loops = sch.getLoops(sch.getBlock(b.name));
    const k = b.axes.findIndex((a) => a.reduce);
    const m = k < 0 ? b.axes.length - 1 : k;
    const extents = b.axes.slice(0, m).map((a) => a.extent);
    const par = parallelizeOuter(sch, loops.slice(0, m), extents, workOf(b), ctx, workEstimate(b));
    return par !== undefined;
  },
};
