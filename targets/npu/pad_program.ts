/**
 * Zero padding on the NPU: a command stream that writes `P = pad(X)` — the padding stage of a
 * convolution — through the accumulator, so a padded convolution runs wholly on the NPU.
 *
 * Both operands are seen as `slices × rows × cols` (NCHW: slices = N·C, rows = H, cols = W;
 * NHWC: slices = N, rows = H, cols = W·C), and `P` adds `top`/`bottom` zero rows per slice and
 * `left`/`right` zero columns per row. The DMA pads on the fly:
 *
 * - **data rows**: one LOAD into the accumulator moves a *run* of X rows (across slices when X is
 *   compact) with `left`/`right` zero columns (the LOAD's own padding), then one STORE per slice
 *   the run touches writes its rows into P (a contiguous burst when a P row is the whole chunk);
 * - **zero rows**: one LOAD with no data writes a zero region once; per zero row of a slice
 *   (`top + bottom` of them), one STORE writes it into every slice at once (row stride = P's
 *   slice stride).
 *
 * Runs alternate between two halves of the accumulator (double buffering as in `convProgram`:
 * compute → store per run, store → compute when a half is free, the last store → FINISH). Rows
 * wider than the accumulator are cut into column chunks. Values pass through exactly: the
 * accumulator holds int8/int32 as integers and widens float16/float32 exactly; the STORE writes
 * the same dtype back.
 *
 * @module
 */
import { type NpuConfig, tileCapacity, tileShape } from "./config.ts";
import { NpuError } from "./errors.ts";
import { dtypeBytes, type NpuDType } from "./isa.ts";
import { NpuProgramBuilder } from "./program.ts";
import { simulateTiming } from "./simulator.ts";

/** Where a pad operand lies: byte address and element strides of slices and rows (cols: 1). */
export interface PadOperand {
  /** Byte address. */
  readonly address: number;
  /** Elements between slices. */
  readonly sliceStride: number;
  /** Elements between rows. */
  readonly rowStride: number;
}

/** A zero-padding copy `P = pad(X)` (see the module doc). */
export interface PadSpec {
  /** Element type of X and P. */
  readonly dtype: NpuDType;
  /** Slices (product of the dimensions before the padded rows). */
  readonly slices: number;
  /** X rows per slice. */
  readonly rows: number;
  /** X elements per row. */
  readonly cols: number;
  /** Zero rows before / after each slice's rows, zero elements before / after each row. */
  readonly pad: {
    readonly top: number;
    readonly bottom: number;
    readonly left: number;
    readonly right: number;
  };
  /** The source. */
  readonly src: PadOperand;
  /** The padded destination. */
  readonly dst: PadOperand;
}

/** How to emit a pad stream. */
export interface PadSchedule {
  /** P columns per chunk (a multiple of the accumulator tile's columns, or all of them). */
  readonly colChunk: number;
  /** Accumulator tile rows of one run half. */
  readonly runTileRows: number;
  /** Accumulator tile rows of zeros (0 when there are no zero rows). */
  readonly zeroTileRows: number;
}

/** A pad stream and what its DMA commands address. */
export interface PadProgram {
  /** The stream's words. */
  readonly words: Int32Array;
  /** Per command: 0 when its address is X's, 1 when P's, −1 none. */
  readonly relocs: Int8Array;
}

/** The relocation operands of a pad stream. */
export const PAD_OPERANDS = { src: 0, dst: 1 } as const;

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** Whether X rows of different slices follow each other evenly (one run may span slices). */
function uniformRows(spec: PadSpec): boolean {
  return spec.slices === 1 || spec.src.sliceStride === spec.rows * spec.src.rowStride;
}

/** X rows [g0, g1) of one run: runs span slices only when X rows are evenly spaced. */
function runs(spec: PadSpec, perRun: number): [number, number][] {
  const out: [number, number][] = [];
  const total = spec.slices * spec.rows;
  for (let g = 0; g < total;) {
    let end = Math.min(total, g + perRun);
    if (!uniformRows(spec)) end = Math.min(end, (Math.floor(g / spec.rows) + 1) * spec.rows);
    out.push([g, end]);
    g = end;
  }
  return out;
}

