/**
 * Contraction-region markers (`conv_region.ts`) in a lowered function → NPU sites. The marker
 * is decoded (base offsets and element strides of D, W, Bias, O), and the cheapest of three
 * forms is chosen by simulation:
 *
 * 1. **direct**: every operand moved by DMA where it lies (`convProgram`: the im2col tiles are
 *    gathered by 2-D strided DMA);
 * 2. **packed weights**: the weights copied by host loops into a compact `[r0][r1][r2][n]`
 *    buffer first (OIHW weights: neither channels nor output channels are contiguous per tap),
 *    then direct — the copy is the size of the weights;
 * 3. **host im2col**, only when the data cannot be gathered by DMA, or gathering is over
 *    `IM2COL_GAIN` times slower (NCHW with a column stride above 1: neither channels nor pixels
 *    are contiguous): host loops write the im2col matrix `[pixels][r0·r1·r2]` (its weights, the
 *    transposed OIHW weights, are made on the NPU when they can be), and the region runs as a
 *    plain GEMM over them.
 *
 * OIHW weights (neither DMA-able per tap) are transposed on the NPU by a first stream
 * (`transposeProgram`: form `device-packed-weights`); only weights that cannot be are packed by
 * host loops (form `packed-weights`).
 *
 * An output the DMA cannot store (neither pixels nor channels contiguous) goes through a compact
 * host buffer. The site's streams (one per block of output channels) are fixed at compile time
 * with operand addresses 0 and relocated by the host code (`site_c.ts`).
 *
 * @module
 */
import { add, bufferLoad, int, mul, type PrimExpr } from "../../ir/expr.ts";
import {
  allocate,
  type Buffer,
  bufferStore,
  decl,
  forLoop,
  loopVar,
  type Stmt,
} from "../../ir/stmt.ts";
import type { Call } from "../../ir/expr.ts";
import { TargetError } from "../../ir/errors.ts";
import { decodeIntrinsicCall } from "../../tensorize/auto/mod.ts";
import type { NpuConfig } from "./config.ts";
import {
  CONV_OPERANDS,
  convFeasible,
  convProgram,
  type ConvSchedule,
  type ConvSpec,
} from "./conv_program.ts";
import { foldView } from "./conv_fold.ts";
import type { PadKey } from "./pad_region.ts";
import { modeBytes } from "./config.ts";
import { simulateTiming } from "./simulator.ts";
import { biasDtype, convIntrinsic, type ConvKey } from "./conv_region.ts";
import { chooseConvSchedule, MAX_WORD_BYTES } from "./conv_schedule.ts";
import type { NpuDType } from "./isa.ts";
import { transposeFits, type TransposeProgram, transposeProgram } from "./transpose_program.ts";

/** How a contraction site moves its operands. */
export type ConvForm = "direct" | "device-packed-weights" | "packed-weights" | "im2col";

/** A contraction site's program and host work. */
export interface ConvSiteProgram {
  /** The form chosen. */
  readonly form: ConvForm;
  /** The schedule chosen by simulation. */
  readonly schedule: ConvSchedule;
  /** Cycles the simulator predicted (all streams). */
  readonly cycles: number;
  /** Command words of all streams, addresses relative to the operands. */
  readonly words: Int32Array;
  /** Commands per stream. */
  readonly streams: readonly number[];
  /** Per command: the operand whose address its DMA adds (−1: none). */
  readonly relocs: Int8Array;
  /** Host copies around the site (`weight`, `im2col`, `out`). */
  readonly packs: readonly string[];
  /** Statements before and after the site call, and the buffers they allocate. */
  readonly before: readonly Stmt[];
  /** Statements after the call (unpacking the output). */
  readonly after: readonly Stmt[];
  /** Buffers allocated around the call. */
  readonly allocs: readonly Buffer[];
  /** Address arguments of the call: data, weights, output, bias (element loads). */
  readonly args: readonly PrimExpr[];
  /** The pad region of the data was folded into the gather (its own stream is not needed). */
  readonly folded: boolean;
}

/** The pad region whose output is a contraction site's data (see `convSiteProgram`). */
export interface PadContext {
  /** The pad region. */
  readonly key: PadKey;
  /** Its source X after lowering: the buffer and the element offset of X's origin. */
  readonly x: { readonly buffer: Buffer; readonly offset: PrimExpr };
}

function constStride(e: PrimExpr, what: string): number {
  if (e.kind !== "IntImm") {
    throw new TargetError(
      "NPU_UNSUPPORTED",
      `Cannot offload ${what} to the NPU: its stride is not a constant after lowering`,
    );
  }
  return e.value;
}

const rowMajor = (shape: readonly number[]) => {
  const s = shape.map(() => 1);
  for (let j = shape.length - 2; j >= 0; j--) s[j] = s[j + 1] * shape[j + 1];
  return s;
};

