import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, randomNDArray } from "../ndarray.ts";
import cpu from "../../targets/cpu/mod.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphExecutor } from "./executor.ts";
import { fuse } from "./fuse.ts";
import { bindingsOf, type GraphModule } from "./ir.ts";
import { FUSED_PASSES } from "./pipelines.ts";
import { parseGraphModule } from "./parse.ts";
import { printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";

function mlp(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 12]);
  const layer = (h: typeof x, k: number, i: number, o: number) =>
    b.relu(b.add(
      b.dense(h, b.constant(randomNDArray("float32", [o, i], k), `w${k}`)),
      b.constant(randomNDArray("float32", [o], 10 + k), `b${k}`),
    ));
  const h = layer(layer(x, 1, 12, 20), 2, 20, 6);
  const shared = b.op("exp", [h], {}, "shared"); // two uses: ends a chain
  b.output(b.add(b.softmax(shared), b.op("tanh", [shared])));
  return b.finish();
}

function assertClose(got: NDArray, want: NDArray, tol = 1e-5): void {
  assertEquals(got.shape, want.shape);
  for (let i = 0; i < got.data.length; i++) {
    const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
    assert(d <= tol, `element ${i}: ${got.data[i]} vs ${want.data[i]}`);
  }
}

Deno.test("fuse: dense + bias + activation chains become one kernel each", async () => {
  const mod = mlp();
  const fused = fuse.run(mod);
  const kinds = bindingsOf(fused.graphs.get("main")!).map((b) =>
    b.value.kind === "OpCall" ? b.value.op : b.value.kind
  );
  // layer 2's chain continues into exp (its only use); exp's result has two uses, so tanh
  // stays alone, and softmax (one use) fuses with the final add
  assertEquals(kinds, ["CallTIR", "CallTIR", "tanh", "CallTIR"]);
  assertEquals([...fused.tir.functions.keys()], [
    "fused_dense_add_relu",
    "fused_dense_add_relu_exp",
    "fused_softmax_add",
  ]);
  assertEquals(graphFirstMismatch(parseGraphModule(printGraphModule(fused)), fused), undefined);
  const dumps: string[] = [];
  const plain = new GraphExecutor(mod, { profile: true });
  const ex = new GraphExecutor(mod, {
    passes: FUSED_PASSES,
    profile: true,
    passOptions: { dumpAfter: true, log: (t) => dumps.push(t) },
  });
  assertEquals(dumps.map((d) => d.split("\n")[0]), FUSED_PASSES.map((p) => `// after ${p.name}`));
  assert(ex.module.tir.functions.size < plain.module.tir.functions.size);
  for (const n of [1, 5]) {
    const x = randomNDArray("float32", [n, 12], n);
    const [want] = await plain.run([x]);
    const [got] = await ex.run([x]);
    assertClose(got, want);
    assert(ex.lastProfile().length < plain.lastProfile().length);
  }
  const cpuEx = new GraphExecutor(mod, { passes: FUSED_PASSES, backend: await targetBackend(cpu) });
  const x = randomNDArray("float32", [3, 12], 9);
  assertClose((await cpuEx.run([x]))[0], (await plain.run([x]))[0]);
});

Deno.test("fuse: conv2d + bias + relu over a symbolic batch is one kernel", async () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 3, 6, 6]);
  const w = b.constant(randomNDArray("float32", [4, 3, 3, 3], 1), "w");
  const bias = b.constant(randomNDArray("float32", [4, 1, 1], 2), "bias");
  b.output(b.relu(b.add(b.op("conv2d", [x, w], { padding: 1 }), bias)));
  const mod = b.finish();
  const fused = new GraphExecutor(mod, {
    passes: FUSED_PASSES,
    passOptions: { verify: true },
    profile: true,
  });
  assertEquals([...fused.module.tir.functions.keys()], ["fused_conv2d_add_relu"]);
  const plain = new GraphExecutor(mod, { profile: true });
  for (const n of [1, 2]) {
    const xs = randomNDArray("float32", [n, 3, 6, 6], n);
    assertClose((await fused.run([xs]))[0], (await plain.run([xs]))[0]);
    assertEquals(fused.lastProfile().length, 1);
  }
});
