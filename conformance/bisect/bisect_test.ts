import { assert, assertEquals } from "../../ir/test_util.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { GraphBuilder } from "../../ir/graph/builder.ts";
import type { GraphModule } from "../../ir/graph/ir.ts";
import { printGraphModule } from "../../ir/graph/print.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import { mlpModel } from "../models/mlp.ts";
import { loadCaseFile } from "../load_cases.ts";
import { runCase } from "../runner.ts";
import { interpTarget } from "../testing.ts";
import { bisectWithTolerance, checkOracle, graphInputs, main } from "./cli.ts";
import brokenCpu from "./testdata/broken_cpu.ts";

const BROKEN = new URL("./testdata/broken_interp.ts", import.meta.url).pathname;

/** dense + bias + relu, softmax, tanh over a batch n. */
function model(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 8]);
  const w = b.constant(randomNDArray("float32", [6, 8], 1), "w");
  const h = b.relu(b.add(b.dense(x, w), b.constant(randomNDArray("float32", [6], 2), "bias")));
  b.output(b.op("tanh", [b.softmax(h)]));
  return b.finish();
}

Deno.test("bisect: the first broken kernel becomes a case file that conformance loads and fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/m.graph`, printGraphModule(model()));
    const lines: string[] = [];
    const code = await main(
      ["m.graph", "--target", BROKEN, "--size", "n=3", "--cwd", dir, "--out", "repro.ts"],
      (s) => lines.push(s),
    );
    assertEquals(code, 1, lines.join("\n"));
    assertEquals(lines.slice(0, 4).map((l) => l.split(" ")[0]), ["ok", "ok", "ok", "DIVERGES"]);
    assert(lines[3].includes("softmax"), lines[3]);
    // the reproducer: the kernel in script form and the inputs it diverged on, exactly
    const file = await loadCaseFile("repro.ts", dir);
    assertEquals(file.kernels.map((c) => c.id), ["bisect/m/softmax_3"]);
    const c = file.kernels[0];
    const broken = await targetBackend(interpTarget({ wrongOn: /^softmax/ }).target);
    const r = await bisectWithTolerance(model(), graphInputs(model(), { n: 3 }, 1), broken);
    assert(structuralEqual(c.func(), r.first!.prim), "the script form parses back to the kernel");
    assertEquals(c.inputs(1).map(toNumbers), r.first!.inputs.map(toNumbers));
    assertEquals(c.outputShapes, [[3, 6]]);
    // conformance: the broken target fails it, a healthy one passes
    const bad = await runCase(c, interpTarget({ wrongOn: /^softmax/ }).target, { repeats: 0 });
    assertEquals(bad.verdict, "mismatch");
    const good = await runCase(c, interpTarget().target, { repeats: 0 });
    assertEquals(good.verdict, "passed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bisect: an ONNX model on a healthy target — nothing diverges, exit 0, no file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/mlp.onnx`, mlpModel());
    const lines: string[] = [];
    const code = await main([
      "mlp.onnx",
      "--target",
      BROKEN.replace("broken_interp", "healthy_interp"),
      "--ort",
      "--cwd",
      dir,
    ], (s) => lines.push(s));
    assertEquals(code, 0, lines.join("\n"));
    assert(lines.at(-1)!.startsWith("no kernel diverged"), lines.at(-1));
    assert(lines[0].startsWith("oracle  output 0: interpreter vs onnxruntime"), lines[0]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["mlp.onnx"]);
    // and on the broken one, the softmax of the ONNX model is found
    const code2 = await main(
      ["mlp.onnx", "--target", BROKEN, "--cwd", dir, "--size", "N=2"],
      (s) => lines.push(s),
    );
    assertEquals(code2, 1, lines.join("\n"));
    assert(Deno.statSync(`${dir}/bisect_mlp.ts`).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bisect: a kernel corrupted in the cpu codegen is found, the ones before it pass", async () => {
  const b = new GraphBuilder("main");
  b.output(b.softmax(b.relu(b.input("x", ["n", 6]))));
  const mod = b.finish();
  const r = await bisectWithTolerance(
    mod,
    graphInputs(mod, { n: 2 }, 3),
    await targetBackend(brokenCpu),
  );
  assertEquals(r.kernels.map((k) => [k.func, k.ok]), [["relu", true], ["softmax", false]]);
  assert(r.first!.detail.startsWith("output 0:"), r.first!.detail);
});

Deno.test("bisect: usage errors exit 2", async () => {
  const lines: string[] = [];
  assertEquals(await main([], (s) => lines.push(s)), 2);
  assertEquals(await main(["x.graph", "--size", "n"], (s) => lines.push(s)), 2);
  assertEquals(await main(["/nonexistent.graph"], (s) => lines.push(s)), 2);
});

Deno.test("bisect --ort: an oracle that disagrees with onnxruntime is reported, not bisected", async () => {
  // a graph that is not the model: the interpreter's "oracle" output cannot match onnxruntime's
  const b = new GraphBuilder("main");
  b.output(b.relu(b.input("x", ["N", 16])));
  const wrong = b.finish();
  const lines: string[] = [];
  const bad = await checkOracle(
    wrong,
    graphInputs(wrong, { N: 2 }, 1),
    mlpModel(),
    (s) => lines.push(s),
  );
  assert(bad, lines.join("\n"));
  assert(lines[0].includes("DISAGREE"), lines[0]);
});

Deno.test("bisect --fused: the fused kernels are the layers", async () => {
  const broken = await targetBackend(interpTarget({ wrongOn: /^fused_dense/ }).target);
  const r = await bisectWithTolerance(model(), graphInputs(model(), { n: 2 }, 1), broken, {
    fused: true,
    all: true,
  });
  assertEquals(r.kernels.map((k) => [k.func, k.ok]), [
    ["fused_dense_add_relu", false],
    ["fused_softmax_tanh", true],
  ]);
  assertEquals(r.first?.func, "fused_dense_add_relu");
});
