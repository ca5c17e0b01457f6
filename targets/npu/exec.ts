/**
 * The exact data semantics of every command on the scratchpads and global memory.
 *
 * - Scratchpads hold element values (input/weight in a `Float32Array`, which holds int8, float16
 *   and float32 exactly; the accumulator in a `Float64Array`, which holds int32 and float32).
 * - int8 GEMM: int32 accumulation with two's-complement wrap-around.
 * - float GEMM: per element, for i = 0 … BLOCK_IN−1 in order, `acc = f32(acc + f32(x·w))` — the
 *   interpreter's float32 semantics of `sum(x·w)` with k ascending (float16 products are exact).
 *
 * @module
 */
import { type NpuBuffer, type NpuConfig, tileElems, tileShape } from "./config.ts";
import { forEachLoop, regionDims, tileAt } from "./geometry.ts";
import type { AluCommand, AluOp, GemmCommand, LoadCommand, NpuDType, StoreCommand } from "./isa.ts";
import { dtypeBytes } from "./isa.ts";

/** The NPU's on-chip state. */
export class NpuScratchpads {
  /** Input scratchpad elements (tile-major). */
  readonly input: Float32Array;
  /** Weight scratchpad elements (tile-major). */
  readonly weight: Float32Array;
  /** Accumulator scratchpad elements (tile-major). */
  readonly acc: Float64Array;

  /** Zero-filled scratchpads sized for `config` (input/weight for 1-byte elements). */
  constructor(readonly config: NpuConfig) {
    const s = config.scratchpads;
    this.input = new Float32Array(s.input.capacityBytes);
    this.weight = new Float32Array(s.weight.capacityBytes);
    this.acc = new Float64Array(s.acc.capacityBytes / 4);
  }

  /** The element array of a scratchpad. */
  array(buffer: NpuBuffer): Float32Array | Float64Array {
    return buffer === "input" ? this.input : buffer === "weight" ? this.weight : this.acc;
  }
}

/** Read one element of global memory as a number. */
export function readElement(view: DataView, addr: number, dtype: NpuDType): number {
  switch (dtype) {
    case "int8":
      return view.getInt8(addr);
    case "int32":
      return view.getInt32(addr, true);
    case "float16":
      return view.getFloat16(addr, true);
    case "float32":
      return view.getFloat32(addr, true);
  }
}

/** Write one element: int8/int32 wrap (two's complement), floats round to nearest even. */
export function writeElement(view: DataView, addr: number, dtype: NpuDType, v: number): void {
  switch (dtype) {
    case "int8":
      return view.setInt8(addr, v);
    case "int32":
      return view.setInt32(addr, v, true);
    case "float16":
      return view.setFloat16(addr, v, true);
    case "float32":
      return view.setFloat32(addr, v, true);
  }
}

/** Visit every element of a DMA's tile region: (region row, region col, scratchpad index). */
function forEachRegionElement(
  config: NpuConfig,
  c: LoadCommand | StoreCommand,
  rows: number,
  cols: number,
  f: (r: number, k: number, idx: number) => void,
): void {
  const [tr, tc] = tileShape(config, c.buffer);
  const te = tr * tc;
  for (let r = 0; r < rows; r++) {
    const tileRow = c.base + Math.floor(r / tr) * c.tileRowStride;
    const inTile = (r % tr) * tc;
    for (let k = 0; k < cols; k++) {
      f(r, k, (tileRow + Math.floor(k / tc)) * te + inTile + (k % tc));
    }
  }
}

/** LOAD: fill the whole padded region; outside the global block it is zero. */
export function execLoad(s: NpuScratchpads, view: DataView, c: LoadCommand): void {
  const [R, C] = regionDims(c);
  const out = s.array(c.buffer);
  const eb = dtypeBytes(c.dtype);
  const [h, w] = c.transpose ? [c.cols, c.rows] : [c.rows, c.cols];
  forEachRegionElement(s.config, c, R, C, (r, k, idx) => {
    const y = r - c.padTop, x = k - c.padLeft;
    if (y < 0 || y >= h || x < 0 || x >= w) {
      out[idx] = 0;
      return;
    }
    const [gr, gc] = c.transpose ? [x, y] : [y, x];
    out[idx] = readElement(view, c.address + (gr * c.rowStride + gc) * eb, c.dtype);
  });
}

