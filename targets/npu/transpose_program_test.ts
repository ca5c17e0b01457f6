import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { defineNpuConfig, REFERENCE_NPU } from "./config.ts";
import { NpuError } from "./errors.ts";
import type { NpuDType } from "./isa.ts";
import { simulate } from "./simulator.ts";
import { GlobalMemory } from "./test_harness.ts";
import { transposeFits, transposeProgram } from "./transpose_program.ts";

function check(rows: number, cols: number, dtype: NpuDType, config = REFERENCE_NPU) {
  const mem = new GlobalMemory();
  const a = mem.alloc(rows * cols, dtype), b = mem.alloc(rows * cols, dtype);
  const vals = Array.from(
    { length: rows * cols },
    (_, i) => dtype === "int8" ? ((i * 29) % 251) - 125 : (i % 97) * 0.25 - 12,
  );
  mem.write(a, dtype, vals);
  const p = transposeProgram(config, {
    dtype,
    rows,
    cols,
    src: { address: a, rowStride: cols },
    dst: { address: b, rowStride: rows },
  });
  const r = simulate(config, p.words, mem.bytes);
  const got = mem.read(b, dtype, rows * cols);
  const want = Array.from({ length: rows * cols }, (_, i) => {
    const t = Math.floor(i / rows), q = i % rows;
    return vals[q * cols + t];
  });
  assert(got.every((v, i) => v === want[i]), `${rows}x${cols} ${dtype} transposed`);
  assertEquals(r.bytesLoaded, rows * cols * (dtype === "int8" ? 1 : dtype === "float16" ? 2 : 4));
  return { p, r };
}

Deno.test("transpose stream: OIHW weights [K·C × KH·KW] → per-tap blocks, exact", () => {
  const { p, r } = check(64 * 64, 9, "int8"); // several chunks, double-buffered
  assert(p.relocs.filter((x) => x === 0).length >= 2, "more than one chunk");
  assertEquals(r.totalCycles, p.cycles);
  check(20 * 32, 9, "float32");
  check(24 * 16, 25, "float16");
  check(5, 3, "int8");
});

Deno.test("transpose stream on another chip; rows too wide are NPU_SCRATCHPAD_OVERFLOW", () => {
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
  check(48 * 20, 9, "int8", small);
  assert(!transposeFits(small, 100000));
  const e = assertThrows(
    () =>
      transposeProgram(small, {
        dtype: "int8",
        rows: 4,
        cols: 100000,
        src: { address: 0, rowStride: 100000 },
        dst: { address: 0, rowStride: 4 },
      }),
    NpuError,
  );
  assertEquals(e.code, "NPU_SCRATCHPAD_OVERFLOW");
});
