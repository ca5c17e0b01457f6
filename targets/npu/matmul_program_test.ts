import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { type NDArray, ndarray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { placeholder } from "../../ir/te.ts";
import { createPrimFunc } from "../../ir/te.ts";
import { matmul } from "../../ir/ops/mod.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { defineNpuConfig, type NpuConfig, REFERENCE_NPU } from "./config.ts";
import { NpuError } from "./errors.ts";
import { matmulProgram, type MatmulSchedule, type MatmulSpec } from "./matmul_program.ts";
import { simulate } from "./simulator.ts";
import { GlobalMemory, placeMatmul } from "./test_harness.ts";

/** C = A·B by the reference interpreter running the op library's matmul. */
function interpMatmul(a: NDArray, b: NDArray, outDtype: "int32" | "float32"): NDArray {
  const A = placeholder(a.shape, a.dtype, "A"), B = placeholder(b.shape, b.dtype, "B");
  return runFunc(createPrimFunc([A, B, matmul(A, B, { outDtype })]), [a, b])[0];
}

function runMatmul(
  config: NpuConfig,
  a: NDArray,
  b: NDArray,
  out: "int32" | "float32" | "int8" | "float16",
  schedule: MatmulSchedule,
) {
  const placed = placeMatmul(a, b, out);
  const report = simulate(
    config,
    matmulProgram(config, placed.spec, schedule),
    placed.memory.bytes,
  );
  return { c: placed.result(), report };
}

const DB: MatmulSchedule = { blockM: 2, blockN: 2, blockK: 2, doubleBuffer: true };

for (const [m, k, n] of [[64, 64, 64], [100, 70, 50]]) {
  Deno.test(`int8 matmul ${m}x${k}x${n} equals the interpreter exactly`, () => {
    const a = randomNDArray("int8", [m, k], 1, -128, 127);
    const b = randomNDArray("int8", [k, n], 2, -128, 127);
    const { c, report } = runMatmul(REFERENCE_NPU, a, b, "int32", DB);
    assertEquals(toNumbers(c), toNumbers(interpMatmul(a, b, "int32")));
    assertEquals(report.gemmTiles, Math.ceil(m / 16) * Math.ceil(n / 16) * Math.ceil(k / 16));
    assertEquals(report.leftoverTokens, {
      loadToCompute: 0,
      computeToLoad: 0,
      computeToStore: 0,
      storeToCompute: 0,
    });
  });
  for (const dt of ["float16", "float32"] as const) {
    Deno.test(`${dt} matmul ${m}x${k}x${n} (float32 accumulation) equals the interpreter bit for bit`, () => {
      const a = randomNDArray(dt, [m, k], 3), b = randomNDArray(dt, [k, n], 4);
      const { c } = runMatmul(REFERENCE_NPU, a, b, "float32", DB);
      assertEquals(toNumbers(c), toNumbers(interpMatmul(a, b, "float32")));
    });
  }
}

Deno.test("int8 matmul with int8 output wraps like int8 arithmetic", () => {
  const a = randomNDArray("int8", [33, 40], 5, -128, 127), b = randomNDArray("int8", [40, 17], 6);
  const { c } = runMatmul(REFERENCE_NPU, a, b, "int8", DB);
  const ref = interpMatmul(a, b, "int32");
  assertEquals(toNumbers(c), toNumbers(ref).map((v) => (v << 24) >> 24));
});

Deno.test("every blocking and buffering gives the same exact result", () => {
  const a = randomNDArray("int8", [50, 90], 7, -128, 127);
  const b = randomNDArray("int8", [90, 40], 8, -128, 127);
  const want = toNumbers(interpMatmul(a, b, "int32"));
  for (const blockM of [1, 3, 4]) {
    for (const blockK of [1, 2, 6]) {
      for (const doubleBuffer of [true, false]) {
        for (const order of ["mn", "nm"] as const) {
          const s = { blockM, blockN: 2, blockK, doubleBuffer, order };
          assertEquals(toNumbers(runMatmul(REFERENCE_NPU, a, b, "int32", s).c), want);
        }
      }
    }
  }
});

Deno.test("dense weights ([N,K], loaded transposed) with bias, requant and relu", () => {
  const [m, k, n] = [37, 45, 29];
  const x = randomNDArray("int8", [m, k], 9, -128, 127);
  const w = randomNDArray("int8", [n, k], 10, -128, 127);
  const bias = randomNDArray("int32", [n], 11, -5000, 5000);
  const placed = placeMatmul(x, w, "int8", {
    transposedB: true,
    bias,
    epilogue: [{ op: "requant", imm: 7 }, { op: "max", imm: 0 }],
  });
  simulate(
    REFERENCE_NPU,
    matmulProgram(REFERENCE_NPU, placed.spec, DB),
    placed.memory.bytes,
  );
  const want: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias.data[j] as number;
      for (let q = 0; q < k; q++) {
        s += (x.data[i * k + q] as number) * (w.data[j * k + q] as number);
      }
      const r = Math.floor((s + 64) / 128); // round half up, shift 7
      want.push(Math.max(0, Math.min(127, Math.max(-128, r))));
    }
  }
  assertEquals(toNumbers(placed.result()), want);
});

