/**
 * Choosing how to emit a contraction region by simulation, as `chooseMatmulSchedule` does for
 * matmuls: every feasible choice of the reduction on the tile columns, wide or per-row pixel
 * runs, pixel block, reduction chunk, output-channel block and buffering is emitted and timed
 * with `simulateTiming`; the fewest cycles win.
 *
 * @module
 */
import { modeBytes, type NpuConfig, tileCapacity } from "./config.ts";
import {
  convFeasible,
  convFits,
  convProgram,
  type ConvSchedule,
  type ConvSpec,
  wideGeometry,
} from "./conv_program.ts";
import { NpuError } from "./errors.ts";
import { simulateTiming } from "./simulator.ts";

/** A schedule and the cycles the simulator counted for all its streams. */
export interface ConvChoice {
  /** The schedule. */
  readonly schedule: ConvSchedule;
  /** Cycles of all streams together. */
  readonly cycles: number;
}

function sizes(n: number): number[] {
  const s = new Set<number>([n]);
  for (let p = 1; p < n; p *= 2) s.add(p);
  return [...s].sort((a, b) => a - b);
}

/** Candidates with more steps than this are not timed once one candidate is known. */
const MAX_STEPS = 512;

/**
 * Most bytes of command words a schedule may take: the host code writes them on its C stack
 * (1 MiB, shared with the kernel's frames), and compiles one store per word.
 */
export const MAX_WORD_BYTES = 256 * 1024;

/** Cycles of a schedule (all streams). */
export function convCycles(config: NpuConfig, spec: ConvSpec, s: ConvSchedule): number {
  return convProgram(config, spec, s).streams.reduce(
    (n, w) => n + simulateTiming(config, w).totalCycles,
    0,
  );
}

/**
 * The fastest schedule of a region, or undefined when none is feasible (the DMA cannot gather an
 * operand, or not even one tile of each fits).
 *
 * @example
 * ```ts
 * import { chooseConvSchedule } from "./conv_schedule.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const c = chooseConvSchedule(REFERENCE_NPU, {
 *   m: [4, 4], n: 8, r: [3, 3, 16], mode: "int8", outDtype: "int32", epilogue: [],
 *   data: { address: 0, m: [96, 16], r: [96, 16, 1] },
 *   weight: { address: 576, r: [384, 128, 8], n: 1 },
 *   out: { address: 1728, m: [32, 8], n: 1 },
 * });
 * console.assert(c !== undefined && c.schedule.kin === 2);
 * ```
 */
export function chooseConvSchedule(
  config: NpuConfig,
  spec: ConvSpec,
  options: { readonly doubleBuffer?: boolean } = {},
): ConvChoice | undefined {
  const g = config.gemm;
  let best: ConvChoice | undefined;
  const nT = Math.ceil(spec.n / g.blockOut);
  const wcap = tileCapacity(config, "weight", modeBytes(spec.mode));
  // the reduction on the tile columns: the longest one the DMA can gather (fewest padded
  // columns, fewest steps)
  const kins = ([0, 1, 2] as const)
    .filter((k) => convFeasible(spec, k, true) || convFeasible(spec, k, false))
    .sort((a, b) => spec.r[b] - spec.r[a]);
  const kinChoices = kins.filter((k) => spec.r[k] === spec.r[kins[0]]);
  const buffering = options.doubleBuffer === undefined ? [true, false] : [options.doubleBuffer];
  for (const doubleBuffer of buffering) {
    if (best) break; // single buffering only when double buffering does not fit
    for (const kin of kinChoices) {
      const kinT = Math.ceil(spec.r[kin] / g.blockIn);
      const taps = spec.r[0] * spec.r[1] * spec.r[2] / spec.r[kin];
      // weights are stationary: the widest block of output channels whose weights fit
      const blockN = sizes(nT).filter((b) => taps * kinT * b <= wcap).pop();
      if (blockN === undefined) continue;
      for (const wide of [true, false]) {
        if (!convFeasible(spec, kin, wide)) continue;
        const w = wide ? wideGeometry(spec)! : undefined;
        const mUnits = w ? Math.ceil(((spec.m[0] - 1) * w.wq + spec.m[1]) / g.batch) : spec.m[0];
        for (const blockM of sizes(mUnits).reverse()) {
          const chunks = sizes(kinT).filter((c) =>
            convFits(config, spec, { kin, wide, blockM, chunk: c, blockN, doubleBuffer })
          );
          if (!chunks.length) continue;
          const chunk = chunks[chunks.length - 1];
          const steps = Math.ceil(mUnits / blockM) * taps * Math.ceil(kinT / chunk) *
            Math.ceil(nT / blockN);
          if (steps > MAX_STEPS && best) continue;
          const schedule: ConvSchedule = { kin, wide, blockM, chunk, blockN, doubleBuffer };
          const streams = convProgram(config, spec, schedule).streams;
          if (streams.reduce((n, w) => n + w.length, 0) * 4 > MAX_WORD_BYTES) continue;
          const cycles = streams.reduce((n, w) => n + simulateTiming(config, w).totalCycles, 0);
          if (!best || cycles < best.cycles) best = { schedule, cycles };
        }
      }
    }
  }
  return best;
}

/** `chooseConvSchedule`, failing with `NPU_UNSUPPORTED` when nothing is feasible. */
export function requireConvSchedule(config: NpuConfig, spec: ConvSpec): ConvChoice {
  const c = chooseConvSchedule(config, spec);
  if (!c) {
    throw new NpuError(
      "NPU_UNSUPPORTED",
      `Cannot emit a ${spec.m.join("x")}x${spec.n} region with reductions ${
        spec.r.join("x")
      } on NPU "${config.name}": no DMA layout or blocking fits`,
    );
  }
  return c;
}
