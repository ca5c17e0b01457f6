/**
 * The gpu GEMM rule (matmul, batch matmul, dense, conv2d: multiply-accumulate blocks): a
 * register-blocked tile per invocation. The output's row axis `u` and vector axis `v`
 * (`microKernelAxes`, as on cpu) are split three ways — workgroups, invocations, registers —
 * and the accumulators live in a `local` tile (`cacheWrite` + `reverseComputeAt` +
 * `decomposeReduction`), zeroed before the reduction and stored once after it:
 *
 * ```text
 * C[i, j] += A[i, k]·B[k, j]  →  for i₀ (blockIdx.y), j₀ (blockIdx.x), i₁ (threadIdx.y), j₁ (threadIdx.x) {
 *                                   C_local[ry×rx] = 0
 *                                   for k { for i₂ in 0..ry (unrolled) { for j₂ in 0..rx (unrolled) {
 *                                     C_local[i₂, j₂] += A[…]·B[…] } } }
 *                                   C[…] = C_local[…] }
 * ```
 *
 * On llvmpipe (a CPU adapter) register blocking beats workgroup-memory tiling (PERF_NOTES), so
 * the tile sizes come from `GemmTiling`, chosen per adapter by the target.
 *
 * @module
 */
import "../../tensorize/primitives/get.ts";
import "../../tensorize/primitives/split.ts";
import "../../tensorize/primitives/fuse.ts";
import "../../tensorize/primitives/reorder.ts";
import "../../tensorize/primitives/for_kind.ts";
import "../../tensorize/primitives/cache_read_write.ts";
import "../../tensorize/primitives/compute_at.ts";
import "../../tensorize/primitives/decompose_reduction.ts";
import { ScheduleError } from "../../ir/errors.ts";
import type { BlockInfo } from "../../tensorize/default/block_info.ts";
import { microKernelAxes } from "../../tensorize/default/gemm.ts";
import type { LoopRV } from "../../tensorize/rv.ts";
import type { Schedule } from "../../tensorize/schedule.ts";

/** Tile sizes of the GEMM rule. */
export interface GemmTiling {
  /** Invocations along the vector axis (threadIdx.x). */
  readonly tx: number;
  /** Invocations along the row axis (threadIdx.y). */
  readonly ty: number;
  /** Accumulators per invocation along the vector axis. */
  readonly rx: number;
  /** Accumulators per invocation along the row axis. */
  readonly ry: number;
  /** Stage the operands' tiles through workgroup memory (`shared`). */
  readonly shared?: boolean;
  /** Reduction step of a staged tile (with `shared`; default 16). */
  readonly tk?: number;
}

/**
 * Register blocking for CPU-like adapters: 8×8 accumulators per invocation (PERF_NOTES measured
 * it best on llvmpipe; in one loaded run here matmul 512 took 609 ms against 1344 ms with 4×4).
 */
export const REGISTER_TILING: GemmTiling = { tx: 8, ty: 8, rx: 8, ry: 8 };

/** Workgroup-memory tiling for real GPUs: 64×64 outputs per workgroup, k in steps of 16. */
export const SHARED_TILING: GemmTiling = { tx: 16, ty: 16, rx: 4, ry: 4, shared: true, tk: 16 };

function shrink(extent: number | undefined, threads: number, regs: number): [number, number] {
  if (extent === undefined) return [threads, regs];
  let r = regs;
  while (r > 1 && r >= extent * 2) r /= 2;
  let t = threads;
  while (t > 1 && t * r >= extent * 2) t /= 2;
  return [t, r];
}

function attempt(sch: Schedule, step: (s: Schedule) => void): Schedule {
  const copy = sch.copy();
  try {
    step(copy);
    return copy;
  } catch (e) {
    if (e instanceof ScheduleError) return sch;
    throw e;
  }
}

/**
 * Schedule a multiply-accumulate block; false when it has no row/vector axes.
 *
 * @example
 * ```ts ignore
 * gemmGpu(sch, analyzeBlock(sch.func, "C")!, REGISTER_TILING);
 * ```
 */