Deno.test("float bias and relu epilogue, float16 output", () => {
  const a = randomNDArray("float16", [20, 24], 12), b = randomNDArray("float16", [24, 18], 13);
  const bias = randomNDArray("float32", [18], 14);
  const placed = placeMatmul(a, b, "float16", { bias, epilogue: [{ op: "max", imm: 0 }] });
  simulate(REFERENCE_NPU, matmulProgram(REFERENCE_NPU, placed.spec, DB), placed.memory.bytes);
  const want: number[] = [];
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 18; j++) {
      let s = bias.data[j] as number;
      for (let q = 0; q < 24; q++) {
        s = Math.fround(s + (a.data[i * 24 + q] as number) * (b.data[q * 18 + j] as number));
      }
      want.push(Math.f16round(Math.max(s, 0)));
    }
  }
  assertEquals(toNumbers(placed.result()), want);
});

const SMALL: NpuConfig = defineNpuConfig({
  ...REFERENCE_NPU,
  name: "small-npu",
  gemm: { batch: 8, blockIn: 8, blockOut: 32, cyclesPerTile: 1 },
  modes: ["int8", "float16"],
  scratchpads: {
    input: { capacityBytes: 8 * 1024, alignmentBytes: 64 },
    weight: { capacityBytes: 16 * 1024, alignmentBytes: 256 },
    acc: { capacityBytes: 32 * 1024, alignmentBytes: 1024 },
  },
  dma: { bytesPerCycle: 64, latencyCycles: 24 },
});

Deno.test("a second chip (8x8x32, small scratchpads) runs the same matmuls exactly", () => {
  const a = randomNDArray("int8", [100, 70], 15, -128, 127);
  const b = randomNDArray("int8", [70, 50], 16, -128, 127);
  const { c, report } = runMatmul(SMALL, a, b, "int32", DB);
  assertEquals(toNumbers(c), toNumbers(interpMatmul(a, b, "int32")));
  assertEquals(report.gemmTiles, 13 * 2 * 9); // ⌈100/8⌉ · ⌈50/32⌉ · ⌈70/8⌉
  assertEquals(report.peakMacsPerCycle, 8 * 8 * 32);
  const f = runMatmul(
    SMALL,
    randomNDArray("float16", [30, 20], 17),
    randomNDArray("float16", [20, 40], 18),
    "float32",
    DB,
  );
  assert(f.report.macs === 4 * 3 * 2 * 2048);
});