/**
 * Emit the pad stream of a schedule. Fails with `NPU_SCRATCHPAD_OVERFLOW` when its regions do
 * not fit the accumulator.
 *
 * @example
 * ```ts
 * import { padProgram } from "./pad_program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * // 4 channels of 9×9 int8 → 11×11 (pad 1)
 * const p = padProgram(REFERENCE_NPU, {
 *   dtype: "int8", slices: 4, rows: 9, cols: 9, pad: { top: 1, bottom: 1, left: 1, right: 1 },
 *   src: { address: 0, sliceStride: 81, rowStride: 9 },
 *   dst: { address: 1024, sliceStride: 121, rowStride: 11 },
 * }, { colChunk: 11, runTileRows: 3, zeroTileRows: 1 });
 * console.assert(p.relocs.length === p.words.length / 16);
 * ```
 */
export function padProgram(config: NpuConfig, spec: PadSpec, s: PadSchedule): PadProgram {
  const [tr, tc] = tileShape(config, "acc");
  const { top, bottom, left, right } = spec.pad;
  const colsP = left + spec.cols + right;
  const tcw = ceilDiv(Math.min(s.colChunk, colsP), tc);
  const cap = tileCapacity(config, "acc", 4);
  const zeroRows = top + bottom > 0;
  if ((s.zeroTileRows + 2 * s.runTileRows) * tcw > cap || (zeroRows && s.zeroTileRows < 1)) {
    throw new NpuError(
      "NPU_SCRATCHPAD_OVERFLOW",
      `Cannot place the buffers of a pad schedule (${
        JSON.stringify(s)
      }) in the accumulator of NPU "${config.name}"`,
      { hint: "choose smaller runs (choosePadSchedule)" },
    );
  }
  const eb = dtypeBytes(spec.dtype), dt = spec.dtype;
  const p = new NpuProgramBuilder(config);
  const relocs: number[] = [];
  const half = s.runTileRows * tcw, zBase = 0, h0 = s.zeroTileRows * tcw;
  const xRow = (g: number) =>
    Math.floor(g / spec.rows) * spec.src.sliceStride + (g % spec.rows) * spec.src.rowStride;
  if (zeroRows) {
    // a LOAD with no data: zeros in the zero region (rows 0: nothing is read)
    p.load("acc", {
      dtype: dt,
      address: spec.src.address,
      rows: 0,
      cols: 0,
      pad: { bottom: s.zeroTileRows * tr, right: tcw * tc },
      base: zBase,
      tileRowStride: tcw,
      deps: { pushNext: true },
    });
    relocs.push(PAD_OPERANDS.src);
  }
  const list = runs(spec, s.runTileRows * tr);
  const chunks = ceilDiv(colsP, s.colChunk);
  const R = chunks * list.length;
  let k = 0, firstZero = zeroRows;
  for (let c0 = 0; c0 < colsP; c0 += s.colChunk) {
    const cw = Math.min(s.colChunk, colsP - c0);
    // zero rows of every slice, up to (zero tile rows × tr) slices per store
    const zr = s.zeroTileRows * tr;
    const zeroRowIdx = [
      ...Array.from({ length: top }, (_, r) => r),
      ...Array.from({ length: bottom }, (_, r) => top + spec.rows + r),
    ];
    for (const r of zeroRowIdx) {
      for (let s0 = 0; s0 < spec.slices; s0 += zr) {
        p.store({
          dtype: dt,
          address: spec.dst.address +
            (s0 * spec.dst.sliceStride + r * spec.dst.rowStride + c0) * eb,
          rows: Math.min(zr, spec.slices - s0),
          cols: cw,
          rowStride: spec.dst.sliceStride,
          base: zBase,
          tileRowStride: tcw,
          deps: { popPrev: firstZero },
        });
        relocs.push(PAD_OPERANDS.dst);
        firstZero = false;
      }
    }
    // the X columns of this chunk and its zero columns
    const x0 = Math.max(c0 - left, 0), x1 = Math.min(c0 + cw - left, spec.cols);
    const n = Math.max(x1 - x0, 0);
    const padL = Math.min(Math.max(left - c0, 0), cw);
    for (const [g0, g1] of list) {
      const base = h0 + (k % 2) * half;
      const rows = g1 - g0;
      p.load("acc", {
        dtype: dt,
        address: spec.src.address + (xRow(g0) + x0) * eb,
        rows: n > 0 ? rows : 0,
        cols: n,
        rowStride: spec.src.rowStride,
        pad: {
          left: padL,
          right: tcw * tc - padL - n,
          bottom: ceilDiv(rows, tr) * tr - (n > 0 ? rows : 0),
        },
        base,
        tileRowStride: tcw,
        deps: { popNext: k >= 2, pushNext: true },
      });
      relocs.push(PAD_OPERANDS.src);
      // one store per slice the run touches
      const segs: [number, number][] = [];
      for (let g = g0; g < g1;) {
        const end = Math.min(g1, (Math.floor(g / spec.rows) + 1) * spec.rows);
        segs.push([g, end]);
        g = end;
      }
      segs.forEach(([a, b], i) => {
        const sl = Math.floor(a / spec.rows), y = a % spec.rows, at = a - g0;
        p.store({
          dtype: dt,
          address: spec.dst.address +
            (sl * spec.dst.sliceStride + (top + y) * spec.dst.rowStride + c0) * eb,
          rows: b - a,
          cols: cw,
          rowStride: spec.dst.rowStride,
          pad: { top: at % tr },
          base: base + Math.floor(at / tr) * tcw,
          tileRowStride: tcw,
          deps: { popPrev: i === 0, pushPrev: i === segs.length - 1 && (k + 2 < R || k === R - 1) },
        });
        relocs.push(PAD_OPERANDS.dst);
      });
      k++;
    }
  }
  p.finish({ popNext: R > 0 });
  relocs.push(-1);
  return { words: p.build(), relocs: Int8Array.from(relocs) };
}

