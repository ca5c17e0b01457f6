import { assert, assertEquals } from "../ir/test_util.ts";
import {
  caseFlops,
  caseInputs,
  CASES,
  CONV_RESNET,
  convOut,
  GEMV_4096,
  inputShapes,
  MATMUL_I8_1024,
  MATMUL_U7I8_1024,
  matmulCase,
  outputShape,
  WASM_PEAK,
} from "./cases.ts";

Deno.test("cases: the ids the JSON consumers expect", () => {
  assertEquals(CASES.map((c) => c.id), [
    "matmul_f32_256",
    "matmul_f32_512",
    "matmul_f32_1024",
    "matmul_i8_1024",
    "matmul_u7i8_1024",
    "matmul_f32_1x4096x4096",
    "conv2d_f32_1x64x56x56_k3",
    "wasm_peak_f32",
  ]);
});

Deno.test("caseFlops: 2·m·n·k, 2·N·K·OH·OW·C·R·S, the peak case's own count", () => {
  assertEquals(caseFlops(matmulCase(1024)), 2 * 1024 ** 3);
  assertEquals(caseFlops(CONV_RESNET), 2 * 64 * 56 * 56 * 64 * 9);
  assertEquals(caseFlops(WASM_PEAK), 96 * 2 ** 20);
  assertEquals(caseFlops(GEMV_4096), 2 * 4096 * 4096);
});

Deno.test("convOut and shapes", () => {
  assertEquals(convOut(56, 3, 1, 1), 56);
  assertEquals(convOut(56, 3, 0, 2), 27);
  assertEquals(inputShapes(CONV_RESNET), [[1, 64, 56, 56], [64, 64, 3, 3]]);
  assertEquals(outputShape(CONV_RESNET), [1, 64, 56, 56]);
  assertEquals(outputShape(matmulCase(8)), [8, 8]);
  assertEquals(inputShapes(matmulCase(2, 3, 5)), [[2, 3], [3, 5]]);
  assertEquals(outputShape(GEMV_4096), [1, 4096]);
  assertEquals(matmulCase(2, 3, 5).id, "matmul_f32_2x3x5");
  assertEquals(inputShapes(WASM_PEAK), []);
});

Deno.test("caseInputs: deterministic, in [-1, 1), distinct per operand", () => {
  const [a, b] = caseInputs(matmulCase(16), 3);
  assertEquals(caseInputs(matmulCase(16), 3)[0], a);
  assert(a.every((x) => x >= -1 && x < 1));
  assert(a.some((x, i) => x !== b[i]));
  assert(caseInputs(matmulCase(16), 4)[0].some((x, i) => x !== a[i]));
});

Deno.test("caseInputs: int8 cases are integers over int8, matmul_u7i8's B inside [0, 127]", () => {
  const [a8, b8] = caseInputs(MATMUL_I8_1024, 1);
  const [a7, b7] = caseInputs(MATMUL_U7I8_1024, 1);
  for (const x of [a8, b8, a7]) {
    assert(x.every((v) => Number.isInteger(v) && v >= -128 && v <= 127));
    assert(x.some((v) => v < 0));
  }
  assert(b7.every((v) => Number.isInteger(v) && v >= 0 && v <= 127));
  assert(b7.includes(0) && b7.includes(127));
  assertEquals(MATMUL_U7I8_1024.bRange, [0, 127]);
});
