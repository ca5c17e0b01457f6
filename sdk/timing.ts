/**
 * `measure`: the timing loop devices use to implement `Device.time` — warm-up runs, then timed
 * runs until both the repeat count and the minimum time are reached; median and minimum.
 * Uses `performance.now()` (available in Deno and browsers).
 *
 * @module
 */
import type { TimeOptions, Timing } from "./device.ts";

/**
 * Time `once` (which may be async) as `Device.time` specifies.
 *
 * @example
 * ```ts
 * import { measure } from "./timing.ts";
 * const t = await measure(() => {}, { repeat: 3 });
 * console.assert(t.samplesMs.length === 3);
 * ```
 */
export async function measure(
  once: () => void | Promise<void>,
  options: TimeOptions = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 1;
  const repeat = Math.max(1, options.repeat ?? 5);
  const minTime = options.minTimeMs ?? 0;
  const maxRepeat = Math.max(repeat, options.maxRepeat ?? 1000);
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  let total = 0;
  while (samples.length < repeat || (total < minTime && samples.length < maxRepeat)) {
    const t0 = performance.now();
    await once();
    const dt = performance.now() - t0;
    samples.push(dt);
    total += dt;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs: median, minMs: sorted[0], samplesMs: samples };
}