/** A pad schedule and its simulated cycles. */
export interface PadChoice {
  /** The schedule. */
  readonly schedule: PadSchedule;
  /** Simulated cycles of the stream. */
  readonly cycles: number;
}

/**
 * The fastest pad schedule (runs of every power-of-two size that fits, timed with
 * `simulateTiming`), or undefined when not even one tile row of each buffer fits or the stream
 * would exceed `maxCommands`.
 *
 * @example
 * ```ts
 * import { choosePadSchedule } from "./pad_program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const c = choosePadSchedule(REFERENCE_NPU, {
 *   dtype: "float32", slices: 2, rows: 5, cols: 6, pad: { top: 1, bottom: 1, left: 1, right: 1 },
 *   src: { address: 0, sliceStride: 30, rowStride: 6 },
 *   dst: { address: 4096, sliceStride: 56, rowStride: 8 },
 * });
 * console.assert(c !== undefined && c.cycles > 0);
 * ```
 */
export function choosePadSchedule(
  config: NpuConfig,
  spec: PadSpec,
  maxCommands = 4096,
): PadChoice | undefined {
  const [tr, tc] = tileShape(config, "acc");
  const cap = tileCapacity(config, "acc", 4);
  const colsP = spec.pad.left + spec.cols + spec.pad.right;
  const zero = spec.pad.top + spec.pad.bottom > 0;
  // widest chunk leaving room for a zero tile row and two run halves of one tile row
  const tcw = Math.min(ceilDiv(colsP, tc), Math.floor(cap / 3));
  if (tcw < 1) return undefined;
  const colChunk = tcw * tc >= colsP ? colsP : tcw * tc;
  const T = Math.floor(cap / tcw);
  const zeroTileRows = zero
    ? Math.min(ceilDiv(spec.slices, tr), Math.max(1, Math.floor(T / 4)))
    : 0;
  const maxHalf = Math.floor((T - zeroTileRows) / 2);
  const need = ceilDiv(spec.slices * spec.rows, tr);
  let best: PadChoice | undefined;
  const sizes = new Set<number>([Math.min(maxHalf, need)]);
  for (let h = 1; h < Math.min(maxHalf, need); h *= 2) sizes.add(h);
  for (const runTileRows of sizes) {
    if (runTileRows < 1) continue;
    const schedule = { colChunk, runTileRows, zeroTileRows };
    const prog = padProgram(config, spec, schedule);
    if (prog.relocs.length > maxCommands) continue;
    const cycles = simulateTiming(config, prog.words).totalCycles;
    if (!best || cycles < best.cycles) best = { schedule, cycles };
  }
  return best;
}
