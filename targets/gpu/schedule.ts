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
import { gemmGpu, type GemmTiling, REGISTER_TILING, SHARED_TILING } from "./schedule_gemm.ts";
import { crossThreadReduction } from "./schedule_reduce.ts";
import { tensorizeInt8 } from "./schedule_intrin.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";

/** Options of the gpu default schedule. */
export interface GpuScheduleOptions {
  /** Invocations per workgroup for bound loops (default 64). */
  readonly threads?: number;
  /** The target's intrinsics: int8 GEMMs are tensorized with them (`gpu.dot4_i8`). */
  readonly intrinsics?: readonly Intrinsic[];
  /** Spread reductions over the invocations of a workgroup (default true). */
  readonly crossThread?: boolean;
  /** Tiles of multiply-accumulate blocks (default `REGISTER_TILING`); false: bind only. */
  readonly gemm?: GemmTiling | false;
}

/** What the schedule did to one block. */
export interface GpuBlockDecision {
  /** Block name. */
  readonly block: string;
  /** `"inlined"`, `"bind<k>"` (the k-th way of `ATTEMPTS`) or `"single"` (one invocation). */
  readonly rule: string;
}

function pow2Upto(extent: number | undefined, threads: number): number {
  if (extent === undefined || extent >= threads) return threads;
  let t = 1;
  while (t < extent) t *= 2;
  return t;
}

function largestDivisor(extent: number, threads: number): number {
  for (let t = Math.min(threads, extent); t > 1; t--) if (extent % t === 0) return t;
  return 1;
}

/** Leading spatial loops of a block and their extents. */
function spatial(info: BlockInfo): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  while (out.length < info.axes.length && !info.axes[out.length].reduce) {
    out.push(info.axes[out.length].extent);
  }
  return out;
}

/**
 * Ways to give a block threads, best first. `bind` requires affine block bindings, so a split
 * of a fused loop must divide its extent (or the extent be one symbolic size).
 */
const ATTEMPTS: readonly ((sch: Schedule, info: BlockInfo, threads: number) => boolean)[] = [
  // fuse all spatial loops, split by a power of two
  (sch, info, threads) => fuseSplit(sch, info, (e) => pow2Upto(e, threads)),
  // … by the largest divisor of a constant extent
  (sch, info, threads) =>
    fuseSplit(sch, info, (e) => e === undefined ? 0 : largestDivisor(e, threads), 8),
  // outer loops fused to blocks, the innermost (constant, small) loop to threads
  (sch, info, threads) => {
    const ext = spatial(info);
    const last = ext[ext.length - 1];
    if (ext.length < 2 || last === undefined || last > threads) return false;
    const loops = sch.getLoops(sch.getBlock(info.name));
    const outer = ext.length === 2 ? loops[0] : sch.fuse(...loops.slice(0, ext.length - 1));
    sch.bind(outer, "blockIdx.x");
    sch.bind(loops[ext.length - 1], "threadIdx.x");
    return true;
  },
  // the first loop to blocks, the last spatial loop split to threads (symbolic sizes)
  (sch, info, threads) => {
    const ext = spatial(info);
    if (ext.length < 2) return false;
    const loops = sch.getLoops(sch.getBlock(info.name));
    sch.bind(loops[0], "blockIdx.x");
    const [, tx] = sch.split(loops[ext.length - 1], [
      undefined,
      pow2Upto(ext[ext.length - 1], threads),
    ]);
    sch.bind(tx, "threadIdx.x");
    return true;
  },
  // one invocation per workgroup
  (sch, info) => {
    const s = spatial(info).length;
    const loops = sch.getLoops(sch.getBlock(info.name));
    sch.bind(s === 1 ? loops[0] : sch.fuse(...loops.slice(0, s)), "blockIdx.x");
    return true;
  },
  // the first loop alone
  (sch, info) => {
    sch.bind(sch.getLoops(sch.getBlock(info.name))[0], "blockIdx.x");
    return true;
  },
];

