import "../../tensorize/primitives/get.ts";
import "../../tensorize/primitives/split.ts";
import "../../tensorize/primitives/reorder.ts";
import "../../tensorize/primitives/for_kind.ts";
import { add, cast, max, mul } from "../../ir/expr.ts";
import { ndarray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../../ir/te.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { Schedule } from "../../tensorize/schedule.ts";
import { matmulFunc } from "../../tensorize/testing.ts";
import { build } from "../../sdk/mod.ts";
import gpu, { defineGpuTarget } from "./mod.ts";
import type { GpuDevice } from "./runtime.ts";
import { checkOnGpu, gpuTest } from "./testing.ts";
import { requestDevice } from "./adapter.ts";
import { DEFAULT_LIMITS, NO_FEATURES } from "./limits.ts";
import { TargetError } from "../../ir/errors.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { input, opCase } from "../../ir/ops/descriptor.ts";
import { applyGpuSchedule } from "./schedule.ts";
import { REGISTER_TILING, SHARED_TILING } from "./schedule_gemm.ts";

gpuTest(
  "gpu: elementwise with bound threads equals the interpreter; one pipeline for every n",
  async () => {
    const n = sizeVar("n");
    const A = placeholder([n, 13], "float32", "A");
    const B = compute([n, 13], ([i, j]) => add(mul(A.at(i, j), 2), 1), "B");
    const f = createPrimFunc([A, B], "affine");
    const k = await checkOnGpu(f, [randomNDArray("float32", [6, 13], 1)]);
    const dev = k.device as GpuDevice;
    const compiles = dev.pipelineCompiles;
    await checkOnGpu(f, [randomNDArray("float32", [11, 13], 2)]);
    await checkOnGpu(f, [randomNDArray("float32", [1, 13], 3)]);
    assertEquals(dev.pipelineCompiles, compiles);
    assert(k.source.includes("thread") || k.source.includes("lid.x"));
  },
);

gpuTest("gpu: row reduction and matmul with bound threads equal the interpreter", async () => {
  const A = placeholder([9, 37], "float32", "A");
  const r = reduceAxis(37, "r");
  const S = compute([9], ([i]) => sum(A.at(i, r), [r]), "S");
  await checkOnGpu(createPrimFunc([A, S], "rowsum"), [randomNDArray("float32", [9, 37], 4)]);
  // a hand schedule: 2-D grid of 2-D workgroups
  const sch = new Schedule(matmulFunc());
  const [i, j] = sch.getLoops(sch.getBlock("C"));
  const [bi, ti] = sch.split(i, [undefined, 8]);
  const [bj, tj] = sch.split(j, [undefined, 8]);
  sch.reorder(bi, bj, ti, tj);
  sch.bind(bi, "blockIdx.y");
  sch.bind(bj, "blockIdx.x");
  sch.bind(ti, "threadIdx.y");
  sch.bind(tj, "threadIdx.x");
  const f = sch.func;
  const shape = f.params.filter((p) => p.kind === "Buffer").map((p) =>
    p.kind === "Buffer" ? p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0)) : []
  );
  const k = await checkOnGpu(f, [
    randomNDArray("float32", shape[0], 5),
    randomNDArray("float32", shape[1], 6),
  ]);
  assert(k.source.includes("@workgroup_size(8, 8, 1)"), k.source);
});

gpuTest("gpu: narrow dtypes are packed and wrap like the interpreter", async () => {
  for (const [dt, out] of [["int8", "int8"], ["uint8", "int16"], ["int16", "uint16"]] as const) {
    const A = placeholder([37], dt, "A");
    const B = compute([37], ([i]) => cast(out, add(mul(A.at(i), 3), A.at(i))), "B");
    await checkOnGpu(createPrimFunc([A, B], `wrap_${dt}`), [randomNDArray(dt, [37], 7)]);
  }
  const H = placeholder([21], "float16", "H");
  const G = compute([21], ([i]) => max(mul(H.at(i), H.at(i)), cast("float16", 0.25)), "G");
  await checkOnGpu(createPrimFunc([H, G], "half"), [randomNDArray("float16", [21], 8)]);
  const bf = placeholder([19], "bfloat16", "X");
  const Y = compute([19], ([i]) => cast("float32", add(bf.at(i), bf.at(i))), "Y");
  await checkOnGpu(createPrimFunc([bf, Y], "bf16"), [randomNDArray("bfloat16", [19], 9)]);
});

gpuTest("gpu: workgroup memory with an inserted barrier (block-wise reversal)", async () => {
  const f = parseFunc(`func rev(A: buffer<float32>[256], B: buffer<float32>[256]) {
  for bx in 0..4 thread("blockIdx.x") {
    allocate S: buffer<float32>[64](scope="shared")
    for tx in 0..64 thread("threadIdx.x") {
      S[tx] = A[bx * 64 + tx]
    }
    for tx2 in 0..64 thread("threadIdx.x") {
      B[bx * 64 + tx2] = S[63 - tx2]
    }
  }
}`);
  const k = await checkOnGpu(f, [randomNDArray("float32", [256], 10)], { schedule: false });
  assert(k.source.includes("var<workgroup>") && k.source.includes("workgroupBarrier()"), k.source);
});

