/**
 * Choosing a matmul schedule by simulation: every candidate blocking that fits the scratchpads is
 * emitted and timed with `simulateTiming` (no data is moved, so this costs milliseconds); the
 * fastest wins. The simulator is the cost model.
 *
 * @module
 */
import type { NpuConfig } from "./config.ts";
import { NpuError } from "./errors.ts";
import {
  matmulProgram,
  type MatmulSchedule,
  type MatmulSpec,
  matmulTiles,
  scheduleFits,
} from "./matmul_program.ts";
import { simulateTiming } from "./simulator.ts";

/** Block sizes worth trying along a dimension of `n` tiles: powers of two below it, and n. */
function sizes(n: number): number[] {
  const s = new Set<number>([n]);
  for (let p = 1; p < n; p *= 2) s.add(p);
  return [...s].sort((a, b) => a - b);
}

/**
 * Candidates with more steps than this are not timed (once one candidate is known): tiny blocks
 * only add command overhead on large problems, and timing them costs the most.
 */
const MAX_STEPS = 256;

/** A schedule and the cycles the simulator counted for it. */
export interface ScheduleChoice {
  /** The schedule. */
  readonly schedule: MatmulSchedule;
  /** Cycles the simulator counted. */
  readonly cycles: number;
}

/**
 * The fastest schedule (double-buffered when it fits) for a matmul on `config`.
 *
 * @example
 * ```ts
 * import { chooseMatmulSchedule } from "./matmul_schedule.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const { schedule } = chooseMatmulSchedule(REFERENCE_NPU, {
 *   m: 64, n: 64, k: 64, a: { address: 0 }, b: { address: 4096 }, c: { address: 8192 },
 *   inDtype: "int8", outDtype: "int32",
 * });
 * console.assert(schedule.blockM >= 1);
 * ```
 */
export function chooseMatmulSchedule(
  config: NpuConfig,
  spec: MatmulSpec,
  options: { readonly doubleBuffer?: boolean } = {},
): ScheduleChoice {
  const [Mt, Nt, Kt] = matmulTiles(config, spec);
  let best: ScheduleChoice | undefined;
  const buffering = options.doubleBuffer === undefined ? [true, false] : [options.doubleBuffer];
  for (const doubleBuffer of buffering) {
    for (const blockM of sizes(Mt)) {
      for (const blockN of sizes(Nt)) {
        for (const blockK of sizes(Kt)) {
          for (const order of ["mn", "nm"] as const) {
            const schedule = { blockM, blockN, blockK, doubleBuffer, order };
            const steps = Math.ceil(Mt / blockM) * Math.ceil(Nt / blockN) * Math.ceil(Kt / blockK);
            if (steps > MAX_STEPS && best) continue;
            if (!scheduleFits(config, spec, schedule)) continue;
            const cycles = simulateTiming(config, matmulProgram(config, spec, schedule))
              .totalCycles;
            if (!best || cycles < best.cycles) best = { schedule, cycles };
          }
        }
      }
    }
  }
  if (!best) {
    throw new NpuError(
      "NPU_SCRATCHPAD_OVERFLOW",
      `Cannot fit even one ${spec.inDtype} tile of each operand in the scratchpads of NPU "${config.name}"`,
    );
  }
  return best;
}