function fuseSplit(
  sch: Schedule,
  info: BlockInfo,
  factor: (extent: number | undefined) => number,
  least = 1,
): boolean {
  const ext = spatial(info);
  const extent = ext.every((e) => e !== undefined) ? ext.reduce((p, e) => p! * e!, 1) : undefined;
  const t = factor(extent);
  if (t < least) return false;
  const loops = sch.getLoops(sch.getBlock(info.name));
  const fused = ext.length === 1 ? loops[0] : sch.fuse(...loops.slice(0, ext.length));
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
 * console.assert(decisions.some((d) => d.rule.startsWith("bind")));
 * ```
 */
export function applyGpuSchedule(
  f: PrimFunc,
  options: GpuScheduleOptions = {},
): { schedule: Schedule; decisions: GpuBlockDecision[] } {
  const threads = options.threads ?? 64;
  let sch = new Schedule(f);
  const names = blocksUnder(sch.func.body).map((r) => r.block.name).filter((n) => n !== "root");
  const inlined = new Set(inlineInjective(sch, { recomputeMath: true }));
  const decisions: GpuBlockDecision[] = [];
  // Tensorization adds blocks (padding, init, write-back): they join the work list.
  const seen = new Set(names);
  for (let q = 0; q < names.length; q++) {
    const name = names[q];
    if (inlined.has(name)) {
      decisions.push({ block: name, rule: "inlined" });
      continue;
    }
    const info = analyzeBlock(sch.func, name);
    let rule = "single";
    if (info && options.intrinsics?.length && (info.kind === "gemm" || info.kind === "conv")) {
      try {
        const g = tensorizeInt8(sch, info, options.intrinsics, threads);
        if (g) {
          sch = g;
          decisions.push({ block: name, rule: "dot4_i8" });
          enqueueNew(sch, names, seen);
          continue;
        }
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e;
      }
    }
    if (info && options.gemm !== false && (info.kind === "gemm" || info.kind === "conv")) {
      try {
        const g = gemmGpu(sch.copy(), info, options.gemm ?? REGISTER_TILING);
        if (g) {
          sch = g;
          decisions.push({ block: name, rule: "gemm" });
          continue;
        }
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e;
      }
    }
    if (
      info && options.crossThread !== false && (info.kind === "reduction" || info.kind === "pool")
    ) {
      const trial = sch.copy();
      try {
        if (crossThreadReduction(trial, info, threads)) {
          sch = trial;
          decisions.push({ block: name, rule: "cross-thread" });
          continue;
        }
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e;
      }
    }
    for (const [k, attempt] of ATTEMPTS.entries()) {
      if (!info || spatial(info).length === 0) break;
      const trial = sch.copy();
      try {
        if (attempt(trial, info, threads)) {
          sch = trial;
          rule = `bind${k}`;
          break;
        }
      } catch (e) {
        if (!(e instanceof ScheduleError)) throw e;
      }
    }
    decisions.push({ block: name, rule });
  }
  return { schedule: sch, decisions };
}

function enqueueNew(sch: Schedule, names: string[], seen: Set<string>): void {
  for (const r of blocksUnder(sch.func.body)) {
    const n = r.block.name;
    // blocks tensorization left inside the bound nest (the init) already have their threads
    const bound = sch.getLoops(sch.getBlock(n)).some((l) => sch.get(l).forKind === "thread");
    if (n !== "root" && !seen.has(n) && r.block.annotations.tensorized === undefined && !bound) {
      seen.add(n);
      names.push(n);
    }
  }
}

/**
 * The gpu target's schedule hook.
 *
 * @example
 * ```ts ignore
 * const g = gpuDefaultSchedule(f, gpu);
 * ```
 */
export function gpuDefaultSchedule(
  f: PrimFunc,
  target: Target,
  fallbackAdapter = true,
): PrimFunc {
  const threads = Math.min(64, target.limits.maxThreads ?? 64);
  return applyGpuSchedule(f, {
    threads,
    gemm: tilingFor(fallbackAdapter),
    // dot4I8Packed is emulated on software adapters: int8 matmul 256³ on llvmpipe took 970 ms
    // tensorized (one output per invocation) against 258 ms register-blocked.
    intrinsics: fallbackAdapter ? [] : target.intrinsics,
  }).schedule.func;
}

/**
 * The GEMM tiling for an adapter: register blocking on software adapters (llvmpipe: 15–18
 * GFLOP/s against 5–6 with workgroup-memory tiles, PERF_NOTES), workgroup-memory tiles on GPUs.
 *
 * @example
 * ```ts
 * import { tilingFor } from "./schedule.ts";
 * console.assert(tilingFor(true).shared !== true && tilingFor(false).shared === true);
 * ```
 */
export function tilingFor(fallbackAdapter: boolean): GemmTiling {
  return fallbackAdapter ? REGISTER_TILING : SHARED_TILING;
}
