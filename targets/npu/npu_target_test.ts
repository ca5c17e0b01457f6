import { assert, assertEquals } from "../../ir/test_util.ts";
import { CallError, TesseraError } from "../../ir/errors.ts";
import { type NDArray, ndarray, randomNDArray } from "../../ir/ndarray.ts";
import * as ops from "../../ir/ops/mod.ts";
import { placeholder } from "../../ir/te.ts";
import { interpret, runFunc } from "../../ir/interp/mod.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { TileView } from "./run_intrinsic.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { input, type OpCase, opCase, type OpDescriptor } from "../../ir/ops/descriptor.ts";
import { visit } from "../../ir/node.ts";
import { build, type Kernel } from "../../sdk/mod.ts";
import { intrinsicCallHandlers } from "../../tensorize/auto/mod.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import npu, {
  defineNpuConfig,
  defineNpuTarget,
  markerIntrinsic,
  type NpuArtifact,
  npuIntrinsics,
  type NpuKernelStats,
  offloadGemms,
  REFERENCE_NPU,
} from "./mod.ts";

const i8 = { outDtype: "int32" };

async function check(op: OpDescriptor, c: OpCase): Promise<{ k: Kernel; s: NpuKernelStats }> {
  const f = op.build(c);
  const inputs = op.makeInputs(c, 3);
  const k = await build(f, npu);
  const got: NDArray[] = await k.run(inputs);
  const want = runFunc(f, inputs);
  want.forEach((w, q) => {
    const cmp = compareArrays(got[q], w);
    assert(cmp.ok, `${op.name} output ${q}: ${cmp.reason ?? JSON.stringify(cmp.first)}`);
  });
  return { k, s: k.stats() as NpuKernelStats };
}

Deno.test("the npu target passes defineTarget's validation, with scopes and peaks from its config", () => {
  assertEquals(npu.type, "Target");
  assertEquals(npu.kind, "npu");
  assertEquals(npu.scopeMap.get("npu.inp")?.capacityBytes, 128 * 1024);
  assertEquals(npu.scopeMap.get("npu.acc")?.alignmentBytes, 1024);
  assert(npu.intrinsics.some((x) => x.name === "tessera_npu.gemm.int8"), "int8 GEMM intrinsic");
  assertEquals(npu.peak.flopsPerSecond.int8, 2 * 4096 * 1e9);
  // one DMA engine: 256 B/cycle at 1 GHz (loads and stores each)
  assertEquals(npu.peak.bytesPerSecond.global, 256e9);
  assertEquals(npu.peak.bytesPerSecond["npu.inp"], 16 * 16 * 4 * 1e9); // float32 tiles
  assertEquals(npu.peak.flopsPerSecond.int8, 2 * REFERENCE_NPU.gemm.batch * 16 * 16 * 1e9);
  // a second chip is one call
  const small = defineNpuConfig({
    ...REFERENCE_NPU,
    name: "chip2",
    gemm: { batch: 8, blockIn: 32, blockOut: 8, cyclesPerTile: 1 },
    scratchpads: {
      input: { capacityBytes: 16384, alignmentBytes: 256 },
      weight: { capacityBytes: 16384, alignmentBytes: 256 },
      acc: { capacityBytes: 16384, alignmentBytes: 256 },
    },
  });
  const t = defineNpuTarget(small, {
    name: "chip2",
    scopes: { input: "c2.in", weight: "c2.w", acc: "c2.acc" },
  });
  assertEquals(t.scopeMap.get("c2.w")?.capacityBytes, 16384);
  assertEquals(t.intrinsics.find((x) => x.name === "chip2.gemm.int8")?.operandScopes.A, "c2.in");
});