gpuTest("gpu: buffers are pooled, time uses timestamps, readback is asynchronous", async () => {
  const A = placeholder([64], "int32", "A");
  const B = compute([64], ([i]) => add(A.at(i), 1), "B");
  const k = await build(createPrimFunc([A, B], "inc"), gpu);
  const dev = k.device as GpuDevice;
  const a = dev.fromArray(ndarray("int32", [64], Array.from({ length: 64 }, (_, i) => i)));
  const b = dev.allocate([64], "int32");
  await k.call([a, b]);
  const created = dev.pool.stats.created;
  for (let r = 0; r < 3; r++) await k.call([a, b]);
  assertEquals(dev.pool.stats.created, created); // uniform/staging buffers came from the pool
  const t = await k.time([a, b], { repeat: 3 });
  assertEquals(t.samplesMs.length, 3);
  assert(t.samplesMs.every((x) => x >= 0));
  const out = await dev.toArray(b);
  assertEquals(toNumbers(out).slice(0, 4), [1, 2, 3, 4]);
  dev.free(a);
  dev.free(b);
  assert(a.freed);
});

Deno.test("gpu: without an adapter the target loads and createDevice is a typed error", async () => {
  const none = {
    limits: DEFAULT_LIMITS,
    features: NO_FEATURES,
    description: "none",
    missing: "no adapter in this test",
  };
  const t = defineGpuTarget(none);
  assertEquals(t.intrinsics.length, 0);
  for (const make of [() => requestDevice(none), () => t.runtime.createDevice()]) {
    let err: unknown;
    try {
      await make();
    } catch (e) {
      err = e;
    }
    assert(err instanceof TargetError && err.code === "GPU_NO_ADAPTER", String(err));
    assert(err.message.includes("no adapter in this test"));
  }
});

gpuTest(
  "gpu: GEMM tilings (registers, workgroup memory with barriers) equal the interpreter",
  async () => {
    const mm = findOp("matmul");
    const c = opCase([input("a", [70, 48]), input("b", [48, 66])], {});
    const f = mm.build(c);
    const inputs = mm.makeInputs(c, 11);
    const reg = applyGpuSchedule(f, { gemm: REGISTER_TILING });
    assertEquals(reg.decisions[0].rule, "gemm");
    const k1 = await checkOnGpu(reg.schedule.func, inputs);
    assert(/var T_matmul_local_\d+_0: f32;/.test(k1.source), "the register tile is in scalars");
    // small workgroups: llvmpipe compiles a kernel with barriers in time growing with its size
    const sh = applyGpuSchedule(f, {
      gemm: { ...SHARED_TILING, tx: 4, ty: 4, rx: 2, ry: 2, tk: 8 },
    });
    const k2 = await checkOnGpu(sh.schedule.func, inputs);
    assert(k2.source.includes("var<workgroup>") && k2.source.includes("workgroupBarrier()"));
  },
);

gpuTest(
  "gpu: a grid beyond the adapter's limit for this size is a typed error per call",
  async () => {
    const n = sizeVar("n");
    const A = placeholder([n], "float32", "A");
    const B = compute([n], ([i]) => add(A.at(i), 1), "B");
    const sch = new Schedule(createPrimFunc([A, B], "one_per_group"));
    sch.bind(sch.getLoops(sch.getBlock("B"))[0], "blockIdx.x");
    const k = await checkOnGpu(sch.func, [randomNDArray("float32", [100], 12)]);
    let err: unknown;
    try {
      await k.run([randomNDArray("float32", [70000], 13)]);
    } catch (e) {
      err = e;
    }
    assert(err instanceof TargetError && err.code === "GPU_DISPATCH_LIMIT", String(err));
    assert(err.message.includes("maxComputeWorkgroupsPerDimension"));
  },
);

gpuTest("gpu: vectorized loops load and store vec4 where every access is aligned", async () => {
  const n = sizeVar("n");
  const A = placeholder([n, 16], "float32", "A");
  const B = compute([n, 16], ([i, j]) => add(mul(A.at(i, j), 3), 1), "B");
  const sch = new Schedule(createPrimFunc([A, B], "vec"));
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const [, jv] = sch.split(j, [undefined, 4]);
  sch.bind(i, "blockIdx.x");
  sch.vectorize(jv);
  const k = await checkOnGpu(sch.func, [randomNDArray("float32", [5, 16], 14)]);
  assert(k.source.includes("array<vec4<f32>>") && k.source.includes("vec4<f32>("), k.source);
});

gpuTest(
  "gpu: views share their base's buffer, zero-filled; packed writes need no zeroed output",
  async () => {
    const A = placeholder([37], "int8", "A");
    const B = compute([37], ([i]) => cast("int8", add(mul(A.at(i), 3), 1)), "B");
    const k = await build(createPrimFunc([A, B], "packed_i8"), gpu);
    const dev = k.device as GpuDevice;
    const a = dev.fromArray(randomNDArray("int8", [37], 11));
    // an output full of ones: atomicAnd clears each lane before atomicOr writes it
    const garbage = dev.fromArray(ndarray("int8", [37], new Array(37).fill(-1)));
    await k.call([a, garbage]);
    const want = runFunc(createPrimFunc([A, B], "packed_i8"), [await dev.toArray(a)])[0];
    assertEquals(toNumbers(await dev.toArray(garbage)), toNumbers(want));
    // a view at offset 0 of a larger base: zero-filled, its own shape, the base's buffer
    const base = dev.fromArray(ndarray("int8", [64], new Array(64).fill(5)));
    const v = dev.view(base, [37]);
    assert(v.buffer === base.buffer && v.base === base);
    assertEquals(toNumbers(await dev.toArray(v)), new Array(37).fill(0));
    await k.call([a, v]); // sizes come from the uniform, not the buffer's length
    assertEquals(toNumbers(await dev.toArray(v)), toNumbers(want));
    dev.free(v); // releases nothing
    assert(!base.freed);
    dev.free(base);
    dev.free(a);
    dev.free(garbage);
  },
);
