/**
 * The GEMM-like rule (matmul, batch matmul, conv2d NCHW and NHWC: a multiply-accumulate
 * reduction): a register-blocked micro-kernel.
 *
 * - the **vector axis** `v` is the output's innermost axis; one operand (`B`) reads it
 *   contiguously, the other (`A`) not at all, so one `A` element is broadcast against a vector
 *   of `B`;
 * - the **row axis** `u` is the innermost other spatial axis that `B` does not use, so each
 *   vector of `B` loaded serves `rows` accumulators;
 * - the nest becomes `[outer spatial…, u₀, v₀] [reductions…] u₁ (unrolled) v₁ (vectorized)`,
 *   a `rows × vectors` tile of accumulators (4 × 2 float32 vectors by default: 8 of the ≤ 13
 *   `v128` values V8 keeps in registers), kept in a `local` tile (`cacheWrite` +
 *   `reverseComputeAt` + `decomposeReduction`: zeroed before the reduction, stored once after
 *   it), float multiply-adds are contracted into `fma` (`contractFma`), and the outer spatial
 *   loops go parallel.
 *
 * ```text
 * matmul C[i, j] += A[i, k]·B[k, j]:   for i₀, j₀ (parallel i₀) { for k { for i₁ in 0..4 (unrolled)
 *                                        { for j₁ in 0..8 (vectorized) { C[…] += A[…]·B[…] } } } }
 * conv NCHW Y[n, o, y, x] += P[n, c, y+r, x+s]·W[o, c, r, s]:  v = x, u = o
 * conv NHWC Y[n, y, x, o] += P[n, y+r, x+s, c]·W[r, s, c, o]:  v = o, u = x
 * ```
 *
 * @module
 */
import type { BufferLoad } from "../../ir/expr.ts";
import { ScheduleError } from "../../ir/errors.ts";
import type { Schedule } from "../schedule.ts";
import "./contract_fma.ts";
import "../primitives/cache_read_write.ts";
import "../primitives/compute_at.ts";
import "../primitives/decompose_reduction.ts";
import type { LoopRV } from "../rv.ts";
import { accessUse, type Axis, type BlockInfo, innerOutputVar } from "./block_info.ts";
import { parallelizeOuter, tileFactor, workEstimate, workOf } from "./loops.ts";
import { packable, packPanels } from "./pack.ts";
import { type RuleContext, type ScheduleRule, vectorLanes } from "./rule.ts";

/** Accumulator dtypes whose multiply-adds are contracted into `fma` (relaxed_madd on cpu). */
const FMA_DTYPES = new Set(["float32", "float64"]);

/** The micro-kernel's axes: the vector axis, the row axis, and which operand is the vector one. */
export interface MicroKernelAxes {
  /** Index in `axes` of the vector axis. */
  readonly vector: number;
  /** Index in `axes` of the row axis. */
  readonly row: number;
  /** The operand read as vectors. */
  readonly vectorOperand: BufferLoad;
}

/**
 * The micro-kernel axes of a multiply-accumulate block, or undefined when it has none.
 *
 * @example
 * ```ts
 * import { microKernelAxes } from "./gemm.ts";
 * import { analyzeBlock } from "./block_info.ts";
 * import { matmulFunc } from "../testing.ts";
 * const k = microKernelAxes(analyzeBlock(matmulFunc(), "C")!);
 * console.assert(k?.vector === 1 && k?.row === 0);
 * ```
 */
export function microKernelAxes(b: BlockInfo): MicroKernelAxes | undefined {
  if (!b.mac) return undefined;
  const spatial = b.axes.filter((a) => !a.reduce);
  const v = innerOutputVar(b.store, spatial.map((a) => a.iter.v));
  if (!v) return undefined;
  const { a, b: bb } = b.mac;
  const useA = accessUse(a.indices, v), useB = accessUse(bb.indices, v);
  const vec = useB === "contiguous" && useA === "none"
    ? bb
    : useA === "contiguous" && useB === "none"
    ? a
    : undefined;
  if (!vec) return undefined;
  const vector = b.axes.findIndex((x) => x.iter.v === v);
  let row = -1;
  b.axes.forEach((x, k) => {
    if (x.reduce || k === vector || (x.extent ?? 2) < 2) return;
    if (accessUse(vec.indices, x.iter.v) === "none") row = k;
  });
  return row < 0 ? undefined : { vector, row, vectorOperand: vec };
}