Deno.test("int8 matmul 256³ runs on the GEMM unit at ≥ 85% utilisation", async () => {
  const mm = findOp("matmul");
  const { k, s } = await check(
    mm,
    opCase([input("a", [256, 256], "int8"), input("b", [256, 256], "int8")], i8),
  );
  assert(s.utilization >= 0.85, `utilisation ${s.utilization}`);
  assertEquals(s.intrinsicShare, 1);
  assertEquals(s.npuMacs, 256 ** 3);
  assertEquals(s.hostOps, []);
  assert(k.source.includes("tsr_npu_run"), "host code issues the command stream");
  // roofline figures: achieved ops/s and DMA traffic, within the target's peaks
  assertEquals(s.macs, 256 ** 3);
  assertEquals(s.seconds, s.cycles / REFERENCE_NPU.clockHz);
  assert(Math.abs(s.opsPerSecond / ((2 * s.macs) / s.seconds) - 1) < 1e-12, "ops/s");
  assert(s.opsPerSecond <= npu.peak.flopsPerSecond.int8, `${s.opsPerSecond} ops/s`);
  assert(s.dmaBytes >= 2 * 256 * 256 + 4 * 256 * 256, `${s.dmaBytes} bytes`); // A, B in; C out
  // loads alone stay under one engine's rate, loads + stores under both engines'
  assert(s.dmaLoadBytes >= 2 * 256 * 256 && s.dmaLoadBytes < s.dmaBytes, `${s.dmaLoadBytes}`);
  assert(s.dmaLoadBytes / s.seconds <= npu.peak.bytesPerSecond.global, "loads");
  assert(s.dmaBytes / s.seconds <= 2 * npu.peak.bytesPerSecond.global, `${s.dmaBytes} bytes`);
});

Deno.test("int8 matmul 100×70×50 (padded) at ≥ 60% utilisation; float32 and float16 too", async () => {
  const mm = findOp("matmul");
  const { s } = await check(
    mm,
    opCase([input("a", [100, 50], "int8"), input("b", [50, 70], "int8")], i8),
  );
  assert(s.utilization >= 0.6, `utilisation ${s.utilization}`);
  assert(s.usefulUtilization < s.utilization, "padding is counted apart");
  const f32 = await check(mm, opCase([input("a", [100, 50]), input("b", [50, 70])], {}));
  assertEquals(f32.s.intrinsicShare, 1);
  const f16 = await check(
    mm,
    opCase([input("a", [33, 40], "float16"), input("b", [40, 17], "float16")], {
      outDtype: "float32",
    }),
  );
  assertEquals(f16.s.intrinsicShare, 1);
  // transposed operands are DMA'd with the transposing load
  await check(
    mm,
    opCase([input("a", [13, 7]), input("b", [5, 13])], { transposeA: true, transposeB: true }),
  );
});

Deno.test("dense runs on the GEMM unit, its bias add fused as an ALU epilogue", async () => {
  const { s } = await check(
    findOp("dense"),
    opCase([
      input("x", [20, 40], "int8"),
      input("weight", [24, 40], "int8"),
      input("bias", [24], "int32", { range: [-100, 100] }),
    ], i8),
  );
  assertEquals(s.intrinsicShare, 1);
  assertEquals(s.hostOps, []);
});

Deno.test("conv2d runs as one implicit-GEMM region per image; narrow depthwise/grouped stay on the host", async () => {
  const conv = findOp("conv2d");
  // 8 channels: fewer than a tile column; a host im2col would need 2.6× fewer NPU cycles, not
  // enough to leave part of the conv on the host: the whole conv runs on the NPU
  const small = await check(
    conv,
    opCase([input("x", [1, 8, 6, 6], "int8"), input("w", [16, 8, 3, 3], "int8")], {
      padding: 1,
      outDtype: "int32",
    }),
  );
  assertEquals(small.s.intrinsicShare, 1);
  // the pad stage's stream, the weights' transpose, then the conv
  assertEquals(small.s.streams, 3);
  assertEquals(small.s.hostOps, []);
  // 1x1, NCHW, batch 2: gathered by transposing DMA, no host work at all
  const pointwise = await check(
    conv,
    opCase([input("x", [2, 20, 5, 5]), input("w", [24, 20, 1, 1])], {}),
  );
  assertEquals(pointwise.s.streams, 2);
  assertEquals(pointwise.s.hostOps, []);
  const grouped = await check(
    conv,
    opCase([input("x", [1, 4, 5, 5]), input("w", [6, 2, 3, 3])], { groups: 2, padding: 1 }),
  );
  assertEquals(grouped.s.intrinsicShare, 0);
  assertEquals(grouped.s.hostOps, ["T_conv2d_nchw_pad", "T_conv2d_nchw"]);
  const dw = findOp("depthwise_conv2d");
  const depthwise = await check(dw, dw.cases[0]);
  assertEquals(depthwise.s.intrinsicShare, 0);
  assert(depthwise.s.hostOps.includes("T_depthwise_conv2d_nchw"), String(depthwise.s.hostOps));
});

