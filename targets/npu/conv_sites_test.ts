/**
 * The forms of contraction sites (`conv_sites.ts`) end to end: built for the npu target, run on
 * the simulator, compared with the reference interpreter.
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { add, cast, mul } from "../../ir/expr.ts";
import { type NDArray, randomNDArray } from "../../ir/ndarray.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { input, opCase } from "../../ir/ops/descriptor.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import * as ops from "../../ir/ops/mod.ts";
import { build } from "../../sdk/mod.ts";
import { visit } from "../../ir/node.ts";
import { intrinsicCallHandlers } from "../../tensorize/auto/mod.ts";
import npu, {
  markerIntrinsic,
  type NpuArtifact,
  npuIntrinsics,
  type NpuKernelStats,
  offloadGemms,
  parseConvName,
  REFERENCE_NPU,
} from "./mod.ts";

async function run(f: PrimFunc, inputs: NDArray[]) {
  const k = await build(f, npu);
  const got = await k.run(inputs);
  const cmp = compareArrays(got[0], runFunc(f, inputs)[0]);
  assert(cmp.ok, `${f.name}: ${cmp.reason ?? JSON.stringify(cmp.first)}`);
  const art = (k as unknown as { artifact: NpuArtifact }).artifact;
  return { s: k.stats() as NpuKernelStats, sites: art.sites };
}

Deno.test("an output the DMA cannot store goes through a host buffer (per-image weights, batch innermost)", async () => {
  // O[k, y, x, b]: the batch is a host loop (every operand uses it) and the innermost output
  // dimension, so neither pixels nor channels are contiguous in O
  const B = 2, C = 16, H = 6, W = 7, K = 20;
  const D = placeholder([B, C, H, W], "int8", "D");
  const Wt = placeholder([B, K, C, 3, 3], "int8", "Wt");
  const rc = reduceAxis(C, "rc"), ry = reduceAxis(3, "ry"), rx = reduceAxis(3, "rx");
  const O = compute(
    [K, H - 2, W - 2, B],
    ([k, y, x, b]) =>
      sum(
        mul(
          cast("int32", D.at(b, rc, add(y, ry), add(x, rx))),
          cast("int32", Wt.at(b, k, rc, ry, rx)),
        ),
        [rc, ry, rx],
      ),
    "O",
  );
  const { s, sites } = await run(createPrimFunc([D, Wt, O], "batched_conv"), [
    randomNDArray("int8", [B, C, H, W], 1, -128, 127),
    randomNDArray("int8", [B, K, C, 3, 3], 2, -128, 127),
  ]);
  assertEquals(sites.length, 1);
  assert(sites[0].packs.includes("out"), String(sites[0].packs));
  // one site execution per image: the weights' transpose on the NPU, then the conv
  assertEquals(sites[0].streams.length, 2);
  assert(!s.hostOps.some((x) => x.endsWith("_weight")), String(s.hostOps));
  assertEquals(s.streams, B * 2);
  assertEquals(s.intrinsicShare, 1);
});

Deno.test("float16 NHWC conv gathers directly; NCHW at stride 2 falls back to a host im2col", async () => {
  const conv = findOp("conv2d");
  const f16 = opCase(
    [input("x", [1, 7, 9, 24], "float16"), input("w", [3, 3, 24, 20], "float16")],
    {
      layout: "NHWC",
      padding: 1,
      outDtype: "float32",
    },
  );
  const a = await run(conv.build(f16), conv.makeInputs(f16, 2));
  assertEquals(a.sites.find((x) => x.conv)?.form, "direct");
  assertEquals(a.s.hostOps, []); // the pad stage runs on the NPU (a pad site)
  // column stride 2 in NCHW: the channels' gather would put 3 kernel columns on 16 tile columns
  const s2 = opCase([input("x", [1, 32, 9, 11], "int8"), input("w", [16, 32, 3, 3], "int8")], {
    strides: 2,
    padding: 1,
    outDtype: "int32",
  });
  const b = await run(conv.build(s2), conv.makeInputs(s2, 3));
  assertEquals(b.sites.find((x) => x.conv)?.form, "im2col");
  // the im2col weights (OIHW transposed) are made on the NPU; the im2col itself on the host
  assertEquals(b.s.hostOps, ["T_conv2d_nchw_im2col"]);
});

Deno.test("an epilogue folds up to the first step the ALU cannot take (a residual tensor)", async () => {
  const x = placeholder([1, 16, 6, 6], "float32", "x");
  const w = placeholder([16, 16, 3, 3], "float32", "w");
  const b = placeholder([16, 1, 1], "float32", "b");
  const res = placeholder([1, 16, 6, 6], "float32", "res");
  // conv + bias folds; + residual (a whole tensor, not a vector) and the relu after it stay host
  const y = ops.relu(ops.add(ops.add(ops.conv2d(x, w, { padding: 1 }), b), res));
  const f = ops.toPrimFunc("conv_residual", [x, w, b, res], [y]);
  const { s, sites } = await run(f, [
    randomNDArray("float32", [1, 16, 6, 6], 1),
    randomNDArray("float32", [16, 16, 3, 3], 2),
    randomNDArray("float32", [16, 1, 1], 3),
    randomNDArray("float32", [1, 16, 6, 6], 4),
  ]);
  assertEquals(sites.find((x) => x.conv)?.conv?.epilogue, [{ op: "add", imm: 0, bias: "float32" }]);
  assert(s.hostOps.includes("T_add_1") && s.hostOps.includes("T_relu"), String(s.hostOps));
  assert(!s.hostOps.includes("T_add") && !s.hostOps.includes("T_conv2d_nchw"), String(s.hostOps));
  assertEquals(s.intrinsicShare, 1);
});

Deno.test("a conv whose weights exceed the weight scratchpad falls back to per-row GEMM regions", async () => {
  // 1024 channels × 3×3 taps = 576 int8 weight tiles per output tile > 512 that fit
  const conv = findOp("conv2d");
  const c = opCase([input("x", [1, 1024, 3, 3], "int8"), input("w", [16, 1024, 3, 3], "int8")], {
    padding: 1,
    outDtype: "int32",
  });
  const { s, sites } = await run(conv.build(c), conv.makeInputs(c, 5));
  assert(sites.every((x) => x.conv === undefined && x.key !== undefined), "GEMM regions");
  assertEquals(s.streams, 3 * 9); // one per output row and kernel tap
  assertEquals(s.intrinsicShare, 1);
});

Deno.test("the fused requantisation schedule equals the function in the interpreter", () => {
  const x = placeholder([1, 16, 5, 5], "int8", "x");
  const w = placeholder([8, 16, 3, 3], "int8", "w");
  const b = placeholder([8, 1, 1], "int32", "b");
  const c = ops.conv2d(x, w, { padding: 1, strides: 2, outDtype: "int32" });
  const q = ops.cast(
    ops.clip(ops.floorDiv(ops.add(ops.relu(ops.add(c, b)), 32), 64), -128, 127),
    "int8",
  );
  const f = ops.toPrimFunc("conv_requant", [x, w, b], [q]);
  const g = offloadGemms(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
  const names = new Set<string>();
  visit(g.body, (n) => {
    if (n.kind === "Call" && n.op.startsWith("tsr.intrin.")) names.add(n.op.slice(11));
  });
  assertEquals(names.size, 2); // the pad region and the contraction region
  const key = parseConvName([...names].find((n) => parseConvName(n))!)!;
  assertEquals(key.epilogue.map((e) => e.op), ["add", "max", "add", "shr", "max", "min"]);
  assertEquals(key.outDtype, "int8");
  const inputs = [
    randomNDArray("int8", [1, 16, 5, 5], 1, -128, 127),
    randomNDArray("int8", [8, 16, 3, 3], 2, -128, 127),
    randomNDArray("int32", [8, 1, 1], 3, -3000, 3000),
  ];
  const want = runFunc(f, inputs)[0];
  const got = runFunc(g, inputs, undefined, {
    calls: intrinsicCallHandlers([...names].map((n) => markerIntrinsic(n)!)),
  })[0];
  assertEquals([...got.data].map(Number), [...want.data].map(Number));
});