/** STORE: write the rows × cols block after the skipped top/left margin, converted to dtype. */
export function execStore(s: NpuScratchpads, view: DataView, c: StoreCommand): void {
  const [R, C] = regionDims(c);
  const eb = dtypeBytes(c.dtype);
  forEachRegionElement(s.config, c, R, C, (r, k, idx) => {
    const y = r - c.padTop, x = k - c.padLeft;
    if (y < 0 || x < 0) return;
    const [gr, gc] = c.transpose ? [x, y] : [y, x];
    writeElement(view, c.address + (gr * c.rowStride + gc) * eb, c.dtype, s.acc[idx]);
  });
}

/** GEMM over its loop nest; returns the number of tile products. */
export function execGemm(s: NpuScratchpads, c: GemmCommand): number {
  const { batch: B, blockIn: I, blockOut: O } = s.config.gemm;
  const ai = B * I, wi = I * O, oi = B * O;
  if (c.reset) {
    forEachLoop(c.extents, (i0, i1, i2) => {
      const a = tileAt(c.accBase, c.accFactors, i0, i1, i2) * oi;
      s.acc.fill(0, a, a + oi);
    });
  }
  const float = c.mode !== "int8";
  const { input, weight, acc } = s;
  let n = 0;
  forEachLoop(c.extents, (i0, i1, i2) => {
    n++;
    const a = tileAt(c.accBase, c.accFactors, i0, i1, i2) * oi;
    const x = tileAt(c.inpBase, c.inpFactors, i0, i1, i2) * ai;
    const w = tileAt(c.wgtBase, c.wgtFactors, i0, i1, i2) * wi;
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        let sum = acc[a + b * O + o];
        if (float) {
          for (let i = 0; i < I; i++) {
            sum = Math.fround(sum + Math.fround(input[x + b * I + i] * weight[w + i * O + o]));
          }
        } else {
          for (let i = 0; i < I; i++) sum += input[x + b * I + i] * weight[w + i * O + o];
          sum |= 0;
        }
        acc[a + b * O + o] = sum;
      }
    }
  });
  return n;
}

/**
 * Integer shift with the sign of the amount choosing the direction: s ≥ 0 is ⌊x / 2^s⌋ (an
 * arithmetic shift right; s ≥ 31 gives 0 or −1), s < 0 is x · 2^−s wrapped to int32 (0 from s ≤ −32).
 */
export function shiftInt(x: number, s: number): number {
  if (s >= 0) return s >= 31 ? (x < 0 ? -1 : 0) : x >> s;
  return s <= -32 ? 0 : (x << -s) | 0;
}

/**
 * Requantise an int32 to int8: round x / 2^s to nearest, ties towards +∞ (`(x + 2^(s−1)) >> s`
 * without overflow), then saturate to [−128, 127]. s < 0 multiplies by 2^−s, saturating; s ≥ 32
 * gives 0 for every int32.
 */
export function requantInt(x: number, s: number): number {
  let v: number;
  if (s > 0) v = s >= 32 ? 0 : Math.floor((x + 2 ** (s - 1)) / 2 ** s);
  else v = x * 2 ** Math.min(-s, 64);
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

/** One ALU op on int32 values (wrap-around). */
const INT_OPS: Readonly<Record<AluOp, (x: number, y: number) => number>> = {
  add: (x, y) => (x + y) | 0, // x + y mod 2^32
  mul: (x, y) => Math.imul(x, y), // x · y mod 2^32
  max: (x, y) => (x > y ? x : y),
  min: (x, y) => (x < y ? x : y),
  shr: shiftInt,
  requant: requantInt,
  mov: (_x, y) => y,
};

/** One ALU op on float32 values; max/min propagate NaN (JS Math.max/min, like wasm f32.max). */
const FLOAT_OPS: Readonly<Partial<Record<AluOp, (x: number, y: number) => number>>> = {
  add: (x, y) => Math.fround(x + y),
  mul: (x, y) => Math.fround(x * y),
  max: Math.max,
  min: Math.min,
  mov: (_x, y) => y,
};

/** ALU over its loop nest; returns the number of tiles processed. */
export function execAlu(s: NpuScratchpads, c: AluCommand): number {
  const te = tileElems(s.config, "acc");
  const f = c.mode === "int8" ? INT_OPS[c.alu] : FLOAT_OPS[c.alu]!;
  const imm = c.mode === "int8" ? c.imm | 0 : Math.fround(c.imm);
  const acc = s.acc;
  let n = 0;
  forEachLoop(c.extents, (i0, i1, i2) => {
    n++;
    const d = tileAt(c.dstBase, c.dstFactors, i0, i1, i2) * te;
    const src = tileAt(c.srcBase, c.srcFactors, i0, i1, i2) * te;
    for (let e = 0; e < te; e++) acc[d + e] = f(acc[d + e], c.useImm ? imm : acc[src + e]);
  });
  return n;
}
