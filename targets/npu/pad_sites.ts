/**
 * Pad-region markers (`pad_region.ts`) in a lowered function → NPU sites: the marker is decoded
 * (base offsets and element strides of X and P), the stream is chosen by simulation
 * (`choosePadSchedule`) with operand addresses 0, and the host code relocates it (`site_c.ts`:
 * operand 0 is X, operand 1 is P).
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import { bufferLoad, type Call, type PrimExpr } from "../../ir/expr.ts";
import { decodeIntrinsicCall } from "../../tensorize/auto/mod.ts";
import type { NpuConfig } from "./config.ts";
import { choosePadSchedule, padProgram, type PadSchedule } from "./pad_program.ts";
import { padIntrinsic, type PadKey, padSpecOf } from "./pad_region.ts";

/** A pad site's stream and the arguments of its call. */
export interface PadSiteProgram {
  /** The schedule chosen by simulation. */
  readonly schedule: PadSchedule;
  /** Cycles the simulator predicted. */
  readonly cycles: number;
  /** Command words, addresses relative to the operands. */
  readonly words: Int32Array;
  /** Per command: the operand whose address its DMA adds (0 X, 1 P, −1 none). */
  readonly relocs: Int8Array;
  /** Address arguments of the call: X, P (element loads). */
  readonly args: readonly PrimExpr[];
}

const rowMajor = (shape: readonly number[]) => {
  const s = shape.map(() => 1);
  for (let j = shape.length - 2; j >= 0; j--) s[j] = s[j + 1] * shape[j + 1];
  return s.map((x, j) => (shape[j] === 1 ? 0 : x)); // markers give 0 along unit dimensions
};

/**
 * The stream of one pad marker. Fails with `NPU_UNSUPPORTED` when an operand is not a compact
 * row-major buffer after lowering, or no schedule fits.
 *
 * @example
 * ```ts ignore
 * const p = padSiteProgram(call, key, REFERENCE_NPU);
 * ```
 */
export function padSiteProgram(c: Call, key: PadKey, config: NpuConfig): PadSiteProgram {
  const ops = decodeIntrinsicCall(c, padIntrinsic(key));
  const shapes = [key.shape, key.shape.map((d, j) => d + key.before[j] + key.after[j])];
  ops.forEach((o, q) => {
    const want = rowMajor(shapes[q]);
    const ok = o.strides.every((s, j) => s.kind === "IntImm" && s.value === want[j]);
    if (!ok) {
      throw new TargetError(
        "NPU_UNSUPPORTED",
        `Cannot pad block "${key.block}" on the NPU: operand ${q} is not a compact row-major buffer after lowering`,
      );
    }
  });
  const spec = padSpecOf(key);
  const choice = spec && choosePadSchedule(config, spec);
  if (!spec || !choice) {
    throw new TargetError(
      "NPU_UNSUPPORTED",
      `Cannot pad block "${key.block}" on the NPU: no schedule fits the accumulator`,
    );
  }
  const prog = padProgram(config, spec, choice.schedule);
  return {
    schedule: choice.schedule,
    cycles: choice.cycles,
    words: prog.words,
    relocs: prog.relocs,
    args: ops.map((o) => bufferLoad(o.buffer, [o.offset])),
  };
}
