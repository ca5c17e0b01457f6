import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, randomNDArray } from "../ndarray.ts";
import cpu from "../../targets/cpu/mod.ts";
import npu from "../../targets/npu/mod.ts";
import { targetBackends } from "../../sdk/graph_backend.ts";
import { mlpModel } from "../../conformance/models/mlp.ts";
import { GraphBuilder } from "./builder.ts";
import { importOnnx } from "./onnx/mod.ts";
import { GraphExecutor } from "./executor.ts";
import type { GraphModule } from "./ir.ts";
import { runPasses } from "./pass.ts";
import { formatPlacementReport, offloadPasses, partition, partitionPass } from "./partition.ts";
import { chainMatches } from "./pattern.ts";
import { FUSED_PASSES } from "./pipelines.ts";
import { PlacedExecutor } from "./placed_executor.ts";
import { placementProblems } from "./placement.ts";
import { printGraphFunc } from "./print.ts";

function assertClose(got: NDArray, want: NDArray, tol = 1e-4): void {
  assertEquals(got.shape, want.shape);
  for (let i = 0; i < got.data.length; i++) {
    const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
    assert(
      d <= tol * (1 + Math.abs(Number(want.data[i]))),
      `${i}: ${got.data[i]} vs ${want.data[i]}`,
    );
  }
}

/** dense + bias + relu, twice, then softmax, over a dynamic batch n. */
function mlp(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 16]);
  const layer = (h: typeof x, k: number, i: number, o: number) =>
    b.relu(b.add(
      b.dense(h, b.constant(randomNDArray("float32", [o, i], k), `w${k}`)),
      b.constant(randomNDArray("float32", [o], 10 + k), `b${k}`),
    ));
  b.output(b.softmax(layer(layer(x, 1, 16, 24), 2, 24, 10)));
  return b.finish();
}

/** conv2d + bias + relu, then a tanh the npu does not take. */
function convNet(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 3, 6, 6]);
  const w = b.constant(randomNDArray("float32", [4, 3, 3, 3], 1), "w");
  const bias = b.constant(randomNDArray("float32", [4, 1, 1], 2), "bias");
  const y = b.relu(b.add(b.op("conv2d", [x, w], { padding: 1 }), bias), "conv");
  b.output(b.op("tanh", [b.op("exp", [y])], {}, "act"));
  return b.finish();
}

Deno.test("graph patterns: optional ops may be skipped, nothing else", () => {
  const ops = ["conv2d", "add?", "relu?"];
  for (const c of ["conv2d", "conv2d add", "conv2d relu", "conv2d add relu"]) {
    assert(chainMatches(ops, c.split(" ")), c);
  }
  for (const c of ["add", "conv2d relu add", "conv2d add relu exp", "dense"]) {
    assert(!chainMatches(ops, c.split(" ")), c);
  }
});

Deno.test("partition: the npu's patterns take the dense layers, softmax falls back to cpu", () => {
  const mod = runPasses(mlp(), FUSED_PASSES);
  const { module, report } = partition(mod, { offload: [npu], fallback: "cpu" });
  assertEquals(
    report.map((e) => `${e.kind} ${e.target}`),
    ["copy cpu->npu", "kernel npu", "kernel npu", "copy npu->cpu", "kernel cpu"],
  );
  const kernels = report.filter((e) => e.kind === "kernel");
  assertEquals(kernels[0].reason, 'dense+add+relu matches pattern "dense" of npu');
  assertEquals(kernels[2].reason, "softmax matches no pattern of npu: fallback");
  const copies = report.filter((e) => e.kind === "copy").map((e) => e.reason);
  assertEquals(copies, [
    `"${kernels[0].binding}" on npu reads "x" from cpu`,
    `"${kernels[2].binding}" on cpu reads "${kernels[1].binding}" from npu`,
  ]);
  assertEquals(placementProblems(module), []);
  const text = formatPlacementReport(report);
  assert(text.split("\n")[0].startsWith("binding"), text);
  // the pass form places the same way; the module verifies and its dump shows the copies
  const dumps: string[] = [];
  const viaPass = runPasses(mod, [partitionPass({ offload: [npu], fallback: "cpu" })], {
    verify: true,
    dumpAfter: ["partition"],
    log: (t) => dumps.push(t),
  });
  assert(dumps[0].startsWith("// after partition"), dumps[0]);
  assertEquals(dumps[0].match(/call_extern "tessera.device_copy"/g)?.length, 2);
  assert(dumps[0].includes('@{legalized_from: "dense+add+relu", target: "npu"}'), dumps[0]);
  assertEquals(
    printGraphFunc(viaPass.graphs.get("main")!),
    printGraphFunc(module.graphs.get("main")!),
  );
  // a target without patterns takes nothing
  const none = partition(mod, { offload: [cpu], fallback: "cpu" }).report;
  assert(none.every((e) => e.kind === "kernel" && e.target === "cpu"));
});

