/**
 * A whole tiled matmul `C[M,N] = A[M,K] · B[K,N]` (+ bias, + ALU epilogue) as one command stream,
 * with zero padding for unaligned shapes and double buffering through dependency tokens.
 *
 * Blocking: C is cut into blocks of `blockM × blockN` tiles; for each block the reduction runs in
 * chunks of `blockK` tiles. A step = one chunk of one block: load an A chunk and a B chunk, then
 * one GEMM command over (m, n, k) tiles. With `doubleBuffer`, chunks alternate between two halves
 * of the input and weight scratchpads and blocks between two halves of the accumulator, so loads
 * of step s+1 and the store of block j−1 overlap the GEMM of step s.
 *
 * Tokens (D = 2 double-buffered, 1 single): load pushes one token per step (data ready); compute
 * pops it, and pushes one back when a slot may be refilled (popped by the load of step s+D);
 * compute pushes one per block to store (results ready); store pushes one back when an accumulator
 * half is free (popped by the first compute command of block j+D) and after the last block
 * (popped by FINISH).
 *
 * @module
 */
import { modeBytes, type NpuConfig, type NpuMode, tileCapacity } from "./config.ts";
import { NpuError } from "./errors.ts";
import { type AluOp, dtypeBytes, type NpuDType } from "./isa.ts";
import { type DepFlags, NpuProgramBuilder } from "./program.ts";

/** A matrix in global memory: byte address and row stride in elements (default: its width). */
export interface MatrixRef {
  /** Byte address in global memory. */
  readonly address: number;
  /** Elements between consecutive global rows. */
  readonly rowStride?: number;
}

/** One epilogue step on the accumulator: `acc = op(acc, imm)`. */
export interface EpilogueOp {
  /** The operation. */
  readonly op: AluOp;
  /** The immediate operand. */
  readonly imm: number;
}

/** The problem: shapes, where the operands are, element types and the epilogue. */
export interface MatmulSpec {
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The reduction length. */
  readonly k: number;
  /** A[M,K] row-major, or A stored as [K,M] (`transposed`: loaded with a transposing DMA). */
  readonly a: MatrixRef & { readonly transposed?: boolean };
  /** B[K,N] row-major, or B stored as [N,K] (`transposed`, as dense weights are). */
  readonly b: MatrixRef & { readonly transposed?: boolean };
  /** C[M,N] row-major, or C stored as [N,M] (`transposed`: stored with a transposing DMA). */
  readonly c: MatrixRef & { readonly transposed?: boolean };
  /** Element type of A and B: the GEMM mode. */
  readonly inDtype: NpuMode;
  /** Element type written to C (int8/int32 for int8 inputs, float16/float32 otherwise). */
  readonly outDtype: NpuDType;
  /** Optional bias [N] (int32 or int8 for int8 inputs; float32/float16 otherwise) added first. */
  readonly bias?: { readonly address: number; readonly dtype: NpuDType };
  /**
   * Optional starting values of the accumulator: a matrix [M,N] (or [N,M] when `transposed`)
   * loaded into the accumulator before a block's first GEMM, so the program computes
   * `C = accIn + A·B` (accIn may be C itself: accumulate onto C). Exclusive with `bias`.
   */
  readonly accIn?: MatrixRef & { readonly dtype: NpuDType; readonly transposed?: boolean };
  /** ALU steps applied to each finished block before it is stored (e.g. requant, relu). */
  readonly epilogue?: readonly EpilogueOp[];
}

/** Block sizes in tiles and whether to double-buffer. */
export interface MatmulSchedule {
  /** Tiles of a block along M. */
  readonly blockM: number;
  /** Tiles of a block along N. */
  readonly blockN: number;
  /** Tiles of a reduction chunk along K. */
  readonly blockK: number;
  /** Alternate two halves of each scratchpad (overlap loads, GEMMs and stores). */
  readonly doubleBuffer: boolean;
  /** Walk blocks row by row (`"mn"`, default) or column by column (`"nm"`). */
  readonly order?: "mn" | "nm";
  /**
   * Shorten the pipeline's fill and drain (default true): the very first step loads and multiplies
   * A tile row by tile row, and the last block is multiplied and stored tile row by tile row.
   */
  readonly splitEdges?: boolean;
}

/** Tiles of a problem along M, N, K. */
export function matmulTiles(config: NpuConfig, spec: MatmulSpec): [number, number, number] {
  const g = config.gemm;
  return [
    Math.ceil(spec.m / g.batch),
    Math.ceil(spec.n / g.blockOut),
    Math.ceil(spec.k / g.blockIn),
  ];
}

/** Whether a schedule's buffers fit the scratchpads. */
export function scheduleFits(config: NpuConfig, spec: MatmulSpec, s: MatmulSchedule): boolean {
  const d = s.doubleBuffer ? 2 : 1, b = modeBytes(spec.inDtype);
  return d * s.blockM * s.blockK <= tileCapacity(config, "input", b) &&
    d * s.blockK * s.blockN <= tileCapacity(config, "weight", b) &&
    d * s.blockM * s.blockN <= tileCapacity(config, "acc", 4);
}

