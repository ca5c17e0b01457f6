/**
 * The hardware description of an NPU built from the reference design: data, not code. A second
 * chip (another GEMM tile shape, smaller scratchpads, another DMA) is just another config.
 *
 * Scratchpads hold tiles: an input tile is BATCH×BLOCK_IN elements, a weight tile
 * BLOCK_IN×BLOCK_OUT, an accumulator tile BATCH×BLOCK_OUT (int32 or float32). Commands address
 * scratchpads in tiles; how many tiles fit depends on the element width of the data held
 * (`tileCapacity`).
 *
 * @module
 */
import { NpuError } from "./errors.ts";

/** Input element types of the GEMM unit: int8×int8→int32, float16×float16→float32, float32. */
export type NpuMode = "int8" | "float16" | "float32";

/** Scratchpads a command can address. */
export type NpuBuffer = "input" | "weight" | "acc";

/** One scratchpad: capacity and the alignment its scope promises (bytes). */
export interface ScratchpadSpec {
  /** Capacity in bytes. */
  readonly capacityBytes: number;
  /** Alignment in bytes (a power of two dividing the tile size); informational for scopes. */
  readonly alignmentBytes: number;
}

/** The parameters of one NPU. Every field is plain data (JSON-serialisable). */
export interface NpuConfig {
  /** Chip name, used in reports and errors. */
  readonly name: string;
  /** GEMM tile: acc[BATCH×BLOCK_OUT] += inp[BATCH×BLOCK_IN] · wgt[BLOCK_IN×BLOCK_OUT]. */
  readonly gemm: {
    readonly batch: number;
    readonly blockIn: number;
    readonly blockOut: number;
    /** Cycles per tile product once pipelined (1 = one tile-MAC per cycle). */
    readonly cyclesPerTile: number;
  };
  /** Input element types the GEMM unit (and the loads feeding it) accept. */
  readonly modes: readonly NpuMode[];
  /** Scratchpads by name. */
  readonly scratchpads: Readonly<Record<NpuBuffer, ScratchpadSpec>>;
  /** DMA engines (one for loads, one for stores, same figures). */
  readonly dma: {
    /** Bytes moved per cycle within one row burst. */
    readonly bytesPerCycle: number;
    /** Fixed cycles per DMA command (request to first data). */
    readonly latencyCycles: number;
  };
  /** Vector ALU on the accumulator: elements per cycle. */
  readonly alu: { readonly lanes: number };
  /** Fixed cycles per compute command (issue and pipeline fill of GEMM and ALU). */
  readonly computeOverheadCycles: number;
  /** Clock for reporting seconds. */
  readonly clockHz: number;
}

/**
 * The reference NPU: a 16×16×16 int8 GEMM tile per cycle (4096 MACs), float16 and float32 modes
 * with float32 accumulation, 128 KiB input and weight scratchpads, 256 KiB accumulator, and a
 * global memory (the chip's shared SRAM) reached at 256 bytes per cycle after 16 cycles of latency,
 * at 1 GHz.
 */
export const REFERENCE_NPU: NpuConfig = {
  name: "tessera-npu",
  gemm: { batch: 16, blockIn: 16, blockOut: 16, cyclesPerTile: 1 },
  modes: ["int8", "float16", "float32"],
  scratchpads: {
    input: { capacityBytes: 128 * 1024, alignmentBytes: 256 },
    weight: { capacityBytes: 128 * 1024, alignmentBytes: 256 },
    acc: { capacityBytes: 256 * 1024, alignmentBytes: 1024 },
  },
  dma: { bytesPerCycle: 256, latencyCycles: 16 },
  alu: { lanes: 64 },
  computeOverheadCycles: 2,
  clockHz: 1e9,
};

/** Bytes of one element of a mode's inputs. */
export function modeBytes(mode: NpuMode): number {
  return mode === "int8" ? 1 : mode === "float16" ? 2 : 4;
}

/** [rows, cols] of a tile of a scratchpad. */
export function tileShape(config: NpuConfig, buffer: NpuBuffer): [number, number] {
  const g = config.gemm;
  if (buffer === "input") return [g.batch, g.blockIn];
  if (buffer === "weight") return [g.blockIn, g.blockOut];
  return [g.batch, g.blockOut];
}