/** Vector tile width: `vectors` vectors, else one, dividing if possible, else with a tail. */
function vectorTile(extent: number | undefined, lanes: number, vectors: number) {
  const widths = [vectors * lanes, lanes];
  if (extent === undefined) return widths[0];
  return widths.find((w) => extent % w === 0) ?? widths.find((w) => w <= extent);
}

function apply(sch: Schedule, b: BlockInfo, ctx: RuleContext): boolean {
  const k = microKernelAxes(b);
  if (!k) return false;
  const lanes = vectorLanes(b.store.buffer.dtype, ctx.vectorBytes);
  const vAxis = b.axes[k.vector], uAxis = b.axes[k.row];
  const fv = vectorTile(vAxis.extent, lanes, ctx.tileVectors);
  const fu = tileFactor(uAxis.extent, ctx.tileRows);
  if (fv === undefined || fu === undefined || lanes < 2) return false;
  const loops = sch.getLoops(sch.getBlock(b.name));
  const [uo, ui] = sch.split(loops[k.row], [undefined, fu]);
  const [vo, vi] = sch.split(loops[k.vector], [undefined, fv]);
  const outer: LoopRV[] = [], extents: (number | undefined)[] = [], reduce: LoopRV[] = [];
  b.axes.forEach((a: Axis, t) => {
    if (a.reduce) reduce.push(loops[t]);
    else {
      outer.push(t === k.row ? uo : t === k.vector ? vo : loops[t]);
      const f = t === k.row ? fu : t === k.vector ? fv : 1;
      extents.push(a.extent === undefined ? undefined : Math.ceil(a.extent / f));
    }
  });
  sch.reorder(...outer, ...reduce, ui, vi);
  sch.unroll(ui);
  sch.vectorize(vi);
  if (FMA_DTYPES.has(b.store.buffer.dtype)) sch.contractFma(sch.getBlock(b.name));
  // Optional steps, each tried on a copy first so a refusal leaves no half-made stage: the local
  // tile (legal when the tile's loops cover the output exactly, no tail predicate on a symbolic
  // extent), and for large GEMMs the vector operand packed into panels (pack.ts).
  const tile = (t: Schedule) => localTile(t, b.name, outer[outer.length - 1], reduce[0]);
  if (succeeds(sch, tile)) tile(sch);
  if (packable(b, k.vectorOperand, k.vector, uAxis.extent ?? 2)) {
    const pack = (t: Schedule) => packPanels(t, b.name, k.vectorOperand, fv);
    if (succeeds(sch, pack)) pack(sch);
  }
  parallelizeOuter(sch, outer, extents, workOf(b), ctx, workEstimate(b));
  return true;
}

/** Whether `step` succeeds on a copy of `sch` (a `ScheduleError` says it does not). */
function succeeds(sch: Schedule, step: (copy: Schedule) => void): boolean {
  try {
    step(sch.copy());
    return true;
  } catch (e) {
    if (e instanceof ScheduleError) return false;
    throw e;
  }
}

/**
 * The accumulator tile in `local` storage (registers, after clang): `cacheWrite` +
 * `reverseComputeAt(tileLoop)` + `decomposeReduction(firstReduction)`, the write-back and the
 * zeroing vectorized.
 */
function localTile(sch: Schedule, name: string, tileLoop: LoopRV, firstReduction: LoopRV) {
  const blk = sch.getBlock(name);
  const back = sch.cacheWrite(blk, 0, "local");
  sch.reverseComputeAt(back, tileLoop);
  const init = sch.decomposeReduction(blk, firstReduction);
  for (const stage of [back, init]) {
    const loops = sch.getLoops(stage);
    sch.vectorize(loops[loops.length - 1]);
  }
}

/**
 * The rule.
 *
 * @example
 * ```ts
 * import { gemmRule } from "./gemm.ts";
 * console.assert(gemmRule.kinds.includes("conv"));
 * ```
 */
export const gemmRule: ScheduleRule = { name: "gemm", kinds: ["gemm", "conv"], apply };
