/**
 * A contraction region (`conv_region.ts`) as NPU command streams: an implicit GEMM whose input
 * tiles are gathered from the data by 2-D strided DMA — no im2col in memory.
 *
 * Mapping: GEMM rows are pixels, columns output channels, and the reduction runs over one
 * reduction dimension `kin` (a conv's input channels) on the tile's `blockIn` axis, the other two
 * (the kernel taps) as steps. For one tap and a run of pixels, the input tile block
 * `[pixels × channels]` is one DMA: rows = pixels (row stride = the pixel stride) when channels
 * are contiguous (NHWC), or its transpose — rows = channels, columns = contiguous pixels — when
 * pixels are (NCHW at unit column stride). Pixel runs are *wide* when the output rows are evenly
 * spaced in the data (`rowStep = Wq · pixelStep`): then a run crosses output rows, computing
 * `Wq − M1` extra columns per row that are never stored (a conv's padding columns), and one DMA
 * per tap feeds a whole block of pixels; otherwise each output row is its own run, padded to
 * whole tiles.
 *
 * The weights are the stationary operand: a stream loads all the weights of its block of output
 * channels once (one DMA per tap) and keeps them for every pixel block; blocks of output
 * channels beyond what the weight scratchpad holds are separate streams. The optional bias is
 * loaded once per stream into spare accumulator tiles (rows broadcast with row stride 0).
 *
 * Per pixel block: for each (tap, channel chunk) step, load the input tiles and run one GEMM
 * over (pixel tiles, channel tiles, reduction tiles); after the last step, the epilogue on the
 * vector ALU (bias add, relu, shift, clip …), then one STORE per output row segment (skipping
 * the extra columns; transposing for NCHW outputs). Double buffering and tokens are those of
 * `matmulProgram`: input tiles alternate between two halves per step, accumulator tiles between
 * two halves per block, so loads of step s+1 and the stores of block j−1 overlap the GEMM of
 * step s.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { modeBytes, type NpuConfig, type NpuMode, tileCapacity } from "./config.ts";
import type { EpilogueStep } from "./conv_region.ts";
import { NpuError } from "./errors.ts";
import { dtypeBytes, type NpuDType } from "./isa.ts";
import { NpuProgramBuilder } from "./program.ts";
import { dmaDataCycles } from "./timing.ts";

/** Element strides of the operands in global memory (0 along unit dimensions). */
export interface ConvLayout {
  /** Data: byte address, strides along pixels [a, b] and reductions [r0, r1, r2]. */
  readonly data: {
    readonly address: number;
    readonly m: readonly number[];
    readonly r: readonly number[];
  };
  /** Weights: byte address, strides along reductions and output channels. */
  readonly weight: { readonly address: number; readonly r: readonly number[]; readonly n: number };
  /** Output: byte address, strides along pixels and output channels. */
  readonly out: { readonly address: number; readonly m: readonly number[]; readonly n: number };
  /** Bias vector (contiguous along output channels). */
  readonly bias?: { readonly address: number; readonly dtype: NpuDType };
}

/**
 * Zero padding folded into the gather (`ConvSpec.fold`): the data element `(a, b, r0, r1, r2)` is
 * real when, for every dimension listed, `lo ≤ base + a·m[0] + b·m[1] + Σ r_i·r[i] < hi` (its
 * coordinate in the padded image); otherwise it is a zero. The data strides and address are then
 * those of the unpadded data (the address of the view's origin may lie before the data: only real
 * elements are read).
 */
export interface ConvFold {
  /** The padded dimensions (a conv's rows and columns). */
  readonly dims: readonly {
    readonly base: number;
    readonly m: readonly [number, number];
    readonly r: readonly [number, number, number];
    readonly lo: number;
    readonly hi: number;
  }[];
}

/** A region to emit: extents, modes, epilogue and where the operands are. */
export interface ConvSpec extends ConvLayout {
  /** Pixel extents [a, b]. */
  readonly m: readonly [number, number];
  /** Output channels. */
  readonly n: number;
  /** Reduction extents. */
  readonly r: readonly [number, number, number];
  /** GEMM mode. */
  readonly mode: NpuMode;
  /** Dtype stored. */
  readonly outDtype: NpuDType;
  /** Epilogue on the accumulator before the store. */
  readonly epilogue: readonly EpilogueStep[];
  /** Zero padding done by the gather (per-row runs only): out-of-bounds pixels are DMA padding. */
  readonly fold?: ConvFold;
}