Deno.test("conv2d NHWC at stride 2 and NCHW with padding run gathered, without host im2col", async () => {
  const conv = findOp("conv2d");
  const nhwc = await check(
    conv,
    // 5×16 outputs; per tap and row the DMA moves 16 pixel rows of 64 channels
    opCase([input("x", [1, 10, 32, 64], "int8"), input("w", [3, 3, 64, 64], "int8")], {
      layout: "NHWC",
      strides: 2,
      padding: 1,
      outDtype: "int32",
    }),
  );
  assertEquals(nhwc.s.hostOps, []); // pad on the NPU, HWIO weights: no pack either
  const nchw = await check(
    conv,
    opCase([input("x", [1, 32, 9, 9]), input("w", [20, 32, 3, 3])], { padding: [1, 2, 0, 1] }),
  );
  assertEquals(nchw.s.hostOps, []); // OIHW weights transposed on the NPU
  assertEquals(nchw.s.intrinsicShare, 1);
  const sites = (nchw.k as unknown as { artifact: NpuArtifact }).artifact.sites;
  assertEquals(sites.map((x) => x.form ?? (x.pad ? "pad" : "gemm")), [
    "pad",
    "device-packed-weights",
  ]);
  assertEquals(nchw.s.streams, 3); // pad, weight transpose, conv
});

Deno.test("bias, relu and shift-and-clip requantisation after int8 conv/dense run on the ALU, fused", async () => {
  const x = placeholder([1, 16, 8, 8], "int8", "x");
  const w = placeholder([24, 16, 3, 3], "int8", "w");
  const b = placeholder([24, 1, 1], "int32", "b");
  const c = ops.conv2d(x, w, { padding: 1, outDtype: "int32" });
  // round to nearest (+64), ⌊/128⌋, saturate, narrow: shift-and-clip as the ops library writes it
  const q = ops.cast(
    ops.clip(ops.floorDiv(ops.add(ops.relu(ops.add(c, b)), 64), 128), -128, 127),
    "int8",
  );
  const f = ops.toPrimFunc("conv_requant", [x, w, b], [q]);
  const inputs = [
    randomNDArray("int8", [1, 16, 8, 8], 1, -128, 127),
    randomNDArray("int8", [24, 16, 3, 3], 2, -128, 127),
    randomNDArray("int32", [24, 1, 1], 3, -4000, 4000),
  ];
  const k = await build(f, npu);
  const got = await k.run(inputs);
  const want = runFunc(f, inputs)[0];
  assertEquals([...got[0].data].map(Number), [...want.data].map(Number));
  const vals = [...want.data].map(Number);
  assert(vals.includes(127) && vals.includes(0), "clip and relu bite");
  const s = k.stats() as NpuKernelStats;
  // the epilogue blocks (T_add, T_relu, T_add_1, T_floor_div, T_clip, T_cast) are fused and the
  // pad stage and the weights' transpose are streams of their own: only a host im2col may remain
  assert(s.hostOps.every((x) => /_im2col$/.test(x)), String(s.hostOps));
  assertEquals(s.streams, 3);
  // dense + bias + relu (float32): the bias add block and relu fold into the region too
  const A = placeholder([30, 40], "float32", "A"), W = placeholder([20, 40], "float32", "W");
  const bias = placeholder([20], "float32", "bias");
  const g = ops.toPrimFunc("dense_relu", [A, W, bias], [ops.relu(ops.dense(A, W, bias))]);
  const in2 = [
    randomNDArray("float32", [30, 40], 4),
    randomNDArray("float32", [20, 40], 5),
    randomNDArray("float32", [20], 6),
  ];
  const k2 = await build(g, npu);
  const cmp = compareArrays((await k2.run(in2))[0], runFunc(g, in2)[0]);
  assert(cmp.ok, cmp.reason ?? JSON.stringify(cmp.first));
  assertEquals((k2.stats() as NpuKernelStats).hostOps, []);
});

