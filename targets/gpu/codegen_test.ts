import { lower } from "../../ir/transform/mod.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { TargetError } from "../../ir/errors.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { compileGpu, splitBody } from "./codegen.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { applyGpuSchedule } from "./schedule.ts";

const compile = (src: string, limits = DEFAULT_LIMITS) =>
  compileGpu(lower(parseFunc(src)), { limits });

Deno.test("gpu codegen: thread-bound loops become workgroup and invocation ids, sizes a uniform", () => {
  const a = compile(`func inc(n: int32, A: buffer<float32>[n], B: buffer<float32>[n]) {
  for bx in 0..(n + 63) // 64 thread("blockIdx.x") {
    for tx in 0..64 thread("threadIdx.x") {
      if bx * 64 + tx < n {
        B[bx * 64 + tx] = A[bx * 64 + tx] + 1.0
      }
    }
  }
}`);
  assertEquals(a.kernels.length, 1);
  const k = a.kernels[0];
  assertEquals(k.workgroupSize, [64, 1, 1]);
  assert(k.source.includes("@workgroup_size(64, 1, 1)"));
  assert(k.source.includes("i32(wid.x)") && k.source.includes("i32(lid.x)"));
  assert(k.source.includes("var<uniform> P: Params") && k.source.includes("P.s0"));
  assert(/var<storage, read> b0: array<f32>/.test(k.source));
  assert(/var<storage, read_write> b1: array<f32>/.test(k.source));
  // the grid is (n + 63) / 64, evaluated per call: one pipeline for every n
  assertEquals(k.grid[0].kind, "Binary");
});

Deno.test("gpu codegen: packed sub-word storage, written buffers atomic", () => {
  const a = compile(`func c(A: buffer<int8>[10], B: buffer<float16>[10], C: buffer<bool>[10]) {
  for i in 0..10 {
    B[i] = cast<float16>(A[i])
    C[i] = A[i] > 0i8
  }
}`);
  const s = a.kernels[0].source;
  assert(s.includes("var<storage, read> b0: array<u32>"), s);
  assert(s.includes("var<storage, read_write> b1: array<atomic<u32>>"), s);
  assert(s.includes("atomicOr(") && s.includes("tsr_f16bits("), s);
});

Deno.test("gpu codegen: int64/float64 are refused naming the buffer", () => {
  const e = assertThrows(
    () =>
      compile(`func f(A: buffer<float64>[4], B: buffer<float64>[4]) {
  for i in 0..4 { B[i] = A[i] }
}`),
    TargetError,
  );
  assertEquals(e.code, "GPU_UNSUPPORTED_DTYPE");
  assert(e.message.includes(`buffer "A"`) && e.message.includes("float64"), e.message);
});

Deno.test("gpu codegen: adapter limits are checked at compile time, naming the limit", () => {
  const wide = `func f(A: buffer<float32>[512], B: buffer<float32>[512]) {
  for tx in 0..512 thread("threadIdx.x") { B[tx] = A[tx] }
}`;
  const e1 = assertThrows(() => compile(wide), TargetError);
  assertEquals(e1.code, "GPU_LIMIT_EXCEEDED");
  assert(e1.message.includes("maxComputeWorkgroupSizeX"), e1.message);
  compile(wide, {
    ...DEFAULT_LIMITS,
    maxComputeWorkgroupSizeX: 1024,
    maxComputeInvocationsPerWorkgroup: 1024,
  });
  const shared = `func f(A: buffer<float32>[8192], B: buffer<float32>[8192]) {
  for bx in 0..1 thread("blockIdx.x") {
    allocate S: buffer<float32>[8192](scope="shared")
    for i in 0..8192 { S[i] = A[i] }
    for j in 0..8192 { B[j] = S[j] }
  }
}`;
  const e2 = assertThrows(() => compile(shared), TargetError);
  assert(e2.message.includes("maxComputeWorkgroupStorageSize"), e2.message);
  const params = Array.from({ length: 9 }, (_, k) => `A${k}: buffer<float32>[4]`).join(", ");
  const sum = Array.from({ length: 9 }, (_, k) => `A${k}[i]`).join(" + ");
  const many = `func f(${params}, B: buffer<float32>[4]) {
  for i in 0..4 { B[i] = ${sum} }
}`;
  const e3 = assertThrows(() => compile(many), TargetError);
  assert(e3.message.includes("maxStorageBuffersPerShaderStage"), e3.message);
  const grid = `func f(A: buffer<float32>[70000], B: buffer<float32>[70000]) {
  for bx in 0..70000 thread("blockIdx.x") { B[bx] = A[bx] }
}`;
  const e4 = assertThrows(() => compile(grid), TargetError);
  assert(e4.message.includes("maxComputeWorkgroupsPerDimension"), e4.message);
});

Deno.test("gpu codegen: a symbolic workgroup size is refused", () => {
  const e = assertThrows(
    () =>
      compile(`func f(n: int32, A: buffer<float32>[n], B: buffer<float32>[n]) {
  for tx in 0..n thread("threadIdx.x") { B[tx] = A[tx] }
}`),
    TargetError,
  );
  assertEquals(e.code, "GPU_SYMBOLIC_THREAD_EXTENT");
});

Deno.test("gpu codegen: a global allocation around thread-bound loops is refused", () => {
  const e = assertThrows(
    () =>
      compile(`func f(A: buffer<float32>[64], B: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    allocate S: buffer<float32>[64]
    for tx in 0..64 thread("threadIdx.x") { S[tx] = A[tx] }
    for tx2 in 0..64 thread("threadIdx.x") { B[tx2] = S[63 - tx2] }
  }
}`),
    TargetError,
  );
  assertEquals(e.code, "GPU_ALLOCATION_SPANS_THREADS");
});

Deno.test("gpu codegen: softmax splits into one dispatch per block, intermediates as workspaces", () => {
  const op = findOp("softmax");
  const f = applyGpuSchedule(op.build(op.cases[0])).schedule.func;
  const split = splitBody(lower(f).body);
  assertEquals(split.kernels.length, 3);
  assertEquals(split.workspaces.map((b) => b.name).sort(), [
    "T_softmax_expsum",
    "T_softmax_maxelem",
  ]);
  const a = compileGpu(lower(f), { limits: DEFAULT_LIMITS });
  assertEquals(a.buffers.filter((b) => b.param < 0).length, 2);
  // equal kernels hash equally, different ones not
  assertEquals(new Set(a.kernels.map((k) => k.hash)).size, 3);
});

Deno.test("gpu codegen: float16 as native f16 where the adapter has shader-f16", () => {
  const src = `func h(A: buffer<float16>[8], B: buffer<float16>[8]) {
  for i in 0..8 {
    B[i] = exp(A[i]) * 2.5f16 + A[i]
  }
}`;
  const native = compileGpu(lower(parseFunc(src)), { limits: DEFAULT_LIMITS, nativeF16: true });
  const s = native.kernels[0].source;
  assert(s.startsWith("enable f16;"), s);
  assert(s.includes("array<f16>") && s.includes("2.5h") && s.includes("f16(exp(f32("), s);
  assert(!s.includes("tsr_r16") && !s.includes("atomic"), s);
  const emulated = compile(src).kernels[0].source;
  assert(!emulated.includes("enable f16") && emulated.includes("tsr_r16("), emulated);
});