/** How to emit a region. */
export interface ConvSchedule {
  /** The reduction dimension on the tiles' blockIn axis. */
  readonly kin: 0 | 1 | 2;
  /** Pixel runs cross output rows (see the module doc). */
  readonly wide: boolean;
  /** Pixel block: tiles (wide) or output rows (not wide). */
  readonly blockM: number;
  /** Reduction tiles per step. */
  readonly chunk: number;
  /** Output-channel tiles per stream. */
  readonly blockN: number;
  /** Alternate two halves of the input and accumulator scratchpads. */
  readonly doubleBuffer: boolean;
}

/** The streams of a region (one per block of output channels) and what they do. */
export interface ConvProgram {
  /** One stream per block of output channels. */
  readonly streams: readonly Int32Array[];
  /** Per stream and command: the operand whose address the command's DMA adds (−1: none). */
  readonly relocs: readonly Int8Array[];
  /** Tile products per stream. */
  readonly tiles: number;
}

/**
 * Operand numbers of relocations: data, weights, output, bias, and the weights as they lie when
 * the site repacks them on the NPU first (`rawWeight`: the repacking stream reads it, the conv
 * streams read the repacked `weight`).
 */
export const CONV_OPERANDS = { data: 0, weight: 1, out: 2, bias: 3, rawWeight: 4 } as const;

interface Run {
  readonly a: number; // the output row (per-row runs)
  readonly row: number; // first tile-aligned pixel row in the block
  readonly cnt: number; // pixels
  readonly off: number; // data element offset of the first pixel
  readonly step: number; // data elements between pixels
}

interface Segment {
  readonly row: number; // pixel row in the block
  readonly off: number; // output element offset of its first pixel
  readonly cnt: number;
}

/** Segments that continue each other in the accumulator and in the output become one store. */
function mergeSegments(segs: readonly Segment[], pixStep: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    const p = out[out.length - 1];
    if (p && p.row + p.cnt === s.row && p.off + p.cnt * pixStep === s.off) {
      out[out.length - 1] = { ...p, cnt: p.cnt + s.cnt };
    } else out.push(s);
  }
  return out;
}

interface MBlock {
  readonly tiles: number;
  readonly runs: readonly Run[];
  readonly segs: readonly Segment[];
}

const unit = (stride: number, extent: number) => extent <= 1 || stride === 1;

/** Pixel step and row pitch of wide runs, when the output rows are evenly spaced in the data. */
export function wideGeometry(spec: ConvSpec): { step: number; wq: number } | undefined {
  const [m0, m1] = spec.m, [s0, s1] = spec.data.m;
  if (m1 === 1) return { step: m0 === 1 ? 1 : s0, wq: 1 };
  if (s1 <= 0) return undefined;
  if (m0 === 1) return { step: s1, wq: m1 };
  if (s0 % s1 !== 0 || s0 / s1 < m1) return undefined;
  return { step: s1, wq: s0 / s1 };
}

/** The two reduction dimensions other than `kin` (the taps). */
export function tapDims(kin: number): [number, number] {
  return kin === 0 ? [1, 2] : kin === 1 ? [0, 2] : [0, 1];
}

/** Can the DMA move the operands for this choice of `kin` (and wide runs)? */
export function convFeasible(spec: ConvSpec, kin: 0 | 1 | 2, wide: boolean): boolean {
  const K = spec.r[kin];
  const strides = [...spec.data.m, ...spec.data.r, ...spec.weight.r, spec.weight.n, ...spec.out.m];
  if (strides.some((s) => s < 0) || spec.out.n < 0) return false;
  // a folded pad: per-row runs only, the channels on the tile columns move no padded coordinate
  if (spec.fold && (wide || spec.fold.dims.some((d) => d.r[kin] !== 0 || d.m[1] < 0))) {
    return false;
  }
  const w = wide ? wideGeometry(spec) : undefined;
  if (wide && !w) return false;
  const pix = wide ? w!.step : spec.data.m[1];
  const pixUnit = unit(pix, wide ? 2 : spec.m[1]);
  const dataOk = unit(spec.data.r[kin], K) || pixUnit;
  const wOk = unit(spec.weight.n, spec.n) || unit(spec.weight.r[kin], K);
  const oOk = unit(spec.out.n, spec.n) || unit(spec.out.m[1], spec.m[1]);
  return dataOk && wOk && oOk;
}