Deno.test("partition: the MLP split between npu and cpu equals the interpreter", async () => {
  const mod = runPasses(mlp(), FUSED_PASSES);
  const { module } = partition(mod, { offload: [npu], fallback: "cpu" });
  const ex = new PlacedExecutor(module, {
    backends: await targetBackends([cpu, npu]),
  });
  const oracle = new GraphExecutor(mlp());
  for (const n of [1, 5]) {
    const x = randomNDArray("float32", [n, 16], 30 + n);
    assertClose((await ex.run([x]))[0], (await oracle.run([x]))[0]);
  }
  assertEquals(
    ex.lastProfile().filter((s) => s.kind === "kernel").map((s) => s.target),
    ["npu", "npu", "cpu"],
  );
  ex.dispose();
});

Deno.test("partition: conv2d + bias + relu on the npu, the rest on cpu, equals the interpreter", async () => {
  // plain fusion swallows the activation after the conv: nothing is offloadable
  const greedy = partition(runPasses(convNet(), FUSED_PASSES), { offload: [npu], fallback: "cpu" });
  assertEquals(greedy.report.map((e) => e.func), ["fused_conv2d_add_relu_exp_tanh"]);
  // fusion with the patterns in view stops where the npu's pattern ends
  const passes = offloadPasses({ offload: [npu], fallback: "cpu" });
  const mod = runPasses(convNet(), passes.slice(0, -1));
  const { module, report } = partition(mod, { offload: [npu], fallback: "cpu" });
  assertEquals(
    printGraphFunc(runPasses(convNet(), passes).graphs.get("main")!),
    printGraphFunc(module.graphs.get("main")!),
  );
  assertEquals(
    report.filter((e) => e.kind === "kernel").map((e) => `${e.func}@${e.target}`),
    ["fused_conv2d_add_relu@npu", "fused_exp_tanh@cpu"],
  );
  const ex = new PlacedExecutor(module, {
    backends: await targetBackends([cpu, npu]),
  });
  const oracle = new GraphExecutor(convNet());
  const x = randomNDArray("float32", [2, 3, 6, 6], 7);
  assertClose((await ex.run([x]))[0], (await oracle.run([x]))[0]);
  ex.dispose();
});

Deno.test("partition: an imported ONNX MLP runs split between npu and cpu, equal to the interpreter", async () => {
  const opts = { offload: [npu], fallback: "cpu" };
  const model = importOnnx(mlpModel());
  const { module, report } = partition(runPasses(model, offloadPasses(opts).slice(0, -1)), opts);
  assertEquals(
    report.filter((e) => e.kind === "kernel").map((e) => e.target),
    ["npu", "npu", "npu", "cpu"], // the three GEMM layers, then softmax
  );
  const ex = new PlacedExecutor(module, { backends: await targetBackends([cpu, npu]) });
  const x = randomNDArray("float32", [3, 16], 4);
  assertClose((await ex.run([x]))[0], (await new GraphExecutor(model).run([x]))[0]);
  ex.dispose();
});
