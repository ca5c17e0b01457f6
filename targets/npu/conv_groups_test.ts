/**
 * Grouped and depthwise conv2d on the npu target (`conv_plan.ts` splits the output channels
 * `k = g·G + kk`: one contraction region per group in a host loop), compared with the reference
 * interpreter; too-narrow groups stay on the host.
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { visit } from "../../ir/node.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { input, type OpCase, opCase, type OpDescriptor } from "../../ir/ops/descriptor.ts";
import { build } from "../../sdk/mod.ts";
import { intrinsicCallHandlers } from "../../tensorize/auto/mod.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import npu, {
  markerIntrinsic,
  type NpuArtifact,
  npuIntrinsics,
  type NpuKernelStats,
  offloadGemms,
  parseConvName,
  REFERENCE_NPU,
} from "./mod.ts";

async function run(op: OpDescriptor, c: OpCase) {
  const f = op.build(c);
  const inputs = op.makeInputs(c, 5);
  const k = await build(f, npu);
  const got = (await k.run(inputs))[0], want = runFunc(f, inputs)[0];
  if (want.dtype === "int32") {
    assertEquals([...got.data].map(Number), [...want.data].map(Number));
  } else {
    const cmp = compareArrays(got, want);
    assert(cmp.ok, cmp.reason ?? JSON.stringify(cmp.first));
  }
  const art = (k as unknown as { artifact: NpuArtifact }).artifact;
  return { s: k.stats() as NpuKernelStats, sites: art.sites };
}

const conv = findOp("conv2d"), dw = findOp("depthwise_conv2d");

Deno.test("grouped conv2d NCHW int8 (2 groups of 16 → 16, pad 1): one region per group, exact", async () => {
  const c = opCase([input("x", [1, 32, 8, 8], "int8"), input("w", [32, 16, 3, 3], "int8")], {
    groups: 2,
    padding: 1,
    outDtype: "int32",
  });
  const { s, sites } = await run(conv, c);
  // at most the host im2col form's copy (16 channels on an 8×8 image): no conv or pad block
  assert(s.hostOps.every((x) => x.endsWith("_im2col")), String(s.hostOps));
  assertEquals(s.intrinsicShare, 1);
  const region = sites.find((x) => x.conv)!;
  assertEquals([region.conv!.n, ...region.conv!.r], [16, 16, 3, 3]);
  // the pad stream once, then per group the weights' transpose and the conv
  assertEquals(s.streams, 1 + 2 * region.streams.length);
});

Deno.test("grouped conv2d NHWC float32 and depthwise with channel multiplier 4 run on the NPU", async () => {
  const g = await run(
    conv,
    opCase([input("x", [1, 6, 7, 16]), input("w", [3, 3, 8, 16])], {
      layout: "NHWC",
      groups: 2,
      padding: [1, 0, 1, 1],
    }),
  );
  assertEquals(g.s.intrinsicShare, 1);
  assert(!g.s.hostOps.includes("T_conv2d_nhwc"), String(g.s.hostOps));
  const d = await run(
    dw,
    opCase([input("x", [2, 3, 7, 7]), input("w", [3, 4, 3, 3])], { padding: 1, strides: 2 }),
  );
  assertEquals(d.s.intrinsicShare, 1);
  assert(!d.s.hostOps.includes("T_depthwise_conv2d_nchw"), String(d.s.hostOps));
  assertEquals(d.sites.find((x) => x.conv)!.conv!.n, 4); // the multiplier: one group's channels
});

Deno.test("grouped NHWC conv at stride 2: the pad folds into each group's gather", async () => {
  const c = opCase([input("x", [2, 9, 10, 32], "int8"), input("w", [3, 3, 8, 16], "int8")], {
    layout: "NHWC",
    strides: 2,
    padding: 1,
    groups: 4,
    outDtype: "int32",
  });
  const { s, sites } = await run(conv, c);
  assertEquals(s.hostOps, []);
  assertEquals(sites.find((x) => x.pad)?.streams.length, 0); // no pad stream
  assertEquals(s.streams, 2 * 4); // one per image and group
});

Deno.test("depthwise without multiplier (1 of 16 tile columns) stays on the host", async () => {
  const { s, sites } = await run(dw, dw.cases[0]);
  assertEquals(sites.length, 0);
  assertEquals(s.intrinsicShare, 0);
  assertEquals(s.hostOps, ["T_depthwise_conv2d_nchw_pad", "T_depthwise_conv2d_nchw"]);
});

Deno.test("the grouped schedule equals the function in the interpreter (group loop + markers)", () => {
  const c = opCase([input("x", [2, 8, 5, 6]), input("w", [16, 4, 3, 3])], {
    groups: 2,
    padding: 1,
  });
  const f = conv.build(c);
  const g = offloadGemms(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
  const names = new Set<string>();
  visit(g.body, (n) => {
    if (n.kind === "Call" && n.op.startsWith("tsr.intrin.")) names.add(n.op.slice(11));
  });
  assert([...names].some((n) => parseConvName(n)?.n === 8), [...names].join(", "));
  const inputs = conv.makeInputs(c, 3);
  const handlers = intrinsicCallHandlers([...names].map((n) => markerIntrinsic(n)!));
  const cmp = compareArrays(
    runFunc(g, inputs, undefined, { calls: handlers })[0],
    runFunc(f, inputs)[0],
  );
  assert(cmp.ok, cmp.reason ?? JSON.stringify(cmp.first));
});
