/**
 * A transposing copy on the NPU, through the accumulator: `B[t, r] = A[r, t]` for a global
 * `A[R × T]` — how a convolution's OIHW weights (`[K·C] × [KH·KW]`) become per-tap blocks
 * `[KH·KW] × [K·C]` the DMA loads tap by tap, without a host copy.
 *
 * Rows of A are cut into chunks of whole accumulator tile rows; per chunk, one LOAD moves the
 * chunk into the accumulator (a burst when A is contiguous) and one transposing STORE writes it
 * into B (T rows of the chunk's length). Chunks alternate between two accumulator halves with the
 * token protocol of `padProgram`. Values pass through exactly (int8/int32 as integers,
 * float16/float32 widened exactly and stored back in their own dtype).
 *
 * @module
 */
import { type NpuConfig, tileCapacity, tileShape } from "./config.ts";
import { NpuError } from "./errors.ts";
import { dtypeBytes, type NpuDType } from "./isa.ts";
import { NpuProgramBuilder } from "./program.ts";
import { simulateTiming } from "./simulator.ts";

/** A transposing copy `B[t, r] = A[r, t]`. */
export interface TransposeSpec {
  /** Element type of A and B. */
  readonly dtype: NpuDType;
  /** Rows of A (columns of B). */
  readonly rows: number;
  /** Columns of A (rows of B). */
  readonly cols: number;
  /** A: byte address and elements between rows. */
  readonly src: { readonly address: number; readonly rowStride: number };
  /** B: byte address and elements between rows. */
  readonly dst: { readonly address: number; readonly rowStride: number };
}

/** A transpose stream and what its DMA commands address (0: A, 1: B, −1: none). */
export interface TransposeProgram {
  /** The stream's words. */
  readonly words: Int32Array;
  /** Per command: 0 when its address is A's, 1 when B's, −1 none. */
  readonly relocs: Int8Array;
  /** Simulated cycles. */
  readonly cycles: number;
}

/** Largest chunk (accumulator tile rows) two halves of A's rows can take. */
function maxChunkTileRows(config: NpuConfig, cols: number): number {
  const tc = tileShape(config, "acc")[1];
  return Math.floor(tileCapacity(config, "acc", 4) / (2 * Math.ceil(cols / tc)));
}

function emit(config: NpuConfig, spec: TransposeSpec, chunkTileRows: number) {
  const [tr, tc] = tileShape(config, "acc");
  const tcw = Math.ceil(spec.cols / tc), per = chunkTileRows * tr, eb = dtypeBytes(spec.dtype);
  const p = new NpuProgramBuilder(config);
  const relocs: number[] = [];
  const J = Math.ceil(spec.rows / per);
  for (let j = 0; j < J; j++) {
    const r0 = j * per, n = Math.min(per, spec.rows - r0), base = (j % 2) * chunkTileRows * tcw;
    p.load("acc", {
      dtype: spec.dtype,
      address: spec.src.address + r0 * spec.src.rowStride * eb,
      rows: n,
      cols: spec.cols,
      rowStride: spec.src.rowStride,
      pad: { bottom: Math.ceil(n / tr) * tr - n, right: tcw * tc - spec.cols },
      base,
      tileRowStride: tcw,
      deps: { popNext: j >= 2, pushNext: true },
    });
    p.store({
      dtype: spec.dtype,
      address: spec.dst.address + r0 * eb,
      rows: spec.cols,
      cols: n,
      rowStride: spec.dst.rowStride,
      transpose: true,
      base,
      tileRowStride: tcw,
      deps: { popPrev: true, pushPrev: j + 2 < J || j === J - 1 },
    });
    relocs.push(0, 1);
  }
  p.finish({ popNext: J > 0 });
  relocs.push(-1);
  return { words: p.build(), relocs: Int8Array.from(relocs) };
}

/**
 * The fastest transpose stream (chunks of every power-of-two number of tile rows that fits, timed
 * with `simulateTiming`). Fails with `NPU_SCRATCHPAD_OVERFLOW` when not even one tile row of A's
 * columns fits twice in the accumulator.
 *
 * @example
 * ```ts
 * import { transposeProgram } from "./transpose_program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * // OIHW weights 64×64×3×3 (int8): [4096 × 9] → [9 × 4096]
 * const p = transposeProgram(REFERENCE_NPU, {
 *   dtype: "int8", rows: 4096, cols: 9,
 *   src: { address: 0, rowStride: 9 }, dst: { address: 36864, rowStride: 4096 },
 * });
 * console.assert(p.cycles > 0 && p.relocs.length === p.words.length / 16);
 * ```
 */
export function transposeProgram(config: NpuConfig, spec: TransposeSpec): TransposeProgram {
  const tr = tileShape(config, "acc")[0];
  const most = Math.min(maxChunkTileRows(config, spec.cols), Math.ceil(spec.rows / tr));
  if (most < 1) {
    throw new NpuError(
      "NPU_SCRATCHPAD_OVERFLOW",
      `Cannot transpose rows of ${spec.cols} elements through the accumulator of NPU "${config.name}": two tile rows do not fit`,
    );
  }
  let best: TransposeProgram | undefined;
  const sizes = new Set([most]);
  for (let s = 1; s < most; s *= 2) sizes.add(s);
  for (const s of sizes) {
    const prog = emit(config, spec, s);
    const cycles = simulateTiming(config, prog.words).totalCycles;
    if (!best || cycles < best.cycles) best = { ...prog, cycles };
  }
  return best!;
}

/** Whether `transposeProgram` can move rows of `cols` elements on this chip. */
export function transposeFits(config: NpuConfig, cols: number): boolean {
  return maxChunkTileRows(config, cols) >= 1;
}
