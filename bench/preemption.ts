/**
 * Telling a slow kernel from a preempted one. The bench shares a small machine (2 vCPUs here)
 * with other processes; when more threads are runnable than there are cores, the kernel's thread
 * waits on the run queue in the middle of a call and the call's wall time grows by the wait,
 * while the kernel itself ran exactly as fast as before. Measured here on the conv2d NCHW hand
 * kernel: wall time said 14.7 GFLOP/s while its on-CPU time said 29 (8 ms of run-queue wait per
 * 7 ms call); with two memory-streaming processes beside it, wall 4.6, on-CPU still 28.9. Long
 * calls are hit more than short ones (a 2 ms call often fits between two preemptions, a 14 ms
 * call never does), so even ratios of one run drift — this, not the kernels' addresses, is what
 * made the conv kernels look "address-sensitive" in earlier runs.
 *
 * Linux reports each thread's run-queue wait in `/proc/thread-self/schedstat` (ns on CPU, ns
 * waiting, time slices). The harness reads it around each run and sets aside runs during which
 * the thread waited (`isPreempted`); where the file does not exist, every run counts.
 *
 * @module
 */

/** Milliseconds the calling thread has waited on a run queue so far (a running counter). */
export type WaitClock = () => number | undefined;

const SCHEDSTAT = "/proc/thread-self/schedstat";

/**
 * The calling thread's run-queue wait clock, or a clock that always answers `undefined` where
 * `/proc/thread-self/schedstat` cannot be read (not Linux, no read permission, a browser).
 *
 * @example
 * ```ts
 * import { threadWaitClock } from "./preemption.ts";
 * const wait = threadWaitClock();
 * const w = wait();
 * console.assert(w === undefined || w >= 0);
 * ```
 */
export function threadWaitClock(): WaitClock {
  const read = (): number | undefined => {
    try {
      const fields = Deno.readTextFileSync(SCHEDSTAT).trim().split(/\s+/);
      const ns = Number(fields[1]);
      return Number.isFinite(ns) ? ns / 1e6 : undefined;
    } catch {
      return undefined;
    }
  };
  return read() === undefined ? () => undefined : read;
}

/** Waits shorter than this (ms) are noise of the scheduler's accounting, not a preemption. */
export const WAIT_FLOOR_MS = 0.05;

/** A run is preempted when it waited more than this fraction of its duration. */
export const WAIT_FRACTION = 0.02;

/**
 * Whether a run of `ms` that waited `waitMs` on a run queue was preempted (its time is not the
 * kernel's own). Unknown waits count as not preempted.
 *
 * @example
 * ```ts
 * import { isPreempted } from "./preemption.ts";
 * console.assert(isPreempted(10, 3) && !isPreempted(10, 0.01) && !isPreempted(10, undefined));
 * ```
 */
export function isPreempted(ms: number, waitMs: number | undefined): boolean {
  return waitMs !== undefined && waitMs > Math.max(WAIT_FLOOR_MS, WAIT_FRACTION * ms);
}