/** Loops copying a strided view into a compact buffer (or back, `unpack`). */
function viewCopy(
  compact: Buffer,
  src: Buffer,
  offset: PrimExpr,
  strides: readonly number[],
  shape: readonly number[],
  unpack: boolean,
): Stmt {
  const vars = shape.map((_, d) => loopVar(`p${d}`));
  const dense = rowMajor(shape);
  let at: PrimExpr = offset, flat: PrimExpr = int(0);
  vars.forEach((v, d) => {
    if (strides[d] !== 0) at = add(at, mul(v, int(strides[d])));
    flat = add(flat, mul(v, int(dense[d])));
  });
  let s: Stmt = unpack
    ? bufferStore(src, bufferLoad(compact, [flat]), [at])
    : bufferStore(compact, bufferLoad(src, [at]), [flat]);
  for (let d = shape.length - 1; d >= 0; d--) s = forLoop(vars[d], 0, shape[d], s);
  return s;
}

const unit = (s: number, e: number) => e <= 1 || s === 1;

/**
 * Host im2col is used over a DMA gather only when it needs this many times fewer NPU cycles: it
 * costs host time the cycle count does not show (the conv is then not wholly on the NPU) and
 * memory (the data times the kernel size). Tiny channel counts (3–16, 2–3× fewer cycles with a
 * host im2col) stay wholly on the NPU; NCHW at column stride > 1 (kernel columns on the tile
 * columns: 20–70× slower gathered) takes the host im2col.
 */
const IM2COL_GAIN = 8;

/** The weights repacked on the NPU (`transpose_program.ts`): the transpose and the new strides. */
interface DevicePack {
  /** Rows and columns of the weights seen as a matrix `[rows × cols]` (row stride `cols`). */
  readonly rows: number;
  readonly cols: number;
  /** Element strides of the repacked `[cols × rows]` weights along r0, r1, r2 and n. */
  readonly r: readonly number[];
  readonly n: number;
}

/**
 * When the weight view (strides `sW` along r0, r1, r2, n) is a compact row-major array whose
 * innermost dimensions are exactly `inner` (OIHW: the taps for the gathered forms, all the
 * reductions for the host im2col form), it is a matrix `[rest × inner]`, and its transpose —
 * made on the NPU — has the strides returned: a dimension of `inner` at A-stride `s` moves
 * `s · rows` in the transpose, one of the rest `s / cols`.
 */
function devicePack(key: ConvKey, sW: readonly number[], inner: readonly number[]) {
  const ext = [...key.r, key.n];
  const dims = [0, 1, 2, 3].filter((d) => ext[d] > 1).sort((a, b) => sW[a] - sW[b]);
  let size = 1;
  for (const d of dims) {
    if (sW[d] !== size) return undefined; // not compact
    size *= ext[d];
  }
  const inn = inner.filter((d) => ext[d] > 1);
  if (!inn.length || dims.slice(0, inn.length).some((d) => !inn.includes(d))) return undefined;
  if (inn.length === dims.length) return undefined; // nothing to transpose
  const cols = inn.reduce((a, d) => a * ext[d], 1), rows = size / cols;
  const st = [0, 1, 2, 3].map((d) =>
    ext[d] <= 1 ? 0 : inn.includes(d) ? sW[d] * rows : sW[d] / cols
  );
  return { rows, cols, r: st.slice(0, 3), n: st[3] } satisfies DevicePack;
}

/** A device pack the accumulator can transpose, else undefined. */
function fitPack(config: NpuConfig, p: DevicePack | undefined): DevicePack | undefined {
  return p && transposeFits(config, p.cols) ? p : undefined;
}

/** The NPU stream transposing the weights `[rows × cols]` into `[cols × rows]`. */
function packStream(config: NpuConfig, key: ConvKey, p: DevicePack): TransposeProgram {
  return transposeProgram(config, {
    dtype: key.mode,
    rows: p.rows,
    cols: p.cols,
    src: { address: 0, rowStride: p.cols },
    dst: { address: 0, rowStride: p.rows },
  });
}

/**
 * The program and host statements of one contraction marker (see the module doc).
 *
 * @example
 * ```ts ignore
 * const p = convSiteProgram(call, key, REFERENCE_NPU, 0);
 * ```
 */
