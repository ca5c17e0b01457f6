/**
 * The timing model: how many cycles each command occupies its module.
 *
 * - DMA (LOAD, STORE): data cycles `Σ_rows ⌈rowBytes / bytesPerCycle⌉`, one burst per global row
 *   (a block whose rows are contiguous, `rowStride == cols`, is one burst), at least 1. The load
 *   and store engines are pipelined: a command occupies its engine for its data cycles and
 *   completes `latency` cycles later, so the latencies of back-to-back DMAs overlap. Padding is
 *   generated on the fly and costs nothing. A LOAD into the accumulator runs on the compute
 *   module, which is not pipelined: it occupies compute for latency + data cycles.
 * - GEMM: `overhead + iterations · cyclesPerTile` (one tile product per cycle, pipelined).
 * - ALU: `overhead + iterations · ⌈tile elements / lanes⌉`.
 * - NOP and FINISH: 1 cycle.
 *
 * @module
 */
import { type NpuConfig, tileElems } from "./config.ts";
import { dtypeBytes, type NpuCommand } from "./isa.ts";

/** Bytes a DMA command moves across the global-memory interface. */
export function dmaBytes(c: NpuCommand & { op: "load" | "store" }): number {
  return c.rows * c.cols * dtypeBytes(c.dtype);
}

/** Data cycles of one 2-D DMA of `rows` bursts of `rowBytes` (or one burst if contiguous). */
export function dmaDataCycles(
  config: NpuConfig,
  rows: number,
  rowBytes: number,
  contiguous: boolean,
): number {
  const bw = config.dma.bytesPerCycle;
  const data = rows === 0 || rowBytes === 0
    ? 0
    : contiguous
    ? Math.ceil((rows * rowBytes) / bw)
    : rows * Math.ceil(rowBytes / bw);
  return Math.max(1, data);
}

/** Loop iterations of a GEMM or ALU command. */
export function iterations(extents: readonly number[]): number {
  return extents[0] * extents[1] * extents[2];
}

/** How long a command holds its module, and how much later it completes. */
export interface CommandTime {
  /** Cycles the module is occupied (the next command of the queue may start after them). */
  readonly busy: number;
  /** Cycles from start to completion (when its tokens are pushed): `busy` plus any latency. */
  readonly latency: number;
}

/**
 * The time a command takes.
 *
 * @example
 * ```ts
 * import { commandTime } from "./timing.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * import { NO_DEPS } from "./isa.ts";
 * console.assert(commandTime(REFERENCE_NPU, { op: "finish", deps: NO_DEPS }).busy === 1);
 * ```
 */
export function commandTime(config: NpuConfig, c: NpuCommand): CommandTime {
  switch (c.op) {
    case "load":
    case "store": {
      const contiguous = c.rowStride === c.cols || c.rows === 1;
      const data = dmaDataCycles(config, c.rows, c.cols * dtypeBytes(c.dtype), contiguous);
      const total = data + config.dma.latencyCycles;
      return c.op === "load" && c.buffer === "acc"
        ? { busy: total, latency: total }
        : { busy: data, latency: total };
    }
    case "gemm": {
      const t = config.computeOverheadCycles + iterations(c.extents) * config.gemm.cyclesPerTile;
      return { busy: t, latency: t };
    }
    case "alu": {
      const t = config.computeOverheadCycles +
        iterations(c.extents) * Math.ceil(tileElems(config, "acc") / config.alu.lanes);
      return { busy: t, latency: t };
    }
    case "nop":
    case "finish":
      return { busy: 1, latency: 1 };
  }
}