/** Elements of one tile of a scratchpad. */
export function tileElems(config: NpuConfig, buffer: NpuBuffer): number {
  const [r, c] = tileShape(config, buffer);
  return r * c;
}

/**
 * How many tiles of `elemBytes`-wide elements fit in a scratchpad (accumulator elements are
 * always 4 bytes).
 *
 * @example
 * ```ts
 * import { REFERENCE_NPU, tileCapacity } from "./config.ts";
 * console.assert(tileCapacity(REFERENCE_NPU, "input", 1) === 512);
 * console.assert(tileCapacity(REFERENCE_NPU, "input", 2) === 256);
 * ```
 */
export function tileCapacity(config: NpuConfig, buffer: NpuBuffer, elemBytes: number): number {
  const bytes = buffer === "acc" ? 4 : elemBytes;
  return Math.floor(config.scratchpads[buffer].capacityBytes / (tileElems(config, buffer) * bytes));
}

/** MACs the GEMM unit performs per cycle at full throughput. */
export function peakMacsPerCycle(config: NpuConfig): number {
  const g = config.gemm;
  return (g.batch * g.blockIn * g.blockOut) / g.cyclesPerTile;
}

const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isPow2 = (v: number): boolean => isPosInt(v) && (v & (v - 1)) === 0;

/**
 * Check a config and return it. Every problem is an `NpuError` `NPU_BAD_CONFIG` naming the field.
 *
 * @example
 * ```ts
 * import { defineNpuConfig, REFERENCE_NPU } from "./config.ts";
 * const big = defineNpuConfig({ ...REFERENCE_NPU, name: "big", gemm: { batch: 32, blockIn: 32, blockOut: 32, cyclesPerTile: 1 } });
 * console.assert(big.gemm.blockOut === 32);
 * ```
 */
export function defineNpuConfig(config: NpuConfig): NpuConfig {
  const bad = (field: string, what: string): never => {
    throw new NpuError(
      "NPU_BAD_CONFIG",
      `Cannot define NPU "${config.name}": ${field} ${what}`,
      { path: `npu "${config.name}" / ${field}` },
    );
  };
  if (typeof config.name !== "string" || config.name === "") bad("name", "must be a string");
  for (const f of ["batch", "blockIn", "blockOut", "cyclesPerTile"] as const) {
    if (!isPosInt(config.gemm?.[f])) bad(`gemm.${f}`, "must be a positive integer");
  }
  if (!Array.isArray(config.modes) || config.modes.length === 0) bad("modes", "must list a mode");
  for (const m of config.modes) {
    if (m !== "int8" && m !== "float16" && m !== "float32") bad("modes", `has unknown mode "${m}"`);
  }
  for (const b of ["input", "weight", "acc"] as const) {
    const s = config.scratchpads?.[b];
    if (!s || !isPosInt(s.capacityBytes)) bad(`scratchpads.${b}.capacityBytes`, "must be > 0");
    if (!isPow2(s.alignmentBytes)) bad(`scratchpads.${b}.alignmentBytes`, "must be a power of 2");
    const tileBytes = tileElems(config, b) * (b === "acc" ? 4 : 1);
    if (tileBytes % s.alignmentBytes !== 0) {
      bad(`scratchpads.${b}.alignmentBytes`, `must divide the tile size (${tileBytes} bytes)`);
    }
    if (tileCapacity(config, b, 1) < 1) bad(`scratchpads.${b}.capacityBytes`, "holds no tile");
  }
  if (!isPosInt(config.dma?.bytesPerCycle)) bad("dma.bytesPerCycle", "must be a positive integer");
  if (!(Number.isInteger(config.dma.latencyCycles) && config.dma.latencyCycles >= 0)) {
    bad("dma.latencyCycles", "must be an integer ≥ 0");
  }
  if (!isPosInt(config.alu?.lanes)) bad("alu.lanes", "must be a positive integer");
  if (!(Number.isInteger(config.computeOverheadCycles) && config.computeOverheadCycles >= 0)) {
    bad("computeOverheadCycles", "must be an integer ≥ 0");
  }
  if (!(config.clockHz > 0)) bad("clockHz", "must be > 0");
  return config;
}