export function convSiteProgram(
  c: Call,
  key: ConvKey,
  config: NpuConfig,
  id: number,
  pad?: PadContext,
): ConvSiteProgram {
  const ops = decodeIntrinsicCall(c, convIntrinsic(key));
  const what = (q: number) => `block "${key.block}" operand ${q}`;
  const st = ops.map((o, q) => o.strides.map((s) => constStride(s, what(q))));
  const hasBias = biasDtype(key) !== undefined;
  const [D, W] = [ops[0], ops[1]], O = ops[ops.length - 1], Bias = hasBias ? ops[2] : undefined;
  const sO = st[ops.length - 1];
  const [m0, m1] = key.m, R = key.r[0] * key.r[1] * key.r[2];
  const before: Stmt[] = [], after: Stmt[] = [], allocs: Buffer[] = [];
  const pack = (o: typeof D, q: number, shape: number[], unpack = false, strides = st[q]) => {
    const P = decl(`${o.buffer.name}_npu${id}`, [shape.reduce((a, b) => a * b, 1)], o.buffer.dtype);
    allocs.push(P);
    const s = viewCopy(P, o.buffer, o.offset, strides, shape, unpack);
    (unpack ? after : before).push(s);
    return P;
  };
  const base: ConvSpec = {
    m: key.m,
    n: key.n,
    r: key.r,
    mode: key.mode,
    outDtype: key.outDtype as NpuDType,
    epilogue: key.epilogue,
    data: { address: 0, m: st[0].slice(0, 2), r: st[0].slice(2) },
    weight: { address: 0, r: st[1].slice(0, 3), n: st[1][3] },
    out: { address: 0, m: sO.slice(0, 2), n: sO[2] },
    bias: Bias ? { address: 0, dtype: Bias.buffer.dtype as NpuDType } : undefined,
  };
  const packs: string[] = [];
  let outArg: PrimExpr = bufferLoad(O.buffer, [O.offset]);
  let spec = base;
  const badOut = sO.some((s) => s < 0) || !(unit(sO[2], key.n) || unit(sO[1], m1));
  if (badOut) {
    const P = pack(O, ops.length - 1, [m0, m1, key.n], true); // written whole by the NPU
    spec = { ...spec, out: { address: 0, m: [m1 * key.n, key.n], n: 1 } };
    outArg = bufferLoad(P, [int(0)]);
    packs.push("out");
  }
  // packed weights: taps outer, the longest reduction (the channels, on the tile columns) next,
  // output channels innermost — one tap's block is one contiguous burst
  const big = key.r.indexOf(Math.max(...key.r));
  const order = [0, 1, 2].filter((d) => d !== big).concat(big);
  const wShape = [...order.map((d) => key.r[d]), key.n];
  const wDense = rowMajor(wShape);
  const wr = [0, 0, 0];
  order.forEach((d, j) => (wr[d] = wDense[j]));
  const compactW = { address: 0, r: wr, n: 1 };
  const packW = () => pack(W, 1, wShape, false, [...order.map((d) => st[1][d]), st[1][3]]);
  const direct = chooseConvSchedule(config, spec);
  // weights that are a compact [rest × taps] array (OIHW) are transposed on the NPU into
  // per-tap blocks the DMA loads; only when that cannot be done are they packed on the host
  const taps = [0, 1, 2].filter((d) => d !== big);
  const devW = fitPack(config, devicePack(key, st[1], taps));
  const devWSpec: ConvSpec | undefined = devW &&
    { ...spec, weight: { address: 0, r: devW.r, n: devW.n } };
  const devPacked = devWSpec && chooseConvSchedule(config, devWSpec);
  const devPackedCycles = devPacked && devPacked.cycles + packStream(config, key, devW!).cycles;
  const packedW = direct || devPacked ? undefined : chooseConvSchedule(config, {
    ...spec,
    weight: compactW,
  });
  const im2colSpec: ConvSpec = {
    ...spec,
    r: [1, 1, R],
    data: { address: 0, m: [m1 * R, R], r: [0, 0, 1] },
    weight: { address: 0, r: [0, 0, key.n], n: 1 },
  };
  const gathered = direct && (!devPacked || direct.cycles <= devPackedCycles!)
    ? direct
    : devPacked
    ? { ...devPacked, cycles: devPackedCycles! }
    : packedW;
  // host im2col only when the DMA cannot gather the data, or gathering is far slower (a
  // reduction too short for the tile columns, e.g. NCHW at stride 2 gathers kernel columns);
  // its GEMM tile count bounds its cycles from below, so it is timed only when it could win
  const g = config.gemm;
  const im2colFloor = Math.ceil((m0 * m1) / g.batch) * Math.ceil(key.n / g.blockOut) *
    Math.ceil(R / g.blockIn) * g.cyclesPerTile;
  const im2colChoice = !gathered || gathered.cycles > IM2COL_GAIN * im2colFloor
    ? chooseConvSchedule(config, im2colSpec)
    : undefined;
  const im2col = im2colChoice &&
      (!gathered || gathered.cycles > IM2COL_GAIN * im2colChoice.cycles)
    ? im2colChoice
    : undefined;
  let form: ConvForm, choice = gathered;
  let dataArg: PrimExpr = bufferLoad(D.buffer, [D.offset]);
  let wArg: PrimExpr = bufferLoad(W.buffer, [W.offset]);
  let devPack: DevicePack | undefined;
  const devicePacked = () => {
    const P = decl(`${W.buffer.name}_npu${id}`, [R * key.n], W.buffer.dtype);
    allocs.push(P);
    return bufferLoad(P, [int(0)]);
  };
  if (im2col) {
    form = "im2col";
    choice = im2col;
    spec = im2colSpec;
    dataArg = bufferLoad(pack(D, 0, [m0, m1, ...key.r]), [int(0)]);
    // the im2col weights [r0·r1·r2 × n]: the transpose of OIHW weights
    const flat = rowMajor([...key.r]).map((x, d) => (key.r[d] > 1 ? x * key.n : 0));
    const dp = fitPack(config, devicePack(key, st[1], [0, 1, 2]));
    if (dp && dp.n === 1 && dp.r.every((x, d) => x === flat[d])) {
      devPack = dp;
      wArg = devicePacked();
      packs.push("im2col");
    } else {
      wArg = bufferLoad(pack(W, 1, [...key.r, key.n]), [int(0)]);
      packs.push("im2col", "weight");
    }
  } else if (gathered === direct) form = "direct";
  else if (devPacked) {
    form = "device-packed-weights";
    spec = devWSpec!;
    devPack = devW;
    wArg = devicePacked();
  } else {
    form = "packed-weights";
    spec = { ...spec, weight: compactW };
    wArg = bufferLoad(packW(), [int(0)]);
    packs.push("weight");
  }
  if (!choice) {
    throw new TargetError(
      "NPU_UNSUPPORTED",
      `Cannot offload block "${key.block}" to the NPU: no blocking of its ${m0}x${m1}x${key.n} region fits the scratchpads in at most ${MAX_WORD_BYTES} bytes of commands`,
    );
  }
  // a pad stage before per-row runs folds into the gather: out-of-bounds pixels become DMA
  // padding and the pad stream goes (wide runs need the padded row pitch: no fold)
  let folded = false;
  const fv = pad && form !== "im2col" && !choice.schedule.wide
    ? foldView(pad.key, D.offset, st[0])
    : undefined;
  if (fv && pad) {
    const eb = modeBytes(key.mode);
    const foldSpec: ConvSpec = {
      ...spec,
      data: { address: fv.shift * eb, m: fv.strides.slice(0, 2), r: fv.strides.slice(2) },
      fold: fv.fold,
    };
    if (convFeasible(foldSpec, choice.schedule.kin, false)) {
      spec = foldSpec;
      dataArg = bufferLoad(pad.x.buffer, [add(pad.x.offset, fv.offset)]);
      folded = true;
    }
  }
  const conv = convProgram(config, spec, choice.schedule);
  const pre = devPack ? packStream(config, key, devPack) : undefined;
  const prog: { streams: readonly Int32Array[]; relocs: readonly Int8Array[] } = pre
    ? {
      streams: [pre.words, ...conv.streams],
      relocs: [
        Int8Array.from(pre.relocs, (r) =>
          r === 0 ? CONV_OPERANDS.rawWeight : r === 1 ? CONV_OPERANDS.weight : -1),
        ...conv.relocs,
      ],
    }
    : conv;
  const words = new Int32Array(prog.streams.reduce((n, w) => n + w.length, 0));
  let at = 0;
  for (const w of prog.streams) {
    words.set(w, at);
    at += w.length;
  }
  const args: PrimExpr[] = [];
  args[CONV_OPERANDS.data] = dataArg;
  args[CONV_OPERANDS.weight] = wArg;
  args[CONV_OPERANDS.out] = outArg;
  if (Bias) args[CONV_OPERANDS.bias] = bufferLoad(Bias.buffer, [Bias.offset]);
  if (devPack) args[CONV_OPERANDS.rawWeight] = bufferLoad(W.buffer, [W.offset]);
  const relocs = new Int8Array(words.length / 16);
  let k = 0;
  for (const r of prog.relocs) {
    relocs.set(r, k);
    k += r.length;
  }
  return {
    form,
    schedule: choice.schedule,
    cycles: folded
      ? prog.streams.reduce((n, w) => n + simulateTiming(config, w).totalCycles, 0)
      : form === "im2col" && pre
      ? choice.cycles + pre.cycles
      : choice.cycles,
    words,
    streams: prog.streams.map((w) => w.length / 16),
    relocs,
    packs,
    before,
    after,
    allocs,
    args,
    folded,
  };
}

/** Wrap a statement in the allocations of a site's host buffers. */
export function withAllocs(s: Stmt, allocs: readonly Buffer[]): Stmt {
  let out = s;
  for (const P of allocs) out = allocate(P, out);
  return out;
}