Deno.test("elementwise ops and symbolic GEMMs run on the host, and say so", async () => {
  const add = findOp("add");
  const { s } = await check(add, add.cases[0]);
  assertEquals(s.cycles, 0);
  assertEquals(s.hostOps, ["T_add"]);
  const mm = findOp("matmul");
  const sym = mm.cases.find((c) => c.vars?.k !== undefined)!;
  const r = await check(mm, sym);
  assertEquals(r.s.intrinsicShare, 0);
  assertEquals(r.s.hostMacs, 3 * 7 * 4);
  assertEquals(r.s.hostOps, ["T_matmul"]);
});

Deno.test("the offloading schedule computes what the function does (interpreter, region markers)", () => {
  for (const name of ["batch_matmul", "conv2d", "dense"]) {
    const op = findOp(name);
    for (const c of op.cases.filter((c) => !c.vars)) {
      const f = op.build(c);
      const g = offloadGemms(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
      const regions = new Set<string>();
      visit(g.body, (n) => {
        if (n.kind === "Call" && n.op.startsWith("tsr.intrin.")) regions.add(n.op.slice(11));
      });
      const handlers = intrinsicCallHandlers([...regions].map((r) => markerIntrinsic(r)!));
      const inputs = op.makeInputs(c, 1);
      const want = runFunc(f, inputs), got = runFunc(g, inputs, undefined, { calls: handlers });
      const cmp = compareArrays(got[0], want[0]);
      assert(cmp.ok, `${name}: ${cmp.reason ?? JSON.stringify(cmp.first)}`);
    }
  }
});

Deno.test("a wrong shape is a CallError; time() reports simulated time", async () => {
  const mm = findOp("matmul");
  const c = opCase([input("a", [32, 32], "int8"), input("b", [32, 32], "int8")], i8);
  const k = await build(mm.build(c), npu);
  const dev = k.device;
  const A = dev.allocate([32, 31], "int8"), B = dev.allocate([32, 32], "int8");
  const C = dev.allocate([32, 32], "int32");
  let err: unknown;
  try {
    await k.call([A, B, C]);
  } catch (e) {
    err = e;
  }
  assert(err instanceof CallError && err.code === "CALL_SHAPE_MISMATCH", String(err));
  const A2 = dev.allocate([32, 32], "int8");
  const t = await k.time([A2, B, C], { repeat: 2 });
  const s = k.stats() as NpuKernelStats;
  assert(s.cycles > 0 && t.medianMs >= s.seconds * 1e3, `${t.medianMs} ms, ${s.cycles} cycles`);
  for (const x of [A, A2, B, C]) dev.free(x);
  assert(!(err instanceof TesseraError) || err.code.startsWith("CALL_"), "typed call error");
});

Deno.test("runIntrinsic runs each intrinsic on the simulator as its description says", async () => {
  const run = (npu.runtime as unknown as {
    runIntrinsic(x: Intrinsic, t: readonly TileView[]): Promise<void>;
  }).runIntrinsic;
  for (const x of npu.intrinsics) {
    const bufs = x.description.params.filter((p) => p.kind === "Buffer");
    const arrays = bufs.map((b, q) => {
      const shape = b.shape.map((d) => (d as { value: number }).value);
      return randomNDArray(b.dtype, shape, 11 + q, -100, 100);
    });
    const want = arrays.map((a) => ndarray(a.dtype, a.shape, a.data.slice()));
    interpret(x.description, want);
    // strided tiles: each operand inside a larger storage, rows padded by 3 elements
    const tiles: TileView[] = arrays.map((a) => {
      const [r, c] = a.shape;
      const data = ndarray(a.dtype, [5 + r * (c + 3)], new Array(5 + r * (c + 3)).fill(0));
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) data.data[5 + i * (c + 3) + j] = a.data[i * c + j];
      }
      return { dtype: a.dtype, shape: a.shape, data, offset: 5, strides: [c + 3, 1] };
    });
    await run(x, tiles);
    const o = tiles.length - 1, [r, c] = arrays[o].shape;
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        assertEquals(tiles[o].data.data[5 + i * (c + 3) + j], want[o].data[i * c + j], x.name);
      }
    }
  }
});