/**
 * Emit the stream of a matmul. Fails with `NPU_SCRATCHPAD_OVERFLOW` when the schedule's buffers do
 * not fit.
 *
 * @example
 * ```ts
 * import { matmulProgram } from "./matmul_program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const words = matmulProgram(REFERENCE_NPU, {
 *   m: 20, n: 20, k: 20, a: { address: 0 }, b: { address: 400 }, c: { address: 800 },
 *   inDtype: "int8", outDtype: "int32",
 * }, { blockM: 1, blockN: 1, blockK: 1, doubleBuffer: true });
 * console.assert(words.length % 16 === 0);
 * ```
 */
export function matmulProgram(
  config: NpuConfig,
  spec: MatmulSpec,
  schedule: MatmulSchedule,
): Int32Array {
  if (!scheduleFits(config, spec, schedule)) {
    throw new NpuError(
      "NPU_SCRATCHPAD_OVERFLOW",
      `Cannot place a ${schedule.blockM}x${schedule.blockN}x${schedule.blockK}-tile matmul block${
        schedule.doubleBuffer ? " (double-buffered)" : ""
      } in the scratchpads of NPU "${config.name}"`,
      { hint: "choose smaller blocks (chooseMatmulSchedule)" },
    );
  }
  const p = new NpuProgramBuilder(config);
  const g = config.gemm;
  const [Mt, Nt, Kt] = matmulTiles(config, spec);
  const { blockM: bm, blockN: bn, blockK: bk } = schedule;
  const D = schedule.doubleBuffer ? 2 : 1;
  const blocks: [number, number][] = [];
  const mBlocks = Math.ceil(Mt / bm), nBlocks = Math.ceil(Nt / bn), kSteps = Math.ceil(Kt / bk);
  for (let i = 0; i < (schedule.order === "nm" ? nBlocks : mBlocks); i++) {
    for (let j = 0; j < (schedule.order === "nm" ? mBlocks : nBlocks); j++) {
      blocks.push(schedule.order === "nm" ? [j, i] : [i, j]);
    }
  }
  const J = blocks.length, S = J * kSteps;
  const ebIn = modeBytes(spec.inDtype);
  const ldaA = spec.a.rowStride ?? (spec.a.transposed ? spec.m : spec.k);
  const ldaB = spec.b.rowStride ?? (spec.b.transposed ? spec.k : spec.n);
  const ldaC = spec.c.rowStride ?? (spec.c.transposed ? spec.m : spec.n);
  if (spec.bias && spec.accIn) {
    throw new NpuError("NPU_BAD_COMMAND", "Cannot emit a matmul with both a bias and accIn");
  }
  const ebOut = dtypeBytes(spec.outDtype);
  const mode = spec.inDtype;
  const biasBytes = spec.bias ? dtypeBytes(spec.bias.dtype) : 0;
  const accIn = spec.accIn;
  const ldaIn = accIn ? accIn.rowStride ?? (accIn.transposed ? spec.m : spec.n) : 0;
  const ebAccIn = accIn ? dtypeBytes(accIn.dtype) : 0;
  blocks.forEach(([mb, nb], j) => {
    const m0 = mb * bm, n0 = nb * bn;
    const mT = Math.min(bm, Mt - m0), nT = Math.min(bn, Nt - n0);
    const rows = Math.min(spec.m - m0 * g.batch, mT * g.batch);
    const cols = Math.min(spec.n - n0 * g.blockOut, nT * g.blockOut);
    const accBase = (j % D) * bm * bn;
    // rows of A (and of C) covered by tile rows [r0, r0 + rT) of this block
    const rowsOf = (r0: number, rT: number) => Math.min(rows - r0 * g.batch, rT * g.batch);
    for (let kc = 0; kc < kSteps; kc++) {
      const s = j * kSteps + kc;
      const k0 = kc * bk, kT = Math.min(bk, Kt - k0);
      const kk = Math.min(spec.k - k0 * g.blockIn, kT * g.blockIn);
      const inpBase = (s % D) * bm * bk, wgtBase = (s % D) * bk * bn;
      const firstOfBlock = kc === 0, lastOfBlock = kc === kSteps - 1;
      // Row groups: the first step loads and multiplies tile row by tile row (the first GEMM
      // starts early); a block's last step multiplies and stores row by row (the store starts early).
      const splitLoad = schedule.splitEdges !== false && s === 0 && mT > 1;
      const splitStore = schedule.splitEdges !== false && lastOfBlock && j === J - 1 && mT > 1;
      const groups: [number, number][] = splitLoad || splitStore
        ? Array.from({ length: mT }, (_, r) => [r, 1])
        : [[0, mT]];
      // load queue: the B chunk [kk × cols], then the A chunk [rows × kk] (whole or by tile row)
      const bAddr = spec.b.transposed
        ? spec.b.address + ((n0 * g.blockOut) * ldaB + k0 * g.blockIn) * ebIn
        : spec.b.address + ((k0 * g.blockIn) * ldaB + n0 * g.blockOut) * ebIn;
      p.load("weight", {
        dtype: mode,
        address: bAddr,
        rows: spec.b.transposed ? cols : kk,
        cols: spec.b.transposed ? kk : cols,
        rowStride: ldaB,
        transpose: spec.b.transposed ?? false,
        pad: { bottom: kT * g.blockIn - kk, right: nT * g.blockOut - cols },
        base: wgtBase,
        tileRowStride: nT,
        deps: { popNext: s >= D },
      });
      const aGroups: [number, number][] = splitLoad ? groups : [[0, mT]];
      for (const [r0, rT] of aGroups) {
        const ar = rowsOf(r0, rT);
        const row0 = (m0 + r0) * g.batch, col0 = k0 * g.blockIn;
        p.load("input", {
          dtype: mode,
          address: spec.a.address +
            (spec.a.transposed ? col0 * ldaA + row0 : row0 * ldaA + col0) * ebIn,
          rows: spec.a.transposed ? kk : ar,
          cols: spec.a.transposed ? ar : kk,
          rowStride: ldaA,
          transpose: spec.a.transposed ?? false,
          pad: { bottom: rT * g.batch - ar, right: kT * g.blockIn - kk },
          base: inpBase + r0 * kT,
          tileRowStride: kT,
          deps: { pushNext: true },
        });
      }
      // compute queue
      let pending: DepFlags = { popNext: firstOfBlock && j >= D };
      if (firstOfBlock && spec.bias) {
        p.load("acc", {
          dtype: spec.bias.dtype,
          address: spec.bias.address + n0 * g.blockOut * biasBytes,
          rows: mT * g.batch,
          cols,
          rowStride: 0,
          pad: { right: nT * g.blockOut - cols },
          base: accBase,
          tileRowStride: nT,
          deps: pending,
        });
        pending = {};
      }
      if (firstOfBlock && accIn) {
        const row0 = m0 * g.batch, col0 = n0 * g.blockOut;
        p.load("acc", {
          dtype: accIn.dtype,
          address: accIn.address +
            (accIn.transposed ? col0 * ldaIn + row0 : row0 * ldaIn + col0) * ebAccIn,
          rows: accIn.transposed ? cols : rows,
          cols: accIn.transposed ? rows : cols,
          rowStride: ldaIn,
          transpose: accIn.transposed ?? false,
          pad: { bottom: mT * g.batch - rows, right: nT * g.blockOut - cols },
          base: accBase,
          tileRowStride: nT,
          deps: pending,
        });
        pending = {};
      }
      const epi = lastOfBlock ? spec.epilogue ?? [] : [];
      groups.forEach(([r0, rT], gi) => {
        const last = gi === groups.length - 1;
        const ready = lastOfBlock && (splitStore || last);
        p.gemm({
          mode,
          reset: firstOfBlock && !spec.bias && !accIn,
          acc: accBase + r0 * nT,
          inp: inpBase + r0 * kT,
          wgt: wgtBase,
          loops: [
            { extent: rT, acc: nT, inp: kT },
            { extent: nT, acc: 1, wgt: 1 },
            { extent: kT, inp: 1, wgt: nT },
          ],
          deps: {
            ...pending,
            popPrev: splitLoad || gi === 0,
            pushPrev: last && s + D < S,
            pushNext: ready && epi.length === 0,
          },
        });
        pending = {};
        epi.forEach((e, i) =>
          p.alu({
            op: e.op,
            mode,
            dst: accBase + r0 * nT,
            imm: e.imm,
            loops: [{ extent: rT * nT, dst: 1 }],
            deps: { pushNext: ready && i === epi.length - 1 },
          })
        );
      });
      if (!lastOfBlock) continue;
      // store queue: the block (whole, or by tile row when split)
      const sGroups: [number, number][] = splitStore ? groups : [[0, mT]];
      sGroups.forEach(([r0, rT], gi) => {
        const row0 = (m0 + r0) * g.batch, col0 = n0 * g.blockOut;
        p.store({
          dtype: spec.outDtype,
          address: spec.c.address +
            (spec.c.transposed ? col0 * ldaC + row0 : row0 * ldaC + col0) * ebOut,
          rows: spec.c.transposed ? cols : rowsOf(r0, rT),
          cols: spec.c.transposed ? rowsOf(r0, rT) : cols,
          rowStride: ldaC,
          transpose: spec.c.transposed ?? false,
          base: accBase + r0 * nT,
          tileRowStride: nT,
          deps: {
            popPrev: true,
            pushPrev: gi === sGroups.length - 1 && (j + D < J || j === J - 1),
          },
        });
      });
    }
  });
  p.finish({ popNext: true });
  return p.build();
}
