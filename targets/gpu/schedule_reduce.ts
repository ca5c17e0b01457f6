/**
 * Cross-thread reductions (softmax, layer_norm, reduce_*, pools over long windows): the
 * reduction loops are fused and split by the workgroup size, the inner part factored out
 * (`rfactor`) so each invocation accumulates a partial result into a `shared` buffer, and the
 * write-back that combines the partials is moved into the same workgroup (`reverseComputeAt`).
 * The codegen lets invocation 0 make the write-back's stores and the barrier pass orders them
 * after the partials:
 *
 * ```text
 * for i { for k in 0..K {                      for i (blockIdx.x) {
 *   S[i] += A[i, k] } }                  →       for t (threadIdx.x) { for k₀ { S_rf[t] += A[i, k₀·T + t] } }
 *                                                barrier
 *                                                for t' in 0..T { S[i] += S_rf[t'] }   (invocation 0)
 * ```
 *
 * Where the device has `subgroups`, the codegen emits that write-back as subgroup reductions
 * (wgsl_subgroup.ts); the schedule is the same on every adapter.
 *
 * @module
 */
import "../../tensorize/primitives/get.ts";
import "../../tensorize/primitives/split.ts";
import "../../tensorize/primitives/fuse.ts";
import "../../tensorize/primitives/reorder.ts";
import "../../tensorize/primitives/for_kind.ts";
import "../../tensorize/primitives/rfactor.ts";
import "../../tensorize/primitives/set_scope.ts";
import "../../tensorize/primitives/compute_at.ts";
import type { BlockInfo } from "../../tensorize/default/block_info.ts";
import type { Schedule } from "../../tensorize/schedule.ts";

/** Smallest reduction extent worth spreading over invocations. */
export const MIN_CROSS_THREAD = 8;

/**
 * Schedule a reduction block whose loops are spatial then reduction ones as a cross-thread
 * reduction over `threads` invocations; false when its shape does not fit.
 *
 * @example
 * ```ts ignore
 * crossThreadReduction(sch, analyzeBlock(sch.func, "T_softmax_maxelem")!, 32);
 * ```
 */
export function crossThreadReduction(sch: Schedule, b: BlockInfo, threads: number): boolean {
  const s = b.axes.findIndex((a) => a.reduce);
  if (s < 0 || b.axes.slice(s).some((a) => !a.reduce)) return false;
  const red = b.axes.slice(s);
  const extent = red.every((a) => a.extent !== undefined)
    ? red.reduce((p, a) => p * a.extent!, 1)
    : undefined;
  if (extent !== undefined && extent < MIN_CROSS_THREAD) return false;
  let t = threads;
  while (extent !== undefined && t > 1 && t >= extent) t /= 2;
  const loops = sch.getLoops(sch.getBlock(b.name));
  const r = red.length === 1 ? loops[s] : sch.fuse(...loops.slice(s));
  const [, ki] = sch.split(r, [undefined, t]);
  const rf = sch.rfactor(ki, b.store.indices.length);
  const rl = sch.getLoops(rf); // spatial…, k₀, k₁
  const tx = rl[rl.length - 1];
  sch.reorder(rl[rl.length - 1], rl[rl.length - 2]);
  sch.bind(tx, "threadIdx.x");
  if (s === 0) return true; // a full reduction: one workgroup, the write-back its own dispatch
  const bx = s === 1 ? rl[0] : sch.fuse(...rl.slice(0, s));
  sch.bind(bx, "blockIdx.x");
  sch.reverseComputeAt(sch.getBlock(b.name), bx);
  sch.setScope(rf, 0, "shared");
  return true;
}
