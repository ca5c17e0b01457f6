/**
 * The fast verdict: a run's time (the device's simulated cycles when it counts them, else wall
 * time), its GFLOP/s and GB/s, its place under the target's declared roofline (peak operations per
 * second for the case's dtype, peak bytes per second of the `global` scope), its ratio to a
 * baseline, and whether it clears its floor.
 *
 * Roofline: the least time the target could take is the largest of its roofs — compute
 * (`flops / peakFlops`) and each memory interface's traffic over that interface's declared rate
 * (`memoryRoofs`) — and the fraction reported is that time over the achieved time (1 = on the
 * roof). A dtype without a declared peak is bounded by memory only. Above 100% the declared peaks
 * understate the target, and the verdict says so.
 *
 * Floors: a case's own floor, else the run's default. They are enforced where time is
 * deterministic (`simulated`); on `wall` time only when `enforceWall` is set, because wall-clock
 * time on a shared machine varies by 10–25% between runs.
 *
 * @module
 */
import type { KernelStats, Target } from "../sdk/mod.ts";
import type { FastVerdict, Floor } from "./result.ts";
import type { Work } from "./work.ts";

/** What the fast verdict is computed from. */
export interface FastInput {
  /** The case's dtype (the peak looked up). */
  readonly dtype: string;
  /** The case's work. */
  readonly work: Work;
  /** Median wall time of one run (ms), if timed. */
  readonly wallMs?: number;
  /** What the device reported about its last run. */
  readonly stats?: KernelStats;
  /** The baseline's time (ms), if any. */
  readonly baselineMs?: number;
  /** The floor that applies, if any. */
  readonly floor?: Floor;
  /** Enforce floors on wall-clock time too. */
  readonly enforceWall?: boolean;
}

const num = (x: unknown): number | undefined =>
  typeof x === "number" && Number.isFinite(x) ? x : undefined;

/** One memory roof: the bytes a run moved through one interface, and that interface's rate. */
export interface MemoryRoof {
  /** What it is: `global`, `global loads`, `global stores`, or a scope's name. */
  readonly name: string;
  /** Bytes of one run through it. */
  readonly bytes: number;
  /** The declared peak rate, bytes per second. */
  readonly bytesPerSecond: number;
}

/**
 * The memory roofs of a run (rates from `target.peak.bytesPerSecond`, by scope):
 *
 * - `global`: when the device reports its own traffic (`stats.dmaBytes`, the whole kernel on the
 *   device) that, else every parameter's bytes once (`workBytes`). A device that also reports the
 *   loaded part (`stats.dmaLoadBytes`) gets two roofs instead, `global loads` and `global stores`,
 *   each against the global rate: the declared rate is one direction's (on the npu, one DMA
 *   engine's; loads and stores run on two engines concurrently). Where one rate is shared by both
 *   directions this bound is looser than the truth, never tighter: `max(l, s) ≤ l + s`.
 * - any other scope whose traffic the device reports (`stats.scopeBytes`, bytes by scope name)
 *   and whose rate the target declares, e.g. a scratchpad read by a matrix unit.
 *
 * @example
 * ```ts
 * import { memoryRoofs } from "./fast.ts";
 * import npu from "../targets/npu/mod.ts";
 * const roofs = memoryRoofs(npu, { dmaBytes: 100, dmaLoadBytes: 60 }, true, 80);
 * console.assert(roofs.map((r) => r.bytes).join() === "60,40");
 * ```
 */
export function memoryRoofs(
  target: Target,
  stats: KernelStats,
  simulated: boolean,
  workBytes: number,
): MemoryRoof[] {
  const rates = target.peak.bytesPerSecond;
  const roofs: MemoryRoof[] = [];
  const global = num(rates.global);
  const dma = simulated ? num(stats.dmaBytes) : undefined;
  const loads = num(stats.dmaLoadBytes);
  if (global !== undefined && global > 0) {
    if (dma === undefined || dma <= 0) {
      if (workBytes > 0) roofs.push({ name: "global", bytes: workBytes, bytesPerSecond: global });
    } else if (loads === undefined || loads < 0 || loads > dma) {
      roofs.push({ name: "global", bytes: dma, bytesPerSecond: global });
    } else {
      roofs.push({ name: "global loads", bytes: loads, bytesPerSecond: global });
      roofs.push({ name: "global stores", bytes: dma - loads, bytesPerSecond: global });
    }
  }
  const perScope = simulated && typeof stats.scopeBytes === "object" && stats.scopeBytes !== null
    ? stats.scopeBytes as Record<string, unknown>
    : {};
  for (const [scope, b] of Object.entries(perScope)) {
    const bytes = num(b), rate = num(rates[scope]);
    if (scope === "global" || bytes === undefined || bytes <= 0 || !rate || rate <= 0) continue;
    roofs.push({ name: scope, bytes, bytesPerSecond: rate });
  }
  return roofs;
}