function mBlocks(config: NpuConfig, spec: ConvSpec, s: ConvSchedule): MBlock[] {
  const B = config.gemm.batch, [m0, m1] = spec.m;
  const out: MBlock[] = [];
  if (s.wide) {
    const { step, wq } = wideGeometry(spec)!;
    const mw = (m0 - 1) * wq + m1, per = s.blockM * B;
    for (let p0 = 0; p0 < mw; p0 += per) {
      const cnt = Math.min(mw - p0, per);
      const segs: Segment[] = [];
      for (let y = Math.floor(p0 / wq); y <= Math.floor((p0 + cnt - 1) / wq); y++) {
        const x0 = Math.max(0, p0 - y * wq), x1 = Math.min(m1, p0 + cnt - y * wq);
        const off = y * spec.out.m[0] + x0 * spec.out.m[1];
        if (x1 > x0) segs.push({ row: y * wq + x0 - p0, off, cnt: x1 - x0 });
      }
      if (segs.length) {
        out.push({
          tiles: Math.ceil(cnt / B),
          runs: [{ a: 0, row: 0, cnt, off: p0 * step, step }],
          segs: mergeSegments(segs, spec.out.m[1]),
        });
      }
    }
    return out;
  }
  const rt = Math.ceil(m1 / B);
  for (let y0 = 0; y0 < m0; y0 += s.blockM) {
    const ys = Math.min(s.blockM, m0 - y0);
    const runs: Run[] = [], segs: Segment[] = [];
    for (let y = y0; y < y0 + ys; y++) {
      const row = (y - y0) * rt * B;
      runs.push({ a: y, row, cnt: m1, off: y * spec.data.m[0], step: spec.data.m[1] });
      segs.push({ row, off: y * spec.out.m[0], cnt: m1 });
    }
    out.push({ tiles: ys * rt, runs, segs });
  }
  return out;
}

/** The pixels `[b0, b1)` of a per-row run whose elements are real at tap `(ia, ib)`. */
function realPixels(
  fold: ConvFold,
  run: Run,
  ia: number,
  ib: number,
  ta: number,
  tb: number,
): [number, number] {
  let lo = 0, hi = run.cnt;
  for (const d of fold.dims) {
    const c = d.base + run.a * d.m[0] + ia * d.r[ta] + ib * d.r[tb], k = d.m[1];
    if (k === 0) {
      if (c < d.lo || c >= d.hi) return [0, 0];
      continue;
    }
    lo = Math.max(lo, Math.ceil((d.lo - c) / k));
    hi = Math.min(hi, Math.ceil((d.hi - c) / k));
  }
  return hi > lo ? [lo, hi] : [0, 0];
}

/** Largest pixel block in tiles. */
function maxBlockTiles(config: NpuConfig, spec: ConvSpec, s: ConvSchedule): number {
  return s.wide ? s.blockM : s.blockM * Math.ceil(spec.m[1] / config.gemm.batch);
}

/** Whether a schedule's buffers fit the scratchpads. */
export function convFits(config: NpuConfig, spec: ConvSpec, s: ConvSchedule): boolean {
  const g = config.gemm, b = modeBytes(spec.mode), d = s.doubleBuffer ? 2 : 1;
  const kinT = Math.ceil(spec.r[s.kin] / g.blockIn);
  const taps = spec.r[0] * spec.r[1] * spec.r[2] / spec.r[s.kin];
  const bm = maxBlockTiles(config, spec, s);
  const bias = spec.bias ? s.blockN : 0;
  return d * bm * s.chunk <= tileCapacity(config, "input", b) &&
    taps * kinT * s.blockN <= tileCapacity(config, "weight", b) &&
    d * bm * s.blockN + bias <= tileCapacity(config, "acc", 4);
}

/** Data cycles of a `rows × cols` DMA of `eb`-byte elements with row stride `stride`. */
function dmaCost(config: NpuConfig, rows: number, cols: number, stride: number, eb: number) {
  return dmaDataCycles(config, rows, cols * eb, stride === cols || rows === 1);
}

/**
 * Emit the streams of a region. Fails with `NPU_SCRATCHPAD_OVERFLOW` when the schedule does not
 * fit and `NPU_UNSUPPORTED` when the DMA cannot move an operand (`convFeasible`).
 *
 * @example
 * ```ts
 * import { convProgram } from "./conv_program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * // NHWC 1×6×6×16 data (no padding), HWIO 3×3×16×8 weights → 4×4×8
 * const p = convProgram(REFERENCE_NPU, {
 *   m: [4, 4], n: 8, r: [3, 3, 16], mode: "int8", outDtype: "int32", epilogue: [],
 *   data: { address: 0, m: [96, 16], r: [96, 16, 1] },
 *   weight: { address: 576, r: [384, 128, 8], n: 1 },
 *   out: { address: 1728, m: [32, 8], n: 1 },
 * }, { kin: 2, wide: true, blockM: 2, chunk: 1, blockN: 1, doubleBuffer: true });
 * console.assert(p.streams.length === 1);
 * ```
 */
