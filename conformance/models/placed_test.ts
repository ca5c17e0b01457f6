import { assert, assertEquals } from "../../ir/test_util.ts";
import cpu from "../../targets/cpu/mod.ts";
import npu from "../../targets/npu/mod.ts";
import gpu from "../../targets/gpu/mod.ts";
import { HAS_GPU } from "../../targets/gpu/testing.ts";
import type { Target } from "../../sdk/mod.ts";
import { runModelCase } from "../model_runner.ts";
import { junitReport } from "../junit.ts";
import { renderTable } from "../report.ts";
import { modelCases } from "./cases.ts";
import { MLP } from "./mlp.ts";

const [mlp, cnn, transformer] = modelCases;

Deno.test("models on cpu: the MLP equals onnxruntime-node, every kernel on cpu", async () => {
  const r = await runModelCase(mlp, cpu as Target, { repeats: 1 });
  assertEquals(r.verdict, "passed", r.detail);
  const p = r.placement!;
  assertEquals(p.offloadTarget, undefined);
  assert(p.kernels.every((k) => k.target === "cpu"), JSON.stringify(p.kernels));
  assertEquals(p.copies, 0);
  assertEquals(p.offloadedMacShare, 0);
  // N=4 rows through the three layers: every MAC counted
  const { inputs: i, hidden1: h1, hidden2: h2, classes: c } = MLP;
  assertEquals(p.macsByTarget.cpu, 4 * (i * h1 + h1 * h2 + h2 * c));
});

Deno.test("models on npu: the MLP's GEMM layers offloaded, softmax on cpu, equal to onnxruntime-node", async () => {
  const r = await runModelCase(mlp, npu as Target, { repeats: 1 });
  assertEquals(r.verdict, "passed", r.detail);
  const p = r.placement!;
  assertEquals(p.offloadTarget, "npu");
  assertEquals(p.kernels.map((k) => k.target), ["npu", "npu", "npu", "cpu"]);
  assertEquals(p.kernels[3].func, "softmax");
  assertEquals(p.offloadedMacShare, 1);
  assertEquals(p.copies, 2);
  const table = renderTable([r]);
  assert(table.includes("Placement (what ran where):"), table);
  assert(table.includes("100.0% of MACs on npu"), table);
  assert(junitReport("npu", [r]).includes("placement: 100.0% of MACs on npu"));
});

Deno.test({
  name: "models on gpu: the MLP equals onnxruntime-node, every kernel on gpu",
  ignore: !HAS_GPU,
  fn: async () => {
    const r = await runModelCase(mlp, gpu as Target, { repeats: 1 });
    assertEquals(r.verdict, "passed", r.detail);
    assert(r.placement!.kernels.every((k) => k.target === "gpu"));
  },
});

Deno.test("models on npu: the CNN's convs and the transformer's GEMMs offloaded, the rest on cpu", async () => {
  const c = await runModelCase(cnn, npu as Target, { repeats: 1 });
  assertEquals(c.verdict, "passed", c.detail);
  const conv = c.placement!.kernels.filter((k) => k.func.startsWith("fused_conv2d"));
  assertEquals(conv.map((k) => k.target), ["npu", "npu", "npu"]);
  assert(c.placement!.kernels.some((k) => k.func === "max_pool2d" && k.target === "cpu"));
  const t = await runModelCase(transformer, npu as Target, { repeats: 1 });
  assertEquals(t.verdict, "passed", t.detail);
  const p = t.placement!;
  const gemms = p.kernels.filter((k) => /^(fused_)?(dense|batch_matmul)/.test(k.func));
  // q, k, v and output projections, two attention products, two feed-forward layers
  assertEquals(gemms.reduce((n, k) => n + k.calls, 0), 8, JSON.stringify(p.kernels));
  assert(gemms.every((k) => k.target === "npu"), JSON.stringify(gemms));
  // layer norm's variance is a reduction no npu pattern takes: a few MACs stay on cpu
  const ln = p.kernels.find((k) => k.func === "layer_norm");
  assertEquals(ln?.target, "cpu");
  assert(p.macsByTarget.cpu > 0 && p.offloadedMacShare > 0.9 && p.offloadedMacShare < 1);
  assert(
    Math.abs(p.offloadedMacShare - p.macsByTarget.npu / (p.macsByTarget.npu + p.macsByTarget.cpu)) <
      1e-12,
  );
});