export function gemmGpu(sch: Schedule, b: BlockInfo, tiling: GemmTiling): Schedule | undefined {
  const k = microKernelAxes(b);
  if (!k) return undefined;
  // Staged tiles need constant sizes (workgroup memory is declared statically).
  const constant = b.axes.every((a) => a.extent !== undefined);
  if (tiling.shared && constant) {
    // staged tiles, or the register tiles below when the block does not fit them
    let staged: Schedule | undefined;
    try {
      staged = gemmShared(sch.copy(), b, k.row, k.vector, tiling);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
    if (staged) return staged;
  }
  const [ty, ry] = shrink(b.axes[k.row].extent, tiling.ty, tiling.ry);
  const [tx, rx] = shrink(b.axes[k.vector].extent, tiling.tx, tiling.rx);
  const loops = sch.getLoops(sch.getBlock(b.name));
  const [uo, ut, ur] = sch.split(loops[k.row], [undefined, ty, ry]);
  const [vo, vt, vr] = sch.split(loops[k.vector], [undefined, tx, rx]);
  const others: LoopRV[] = [], reduce: LoopRV[] = [];
  b.axes.forEach((a, t) => {
    if (a.reduce) reduce.push(loops[t]);
    else if (t !== k.row && t !== k.vector) others.push(loops[t]);
  });
  sch.reorder(...others, uo, vo, ut, vt, ...reduce, ur, vr);
  sch.bind(uo, "blockIdx.y");
  sch.bind(vo, "blockIdx.x");
  sch.bind(ut, "threadIdx.y");
  sch.bind(vt, "threadIdx.x");
  let out = sch;
  if (others.length) {
    out = attempt(
      out,
      (s) => s.bind(others.length === 1 ? others[0] : s.fuse(...others), "blockIdx.z"),
    );
  }
  out = attempt(out, (s) => {
    const blk = s.getBlock(b.name);
    const back = s.cacheWrite(blk, 0, "local");
    s.reverseComputeAt(back, vt);
    const init = reduce.length ? [s.decomposeReduction(blk, reduce[0])] : [];
    // unrolled zeroing and write-back: every access to the tile has a constant index, so the
    // codegen keeps the tile in registers (scalar variables)
    for (const stage of [back, ...init]) {
      const ls = s.getLoops(stage);
      for (const l of ls.slice(ls.length - 2)) s.unroll(l);
    }
  });
  out = attempt(out, (s) => {
    s.unroll(ur);
    s.unroll(vr);
  });
  return out;
}

/**
 * Workgroup-memory tiling: per reduction step `k₀` the invocations of a workgroup copy the
 * operands' tiles into `shared` buffers cooperatively (the copy loops fused, split and bound to
 * the same threads), then each computes its `ry × rx` outputs from them; the barrier pass puts
 * `workgroupBarrier()` between the copy and the compute and at the end of the step. Outputs
 * accumulate in place (zeroed before the reduction by the decomposed init).
 *
 * ```text
 * for i₀ (blockIdx.y), j₀ (blockIdx.x) {
 *   for i₁ (threadIdx.y), j₁ (threadIdx.x) { C[…] = 0 }
 *   for k₀ { A_shared ← A[tile] (threads)   B_shared ← B[tile] (threads)   barrier
 *            for i₁, j₁ (threads) { for k₁, i₂, j₂ { C[…] += A_shared[…]·B_shared[…] } }   barrier }
 * ```
 */
function gemmShared(
  sch: Schedule,
  b: BlockInfo,
  row: number,
  vector: number,
  tiling: GemmTiling,
): Schedule | undefined {
  const reduceAxes = b.axes.map((a, t) => (a.reduce ? t : -1)).filter((t) => t >= 0);
  if (reduceAxes.length !== 1 || !b.mac) return undefined;
  const [ty, ry] = shrink(b.axes[row].extent, tiling.ty, tiling.ry);
  const [tx, rx] = shrink(b.axes[vector].extent, tiling.tx, tiling.rx);
  const blk = sch.getBlock(b.name);
  const loops = sch.getLoops(blk);
  const [uo, ut, ur] = sch.split(loops[row], [undefined, ty, ry]);
  const [vo, vt, vr] = sch.split(loops[vector], [undefined, tx, rx]);
  const [ko, ki] = sch.split(loops[reduceAxes[0]], [undefined, tiling.tk ?? 16]);
  const others = b.axes.map((_, t) => t).filter((t) =>
    t !== row && t !== vector && !b.axes[t].reduce
  )
    .map((t) => loops[t]);
  sch.reorder(...others, uo, vo, ko, ut, vt, ki, ur, vr);
  for (const o of others) sch.bind(o, others.length === 1 ? "blockIdx.z" : "vthread.x");
  sch.bind(uo, "blockIdx.y");
  sch.bind(vo, "blockIdx.x");
  sch.bind(ut, "threadIdx.y");
  sch.bind(vt, "threadIdx.x");
  const init = sch.decomposeReduction(blk, ko);
  const il = sch.getLoops(init);
  const at = others.length + 2; // the init's copies of i₁, j₁
  sch.bind(il[at], "threadIdx.y");
  sch.bind(il[at + 1], "threadIdx.x");
  for (const operand of [b.mac.a, b.mac.b]) {
    const index = sch.get(blk).reads.findIndex((r) => r.buffer === operand.buffer);
    const stage = sch.cacheRead(blk, index, "shared");
    sch.computeAt(stage, ko);
    const ls = sch.getLoops(stage);
    const inner = ls.slice(others.length + 3);
    const fused = inner.length === 1 ? inner[0] : sch.fuse(...inner);
    const [, fy, fx] = sch.split(fused, [undefined, ty, tx]);
    sch.bind(fy, "threadIdx.y");
    sch.bind(fx, "threadIdx.x");
  }
  return sch;
}