export function convProgram(config: NpuConfig, spec: ConvSpec, s: ConvSchedule): ConvProgram {
  if (!convFeasible(spec, s.kin, s.wide)) {
    throw new NpuError(
      "NPU_UNSUPPORTED",
      `Cannot gather the operands of a ${
        spec.m.join("x")
      }x${spec.n} region with reduction ${s.kin} on the tile columns by DMA`,
    );
  }
  if (!convFits(config, spec, s)) {
    throw new NpuError(
      "NPU_SCRATCHPAD_OVERFLOW",
      `Cannot place the buffers of a conv schedule (${
        JSON.stringify(s)
      }) in the scratchpads of NPU "${config.name}"`,
      { hint: "choose smaller blocks (chooseConvSchedule)" },
    );
  }
  const g = config.gemm;
  const nT = Math.ceil(spec.n / g.blockOut);
  const streams: Int32Array[] = [], relocs: Int8Array[] = [];
  let tiles = 0;
  for (let n0 = 0; n0 < nT; n0 += s.blockN) {
    const p = new NpuProgramBuilder(config);
    tiles += emitStream(p, spec, s, n0, Math.min(s.blockN, nT - n0));
    streams.push(p.build());
    relocs.push(
      Int8Array.from(
        p.commands,
        (c) =>
          c.op === "store"
            ? CONV_OPERANDS.out
            : c.op !== "load"
            ? -1
            : c.buffer === "input"
            ? CONV_OPERANDS.data
            : c.buffer === "weight"
            ? CONV_OPERANDS.weight
            : CONV_OPERANDS.bias,
      ),
    );
  }
  return { streams, relocs, tiles };
}

