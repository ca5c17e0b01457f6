import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { defineNpuConfig, REFERENCE_NPU } from "./config.ts";
import type { NpuConfig } from "./config.ts";
import { NpuError } from "./errors.ts";
import type { NpuDType } from "./isa.ts";
import { choosePadSchedule, padProgram, type PadSchedule, type PadSpec } from "./pad_program.ts";
import { simulate } from "./simulator.ts";
import { GlobalMemory } from "./test_harness.ts";

interface Case {
  dtype: NpuDType;
  slices: number;
  rows: number;
  cols: number;
  pad: [number, number, number, number]; // top, bottom, left, right
}

/** Place X (random values) and a P full of garbage, run the stream, compare with a JS pad. */
function run(config: NpuConfig, c: Case, schedule?: PadSchedule) {
  const mem = new GlobalMemory();
  const [top, bottom, left, right] = c.pad;
  const rowsP = top + c.rows + bottom, colsP = left + c.cols + right;
  const nx = c.slices * c.rows * c.cols, np = c.slices * rowsP * colsP;
  const x = mem.alloc(nx, c.dtype), p = mem.alloc(np, c.dtype);
  const xs = Array.from(
    { length: nx },
    (_, i) => c.dtype === "int8" ? ((i * 37) % 255) - 127 : ((i * 0.37) % 9) - 4.5,
  );
  mem.write(x, c.dtype, xs);
  mem.write(p, c.dtype, new Array(np).fill(7)); // garbage the stream must overwrite
  const spec: PadSpec = {
    dtype: c.dtype,
    slices: c.slices,
    rows: c.rows,
    cols: c.cols,
    pad: { top, bottom, left, right },
    src: { address: x, sliceStride: c.rows * c.cols, rowStride: c.cols },
    dst: { address: p, sliceStride: rowsP * colsP, rowStride: colsP },
  };
  const s = schedule ?? choosePadSchedule(config, spec)!.schedule;
  const prog = padProgram(config, spec, s);
  const report = simulate(config, prog.words, mem.bytes);
  const want: number[] = [];
  const x32 = mem.read(x, c.dtype, nx);
  for (let sl = 0; sl < c.slices; sl++) {
    for (let r = 0; r < rowsP; r++) {
      for (let q = 0; q < colsP; q++) {
        const y = r - top, xx = q - left;
        const inside = y >= 0 && y < c.rows && xx >= 0 && xx < c.cols;
        want.push(inside ? x32[(sl * c.rows + y) * c.cols + xx] : 0);
      }
    }
  }
  assertEquals(mem.read(p, c.dtype, np), want);
  assertEquals(report.leftoverTokens, {
    loadToCompute: 0,
    computeToLoad: 0,
    computeToStore: 0,
    storeToCompute: 0,
  });
  return { report, prog, spec };
}

Deno.test("pad stream: NCHW-like slices, pad 1, int8 and float32, equal to a JS pad", () => {
  for (const dtype of ["int8", "float32", "float16"] as const) {
    const { report } = run(REFERENCE_NPU, {
      dtype,
      slices: 4,
      rows: 9,
      cols: 9,
      pad: [1, 1, 1, 1],
    });
    assert(report.bytesStored > 0 && report.totalCycles > 0);
  }
});

Deno.test("pad stream: asymmetric pads, NHWC-like rows (cols = W·C), one-sided padding", () => {
  run(REFERENCE_NPU, { dtype: "float32", slices: 1, rows: 8, cols: 8 * 3, pad: [1, 0, 3, 0] });
  run(REFERENCE_NPU, { dtype: "int8", slices: 3, rows: 11, cols: 10, pad: [1, 2, 0, 1] });
  run(REFERENCE_NPU, { dtype: "int8", slices: 2, rows: 5, cols: 6, pad: [0, 0, 2, 2] });
  run(REFERENCE_NPU, { dtype: "int8", slices: 2, rows: 5, cols: 6, pad: [2, 2, 0, 0] });
});

Deno.test("pad stream: many runs double-buffered, column chunks, small zero region", () => {
  const c: Case = { dtype: "int8", slices: 40, rows: 7, cols: 30, pad: [2, 1, 1, 1] };
  // one tile row per run half, zero region of one tile row (16 slices per zero store)
  const { prog } = run(REFERENCE_NPU, c, { colChunk: 32, runTileRows: 1, zeroTileRows: 1 });
  assert(prog.relocs.length > 40);
  // rows wider than a chunk: two column chunks
  run(REFERENCE_NPU, c, { colChunk: 16, runTileRows: 2, zeroTileRows: 2 });
  // a chip with other tiles and a small accumulator
  const small = defineNpuConfig({
    ...REFERENCE_NPU,
    name: "small",
    gemm: { batch: 8, blockIn: 8, blockOut: 32, cyclesPerTile: 1 },
    scratchpads: {
      input: { capacityBytes: 16 * 1024, alignmentBytes: 64 },
      weight: { capacityBytes: 32 * 1024, alignmentBytes: 256 },
      acc: { capacityBytes: 16 * 1024, alignmentBytes: 1024 },
    },
  });
  run(small, { dtype: "float32", slices: 2, rows: 56, cols: 56 * 8, pad: [1, 1, 8, 8] });
});

Deno.test("pad stream: cycles are counted (DMA data + latency), more than a bare FINISH", () => {
  const { report } = run(REFERENCE_NPU, {
    dtype: "int8",
    slices: 64,
    rows: 56,
    cols: 56,
    pad: [1, 1, 1, 1],
  });
  // 64 × 56 × 56 bytes loaded in bursts of 256 B: at least 784 load cycles; the stores at least
  // the padded bytes over 256 B/cycle
  assert(report.busyCycles.compute >= Math.ceil(64 * 56 * 56 / 256));
  assert(report.busyCycles.store >= Math.ceil(64 * 58 * 58 / 256));
  assertEquals(report.bytesLoaded, 64 * 56 * 56);
  assertEquals(report.bytesStored, 64 * 58 * 58);
});

Deno.test("pad stream: a schedule that does not fit the accumulator is NPU_SCRATCHPAD_OVERFLOW", () => {
  const spec: PadSpec = {
    dtype: "int8",
    slices: 1,
    rows: 4,
    cols: 4,
    pad: { top: 1, bottom: 1, left: 1, right: 1 },
    src: { address: 0, sliceStride: 16, rowStride: 4 },
    dst: { address: 64, sliceStride: 36, rowStride: 6 },
  };
  const e = assertThrows(
    () => padProgram(REFERENCE_NPU, spec, { colChunk: 6, runTileRows: 200, zeroTileRows: 1 }),
    NpuError,
  );
  assertEquals(e.code, "NPU_SCRATCHPAD_OVERFLOW");
});
