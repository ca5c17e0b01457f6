/**
 * The gpu target's default schedule (`codegen.schedule`), rule-based like `tensorize/default`:
 * inline injective producers, then give every remaining block its threads — the block's leading
 * spatial loops fused, split by the workgroup size and bound to `blockIdx.x` / `threadIdx.x`
 * (reductions run serially per output element inside the thread). Each block becomes its own
 * dispatch (codegen.ts), so producers and consumers of one function synchronise at dispatch
 * boundaries. A block with no spatial loop (a full reduction) runs on one invocation.
 *
 * ```text
 * for i in 0..n { for j in 0..13 {            for f_0 in 0..(n·13 + 63) / 64 thread(blockIdx.x) {
 *   B[i, j] = A[i, j] + 1                →       for f_1 in 0..64 thread(threadIdx.x) {
 *                                                   B[…] = A[…] + 1  where f_0·64 + f_1 < n·13
 * ```
 *
 * @module
 */
import "../../tensorize/primitives/get.ts";
import "../../tensorize/primitives/split.ts";
import "../../tensorize/primitives/fuse.ts";
import "../../tensorize/primitives/for_kind.ts";
import { ScheduleError } from "../../ir/errors.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Target } from "../../sdk/target.ts";
import { blocksUnder } from "../../tensorize/analysis/find.ts";
import { analyzeBlock, type BlockInfo } from "../../tensorize/default/block_info.ts";
import { inlineInjective } from "../../tensorize/default/inline.ts";
import { Schedule } from "../../tensorize/schedule.ts";

/** Options of the gpu default schedule. */
export interface GpuScheduleOptions {
  /** Invocations per workgroup for bound loops (default 64). */
  readonly threads?: number;
}

/** What the schedule did to one block. */
export interface GpuBlockDecision {
  /** Block name. */
  readonly block: string;
  /** `"inlined"`, `"bind"` or `"single"` (one invocation). */
  readonly rule: string;
}

function threadsFor(extent: number | undefined, threads: number): number {
  if (extent === undefined || extent >= threads) return threads;
  let t = 1;
  while (t < extent) t *= 2;
  return t;
}

function bindSpatial(sch: Schedule, info: BlockInfo, threads: number): boolean {
  let s = 0;
  while (s < info.axes.length && !info.axes[s].reduce) s++;
  if (s === 0) return false;
  const loops = sch.getLoops(sch.getBlock(info.name));
  const extents = info.axes.slice(0, s).map((a) => a.extent);
  const extent = extents.every((e) => e !== undefined)
    ? extents.reduce((p, e) => p! * e!, 1)
    : undefined;
  const fused = s === 1 ? loops[0] : sch.fuse(...loops.slice(0, s));
  const t = threadsFor(extent, threads);
  const [bx, tx] = sch.split(fused, [undefined, t]);
  sch.bind(bx, "blockIdx.x");
  sch.bind(tx, "threadIdx.x");
  return true;
}

/**
 * The default gpu schedule of `f` with a report per block.
 *
 * @example
 * ```ts
 * import { applyGpuSchedule } from "./schedule.ts";
 * import { elementwiseFunc } from "../../tensorize/testing.ts";
 * const { decisions } = applyGpuSchedule(elementwiseFunc(64, 64));
 * console.assert(decisions.some((d) => d.rule === "bind"));
 * ```
 */
export function applyGpuSchedule(
  f: PrimFunc,
  options: GpuScheduleOptions = {},
): { schedule: Schedule; decisions: GpuBlockDecision[] } {
  const threads = options.threads ?? 64;
  let sch = new Schedule(f);
  const names = blocksUnder(sch.func.body).map((r) => r.block.name).filter((n) => n !== "root");
  const inlined = new Set(inlineInjective(sch));
  const decisions: GpuBlockDecision[] = [];
  for (const name of names) {
    if (inlined.has(name)) {
      decisions.push({ block: name, rule: "inlined" });
      continue;
    }
    const info = analyzeBlock(sch.func, name);
    let rule = "single";
    if (info) {
      const trial = sch.copy();
      try {
        if (bindSpatial(trial, info, threads)) {
          sch = trial;
          rule = "bind";
        }
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e;
      }
    }
    decisions.push({ block: name, rule });
  }
  return { schedule: sch, decisions };
}

/**
 * The gpu target's schedule hook.
 *
 * @example
 * ```ts ignore
 * const g = gpuDefaultSchedule(f, gpu);
 * ```
 */
export function gpuDefaultSchedule(f: PrimFunc, target: Target): PrimFunc {
  const threads = Math.min(64, target.limits.maxThreads ?? 64);
  return applyGpuSchedule(f, { threads }).schedule.func;
}
