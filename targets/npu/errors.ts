/**
 * Errors of the NPU's command stream and simulator: `NpuError`, a `TargetError` with a stable
 * code and, for a failing command, its index in the stream and its disassembly.
 *
 * | code                    | meaning                                                        |
 * | ----------------------- | -------------------------------------------------------------- |
 * | NPU_BAD_CONFIG          | a hardware config with a missing or ill-typed field            |
 * | NPU_BAD_COMMAND         | a command word stream that does not decode, or illegal fields  |
 * | NPU_UNSUPPORTED_MODE    | a GEMM, ALU or load in a dtype mode the chip does not have     |
 * | NPU_SCRATCHPAD_OVERFLOW | a tile index outside its scratchpad                            |
 * | NPU_OUT_OF_BOUNDS       | a DMA access outside global memory                             |
 * | NPU_MISALIGNED          | a DMA address not aligned to its element size                  |
 * | NPU_DEADLOCK            | a dependency-token wait that can never be satisfied            |
 * | NPU_RACE                | two queues touch one tile with no token ordering between them  |
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";

/** Where a failing command sits in its stream. */
export interface NpuCommandRef {
  /** Index of the command in the stream (0-based). */
  readonly index: number;
  /** Its disassembly. */
  readonly disasm: string;
}

/**
 * An error of the NPU: bad config, bad command, or a failure while simulating a stream.
 *
 * @example
 * ```ts
 * import { NpuError } from "./errors.ts";
 * const e = new NpuError("NPU_DEADLOCK", "Cannot run", {}, { index: 3, disasm: "FINISH" });
 * console.assert(e.command?.index === 3 && e.message.includes("#3"));
 * ```
 */
export class NpuError extends TargetError {
  /** The failing command, when one is to blame. */
  readonly command?: NpuCommandRef;

  /** Create an error; with a command, the message names its index and disassembly. */
  constructor(
    code: string,
    message: string,
    details: { path?: string; hint?: string } = {},
    command?: NpuCommandRef,
  ) {
    super(code, command ? `${message} (command #${command.index}: ${command.disasm})` : message, {
      ...details,
      path: details.path ?? (command ? `npu command #${command.index}` : undefined),
    });
    this.command = command;
  }
}