/** One stream: output-channel tiles [n0, n0 + nbT). Returns its tile products. */
function emitStream(
  p: NpuProgramBuilder,
  spec: ConvSpec,
  s: ConvSchedule,
  n0: number,
  nbT: number,
): number {
  const config = p.config, g = config.gemm, B = g.batch, I = g.blockIn, O = g.blockOut;
  const eb = modeBytes(spec.mode), ebo = dtypeBytes(spec.outDtype);
  const mode = spec.mode, D = s.doubleBuffer ? 2 : 1;
  const K = spec.r[s.kin], kinT = Math.ceil(K / I);
  const [ta, tb] = tapDims(s.kin);
  const ncols = Math.min(spec.n - n0 * O, nbT * O);
  const blocks = mBlocks(config, spec, s);
  const bm = maxBlockTiles(config, spec, s);
  const chunks = Math.ceil(kinT / s.chunk);
  const taps = spec.r[ta] * spec.r[tb];
  const per = taps * chunks, J = blocks.length, S = J * per;
  const biasBase = D * bm * nbT;
  const { data: dt, weight: wt, out: ot } = spec;
  // weights: stationary, one DMA per tap: tile (t, kt, nt) at (t·kinT + kt)·nbT + nt
  for (let t = 0; t < taps; t++) {
    const ia = Math.floor(t / spec.r[tb]), ib = t % spec.r[tb];
    const addr = wt.address +
      (ia * wt.r[ta] + ib * wt.r[tb] + n0 * O * wt.n) * eb;
    const rowsK = unit(wt.n, spec.n) && !(unit(wt.r[s.kin], K) &&
      dmaCost(config, ncols, K, wt.n, eb) < dmaCost(config, K, ncols, wt.r[s.kin], eb));
    p.load("weight", {
      dtype: mode,
      address: addr,
      rows: rowsK ? K : ncols,
      cols: rowsK ? ncols : K,
      rowStride: rowsK ? wt.r[s.kin] : wt.n,
      transpose: !rowsK,
      pad: { bottom: kinT * I - K, right: nbT * O - ncols },
      base: t * kinT * nbT,
      tileRowStride: nbT,
    });
  }
  if (spec.bias) {
    p.load("acc", {
      dtype: spec.bias.dtype,
      address: spec.bias.address + n0 * O * dtypeBytes(spec.bias.dtype),
      rows: B,
      cols: ncols,
      rowStride: 0,
      pad: { right: nbT * O - ncols },
      base: biasBase,
      tileRowStride: nbT,
    });
  }
  let products = 0;
  blocks.forEach((blk, j) => {
    const accBase = (j % D) * bm * nbT;
    for (let q = 0; q < per; q++) {
      const st = j * per + q;
      const t = Math.floor(q / chunks), c = q % chunks;
      const ia = Math.floor(t / spec.r[tb]), ib = t % spec.r[tb];
      const c0 = c * s.chunk, cT = Math.min(s.chunk, kinT - c0);
      const kc = Math.min(K - c0 * I, cT * I);
      const inpBase = (st % D) * bm * s.chunk;
      const tapOff = ia * dt.r[ta] + ib * dt.r[tb] + c0 * I * dt.r[s.kin];
      blk.runs.forEach((run, ri) => {
        const rT = Math.ceil(run.cnt / B);
        // the real pixels [b0, b1) of the run (all of them unless a pad is folded in)
        const [b0, b1] = spec.fold ? realPixels(spec.fold, run, ia, ib, ta, tb) : [0, run.cnt];
        const n = b1 - b0;
        const pixUnit = unit(run.step, run.cnt);
        const rowsPix = n === 0 || unit(dt.r[s.kin], kc) && !(pixUnit &&
              dmaCost(config, kc, run.cnt, dt.r[s.kin], eb) <
                dmaCost(config, run.cnt, kc, run.step, eb));
        p.load("input", {
          dtype: mode,
          address: n === 0 ? 0 : dt.address + (run.off + b0 * run.step + tapOff) * eb,
          rows: rowsPix ? n : kc,
          cols: rowsPix ? kc : n,
          rowStride: rowsPix ? run.step : dt.r[s.kin],
          transpose: !rowsPix,
          pad: { top: b0, bottom: rT * B - b1, right: cT * I - kc },
          base: inpBase + (run.row / B) * cT,
          tileRowStride: cT,
          deps: { popNext: ri === 0 && st >= D, pushNext: ri === blk.runs.length - 1 },
        });
      });
      const last = q === per - 1;
      const epi = last ? spec.epilogue : [];
      p.gemm({
        mode,
        reset: q === 0,
        acc: accBase,
        inp: inpBase,
        wgt: (t * kinT + c0) * nbT,
        loops: [
          { extent: blk.tiles, acc: nbT, inp: cT },
          { extent: nbT, acc: 1, wgt: 1 },
          { extent: cT, inp: 1, wgt: nbT },
        ],
        deps: {
          popPrev: true,
          popNext: q === 0 && j >= D,
          pushPrev: st + D < S,
          pushNext: last && epi.length === 0,
        },
      });
      products += blk.tiles * nbT * cT;
      epi.forEach((e, i) => {
        const deps = { pushNext: i === epi.length - 1 };
        if (e.bias) {
          p.alu({
            op: "add",
            mode,
            dst: accBase,
            src: biasBase,
            loops: [{ extent: blk.tiles, dst: nbT, src: 0 }, { extent: nbT, dst: 1, src: 1 }],
            deps,
          });
        } else {
          p.alu({
            op: e.op,
            mode,
            dst: accBase,
            imm: e.imm,
            loops: [{ extent: blk.tiles * nbT, dst: 1 }],
            deps,
          });
        }
      });
    }
    blk.segs.forEach((seg, si) => {
      // a merged segment spans output rows: contiguous only as a whole run of pixels
      const rowsPix = unit(ot.n, ncols) && !(unit(ot.m[1], seg.cnt) &&
        dmaCost(config, ncols, seg.cnt, ot.n, ebo) < dmaCost(config, seg.cnt, ncols, ot.m[1], ebo));
      p.store({
        dtype: spec.outDtype,
        address: ot.address + (seg.off + n0 * O * ot.n) * ebo,
        rows: rowsPix ? seg.cnt : ncols,
        cols: rowsPix ? ncols : seg.cnt,
        rowStride: rowsPix ? ot.m[1] : ot.n,
        transpose: !rowsPix,
        pad: { top: seg.row % B },
        base: accBase + Math.floor(seg.row / B) * nbT,
        tileRowStride: nbT,
        deps: {
          popPrev: si === 0,
          pushPrev: si === blk.segs.length - 1 && (j + D < J || j === J - 1),
        },
      });
    });
  });
  p.finish({ popNext: J > 0 });
  return products;
}

/** The dtype a region stores, as a DMA dtype (undefined when the DMA cannot store it). */
export function storeDtype(d: DType): NpuDType | undefined {
  return d === "int8" || d === "int32" || d === "float16" || d === "float32" ? d : undefined;
}
