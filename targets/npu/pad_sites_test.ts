/**
 * Padded conv2d end to end on the npu target: the pad stage is a pad site (`pad_region.ts`,
 * `pad_sites.ts`), so the whole convolution runs on the NPU and its cycles include the padding.
 * Every case is compared with the reference interpreter (int8 exactly, floats within the
 * conformance tolerance).
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, randomNDArray } from "../../ir/ndarray.ts";
import * as E from "../../ir/expr.ts";
import * as ops from "../../ir/ops/mod.ts";
import { compute, placeholder } from "../../ir/te.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { input, type OpCase, opCase } from "../../ir/ops/descriptor.ts";
import { visit } from "../../ir/node.ts";
import { build } from "../../sdk/mod.ts";
import { intrinsicCallHandlers } from "../../tensorize/auto/mod.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import npu, {
  type ConvSchedule,
  markerIntrinsic,
  type NpuArtifact,
  npuIntrinsics,
  type NpuKernelStats,
  offloadGemms,
  padSpecOf,
  parsePadName,
  REFERENCE_NPU,
} from "./mod.ts";

const conv = findOp("conv2d");

async function run(c: OpCase) {
  const f = conv.build(c);
  const inputs: NDArray[] = conv.makeInputs(c, 7);
  const k = await build(f, npu);
  const got = await k.run(inputs);
  const want = runFunc(f, inputs)[0];
  if (want.dtype === "int32") {
    assertEquals([...got[0].data].map(Number), [...want.data].map(Number));
  } else {
    const cmp = compareArrays(got[0], want);
    assert(cmp.ok, cmp.reason ?? JSON.stringify(cmp.first));
  }
  const art = (k as unknown as { artifact: NpuArtifact }).artifact;
  return { s: k.stats() as NpuKernelStats, sites: art.sites };
}

const CASES: { why: string; c: OpCase }[] = [
  {
    why: "NCHW int8 pad 1",
    c: opCase([input("x", [1, 16, 10, 10], "int8"), input("w", [32, 16, 3, 3], "int8")], {
      padding: 1,
      outDtype: "int32",
    }),
  },
  {
    why: "NHWC int8 stride 2 pad 1",
    c: opCase([input("x", [1, 10, 12, 32], "int8"), input("w", [3, 3, 32, 16], "int8")], {
      layout: "NHWC",
      strides: 2,
      padding: 1,
      outDtype: "int32",
    }),
  },
  {
    why: "NHWC int8 stride 2, asymmetric pads, batch 2 (folded into the gather)",
    c: opCase([input("x", [2, 9, 10, 32], "int8"), input("w", [3, 3, 32, 16], "int8")], {
      layout: "NHWC",
      strides: 2,
      padding: [1, 0, 2, 1],
      outDtype: "int32",
    }),
  },
  {
    why: "NCHW float32 asymmetric pads, stride 2",
    c: opCase([input("x", [1, 20, 9, 11]), input("w", [24, 20, 3, 3])], {
      strides: 2,
      padding: [1, 0, 2, 1],
    }),
  },
  {
    why: "NHWC float32 asymmetric pads, batch 2",
    c: opCase([input("x", [2, 7, 6, 24]), input("w", [3, 2, 24, 8])], {
      layout: "NHWC",
      padding: [0, 2, 1, 1],
    }),
  },
  {
    why: "NCHW float16 → float32 pad 2 (5×5 kernel)",
    c: opCase([input("x", [1, 16, 8, 8], "float16"), input("w", [16, 16, 5, 5], "float16")], {
      padding: 2,
      outDtype: "float32",
    }),
  },
];

for (const { why, c } of CASES) {
  Deno.test(`padded conv2d runs wholly on the NPU: ${why}`, async () => {
    const { s, sites } = await run(c);
    assert(!s.hostOps.some((x) => x.endsWith("_pad")), String(s.hostOps));
    const pad = sites.find((x) => x.pad);
    assert(pad !== undefined, "a pad site");
    assertEquals(pad.macs, 0);
    assertEquals(s.intrinsicShare, 1);
    const batch = c.inputs[0].shape[0] as number;
    const conv = sites.find((x) => x.conv)!;
    // per-row runs pad in the gather (the pad site issues nothing); wide runs read the pad
    // stream's output
    const perRow = !(conv.schedule as ConvSchedule).wide && conv.form !== "im2col";
    assertEquals(pad.streams.length === 0, perRow);
    assertEquals(pad.predictedCycles > 0, !perRow);
    // cycles cover the pad stream and the conv's streams (at least what the simulator predicted)
    assert(s.cycles >= batch * conv.predictedCycles + pad.predictedCycles, `${s.cycles}`);
    assertEquals(s.streams, pad.streams.length + batch * conv.streams.length);
  });
}

Deno.test("the pad region marker equals the pad block in the interpreter (NCHW and NHWC)", () => {
  for (const { c } of CASES) {
    const f = conv.build(c);
    const g = offloadGemms(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
    const names = new Set<string>();
    visit(g.body, (n) => {
      if (n.kind === "Call" && n.op.startsWith("tsr.intrin.")) names.add(n.op.slice(11));
    });
    const pads = [...names].filter((n) => parsePadName(n));
    assertEquals(pads.length, 1);
    const key = parsePadName(pads[0])!;
    const spec = padSpecOf(key)!;
    assert(spec.pad.top + spec.pad.bottom + spec.pad.left + spec.pad.right > 0);
    const inputs = conv.makeInputs(c, 2);
    const handlers = intrinsicCallHandlers([...names].map((n) => markerIntrinsic(n)!));
    const want = runFunc(f, inputs)[0], got = runFunc(g, inputs, undefined, { calls: handlers })[0];
    assert(compareArrays(got, want).ok);
  }
});

Deno.test("a pad stage feeding a host op (grouped conv) stays on the host", async () => {
  const c = opCase([input("x", [1, 4, 5, 5]), input("w", [6, 2, 3, 3])], { groups: 2, padding: 1 });
  const { s, sites } = await run(c);
  assertEquals(sites.length, 0);
  assertEquals(s.hostOps, ["T_conv2d_nchw_pad", "T_conv2d_nchw"]);
});

Deno.test("a pad-like stage that is not `pad` (other bounds, non-zero fill) stays on the host", async () => {
  const x = placeholder([1, 8, 6, 6], "int8", "x");
  const w = placeholder([16, 8, 3, 3], "int8", "w");
  // rows 1..6 real but columns shifted by one more than the padding: not the ops library's pad
  const near = compute([1, 8, 8, 8], ([n, c, i, j]) => {
    const inside = E.and(E.and(E.ge(i, 1), E.lt(i, 7)), E.and(E.ge(j, 1), E.lt(j, 6)));
    return E.select(inside, x.at(n, c, E.sub(i, 1), E.sub(j, 1)), E.int(0, "int8"));
  }, "near_pad");
  const filled = ops.pad(x, [0, 0, 1, 1], [0, 0, 1, 1], 3, { name: "fill_pad" });
  for (const p of [near, filled]) {
    const y = ops.conv2d(p, w, { outDtype: "int32" });
    const f = ops.toPrimFunc("conv_near_pad", [x, w], [y]);
    const inputs = [
      randomNDArray("int8", [1, 8, 6, 6], 1, -128, 127),
      randomNDArray("int8", [16, 8, 3, 3], 2, -128, 127),
    ];
    const k = await build(f, npu);
    const got = (await k.run(inputs))[0], want = runFunc(f, inputs)[0];
    assertEquals([...got.data].map(Number), [...want.data].map(Number));
    const art = (k as unknown as { artifact: NpuArtifact }).artifact;
    assert(art.sites.every((s) => !s.pad), "no pad site");
    assert(art.sites.some((s) => s.conv), "the conv itself runs on the NPU");
    assert((k.stats() as NpuKernelStats).hostOps.includes(p.name), String(p.name));
  }
});