/**
 * The fast verdict of one case on `target`.
 *
 * @example
 * ```ts ignore
 * const v = fastVerdict(cpu, { dtype: "float32", work, wallMs: 0.5 });
 * console.log(v.gflops, v.roofline);
 * ```
 */
export function fastVerdict(target: Target, input: FastInput): FastVerdict {
  const s = input.stats ?? {};
  const cycles = num(s.cycles);
  const seconds = num(s.seconds);
  // Simulated time stands alone only when nothing of the kernel ran on the host.
  const hostOps = Array.isArray(s.hostOps) ? s.hostOps.length : 0;
  const simulated = seconds !== undefined && seconds > 0 && hostOps === 0;
  const timeMs = simulated ? seconds! * 1e3 : input.wallMs;
  const flops = input.work.flops;
  // The device's DMA traffic when the whole kernel ran on it; else every parameter's bytes once.
  const dma = num(s.dmaBytes);
  const bytes = simulated && dma !== undefined && dma > 0 ? dma : input.work.bytes;
  const peakFlops = num(target.peak.flopsPerSecond[input.dtype]);
  const peakBytes = num(target.peak.bytesPerSecond.global);
  const roofs = memoryRoofs(target, s, simulated, input.work.bytes);
  const out: {
    -readonly [K in keyof FastVerdict]: FastVerdict[K];
  } = { flops, bytes, peakFlops, peakBytes, cycles };
  if (bytes > 0) out.intensity = flops / bytes;
  if (timeMs !== undefined && timeMs > 0) {
    out.timeMs = timeMs;
    out.timeSource = simulated ? "simulated" : "wall";
    if (flops > 0) out.gflops = flops / (timeMs * 1e6);
    if (bytes > 0) out.gbps = bytes / (timeMs * 1e6);
    const computeS = peakFlops && flops > 0 ? flops / peakFlops : 0;
    let memoryS = 0, roof: string | undefined;
    for (const r of roofs) {
      const t = r.bytes / r.bytesPerSecond;
      if (t > memoryS) [memoryS, roof] = [t, r.name];
    }
    if (computeS > 0 || memoryS > 0) {
      out.bound = computeS >= memoryS ? "compute" : "memory";
      out.roof = computeS >= memoryS ? "compute" : roof;
      out.roofline = Math.max(computeS, memoryS) / (timeMs / 1e3);
    }
    if (input.baselineMs !== undefined && input.baselineMs > 0) {
      out.baselineMs = input.baselineMs;
      out.baselineRatio = input.baselineMs / timeMs;
    }
  }
  if (flops > 0 && peakFlops === undefined && out.roofline !== undefined) {
    out.detail = `no peak declared for ${input.dtype}: memory roof only`;
  }
  if (out.roofline !== undefined && out.roofline > 1) {
    out.detail = `above the declared roofline (${
      (out.roofline * 100).toFixed(1)
    }%): the target's peaks understate what it achieved`;
  }
  const floor = input.floor;
  if (!floor || (floor.roofline === undefined && floor.baseline === undefined)) return out;
  out.floor = floor;
  if (out.timeSource === undefined) {
    out.detail = "floor not checked: the case was not timed";
    return out;
  }
  if (out.timeSource === "wall" && !input.enforceWall) {
    out.detail = "floor not enforced on wall-clock time (--wall-clock-floors enforces it)";
    return out;
  }
  const misses: string[] = [];
  if (floor.roofline !== undefined) {
    if (out.roofline === undefined) misses.push("no roofline to compare with (no peaks declared)");
    else if (out.roofline < floor.roofline) {
      misses.push(
        `${pct(out.roofline)} of the roofline, floor ${pct(floor.roofline)}`,
      );
    }
  }
  if (floor.baseline !== undefined) {
    if (out.baselineRatio === undefined) misses.push("no baseline to compare with");
    else if (out.baselineRatio < floor.baseline) {
      misses.push(
        `${out.baselineRatio.toFixed(2)}x the baseline's speed, floor ${floor.baseline}x`,
      );
    }
  }
  out.ok = misses.length === 0;
  if (misses.length) out.detail = `under its floor: ${misses.join("; ")}`;
  return out;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 ? 3 : 1)}%`;
}