Deno.test("a schedule that does not fit, or an unsupported mode, is refused", () => {
  const placed = placeMatmul(
    randomNDArray("int8", [64, 64]),
    randomNDArray("int8", [64, 64]),
    "int32",
  );
  const big = { blockM: 64, blockN: 64, blockK: 64, doubleBuffer: true };
  assertEquals(
    assertThrows(() => matmulProgram(SMALL, placed.spec, big), NpuError).code,
    "NPU_SCRATCHPAD_OVERFLOW",
  );
  const f32 = placeMatmul(
    randomNDArray("float32", [8, 8]),
    randomNDArray("float32", [8, 32]),
    "float32",
  );
  const e = assertThrows(
    () => matmulProgram(SMALL, f32.spec, { blockM: 1, blockN: 1, blockK: 1, doubleBuffer: false }),
    NpuError,
  );
  assertEquals(e.code, "NPU_UNSUPPORTED_MODE");
});

Deno.test("double buffering takes fewer cycles than serialised execution, same result", () => {
  const a = randomNDArray("int8", [128, 128], 19, -128, 127);
  const b = randomNDArray("int8", [128, 128], 20, -128, 127);
  const s = { blockM: 2, blockN: 4, blockK: 2 };
  const serial = runMatmul(REFERENCE_NPU, a, b, "int32", {
    ...s,
    doubleBuffer: false,
    splitEdges: false,
  });
  const double = runMatmul(REFERENCE_NPU, a, b, "int32", {
    ...s,
    doubleBuffer: true,
    splitEdges: false,
  });
  assertEquals(toNumbers(double.c), toNumbers(serial.c));
  assertEquals(double.report.busyCycles, serial.report.busyCycles); // same work …
  assert(double.report.totalCycles < serial.report.totalCycles * 0.8); // … overlapped
  assert(
    double.report.totalCycles < double.report.busyCycles.load + double.report.busyCycles.compute,
  );
});

Deno.test("zero-sized edges: a 1x1x1 matmul pads to one tile", () => {
  const { c, report } = runMatmul(
    REFERENCE_NPU,
    ndarray("int8", [1, 1], [-7]),
    ndarray("int8", [1, 1], [9]),
    "int32",
    DB,
  );
  assertEquals(toNumbers(c), [-63]);
  assertEquals(report.gemmTiles, 1);
});

Deno.test("transposed A and C, and accIn (C = C0 + A·B), equal the interpreter", () => {
  const [m, k, n] = [37, 29, 21];
  const a = randomNDArray("int8", [m, k], 5, -128, 127);
  const b = randomNDArray("int8", [k, n], 6, -128, 127);
  const c0 = randomNDArray("int32", [m, n], 7, -1000, 1000);
  const want = interpMatmul(a, b, "int32");
  // place Aᵀ [k, m], B [k, n], C0ᵀ and C both as [n, m]
  const mem = new GlobalMemory();
  const aT = mem.alloc(m * k, "int8"), bA = mem.alloc(k * n, "int8");
  const cT = mem.alloc(m * n, "int32");
  const at = toNumbers(a), c0n = toNumbers(c0);
  mem.write(
    aT,
    "int8",
    Array.from({ length: m * k }, (_, x) => at[(x % m) * k + Math.floor(x / m)]),
  );
  mem.write(bA, "int8", toNumbers(b));
  mem.write(
    cT,
    "int32",
    Array.from({ length: m * n }, (_, x) => c0n[(x % m) * n + Math.floor(x / m)]),
  );
  const spec: MatmulSpec = {
    m,
    n,
    k,
    a: { address: aT, transposed: true },
    b: { address: bA },
    c: { address: cT, transposed: true },
    accIn: { address: cT, dtype: "int32", transposed: true },
    inDtype: "int8",
    outDtype: "int32",
  };
  simulate(REFERENCE_NPU, matmulProgram(REFERENCE_NPU, spec, DB), mem.bytes);
  const got = mem.read(cT, "int32", m * n);
  const w = toNumbers(want);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      assertEquals(got[j * m + i], (w[i * n + j] + c0n[i * n + j]) | 0, `C[${i},${j}]`);
    }
  }
});
