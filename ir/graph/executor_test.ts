import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, ndarray, randomNDArray } from "../ndarray.ts";
import { findOp } from "../ops/catalog.ts";
import { buildStats } from "../../sdk/build.ts";
import cpu from "../../targets/cpu/mod.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import { type Backend, interpreterBackend } from "./backend.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError, ShapeError } from "./errors.ts";
import { GraphExecutor } from "./executor.ts";
import type { GraphModule } from "./ir.ts";

const W1 = randomNDArray("float32", [24, 16], 11);
const B1 = randomNDArray("float32", [24], 12);
const W2 = randomNDArray("float32", [10, 24], 13);
const B2 = randomNDArray("float32", [10], 14);

/** dense + bias + relu, twice, then softmax, over a dynamic batch n. */
function mlp(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 16]);
  const layer = (h: typeof x, w: NDArray, bias: NDArray, k: number) =>
    b.relu(b.add(b.dense(h, b.constant(w, `w${k}`)), b.constant(bias, `b${k}`)));
  b.output(b.softmax(layer(layer(x, W1, B1, 1), W2, B2, 2)));
  return b.finish();
}

/** The plain-TypeScript references of the op library, composed. */
function reference(x: NDArray): NDArray {
  const ref = (op: string, xs: NDArray[], attrs: unknown = {}) =>
    findOp(op).reference(xs, attrs, {})[0];
  const layer = (h: NDArray, w: NDArray, b: NDArray) =>
    ref("relu", [ref("add", [ref("dense", [h, w]), b])]);
  return ref("softmax", [layer(layer(x, W1, B1), W2, B2)]);
}

function assertClose(got: NDArray, want: NDArray, tol = 1e-5): void {
  assertEquals(got.shape, want.shape);
  for (let i = 0; i < got.data.length; i++) {
    const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
    assert(d <= tol, `element ${i}: ${got.data[i]} vs ${want.data[i]}`);
  }
}

Deno.test("executor: the MLP on the interpreter equals the op references at n = 1 and 7", async () => {
  const ex = new GraphExecutor(mlp());
  for (const n of [1, 7]) {
    const x = randomNDArray("float32", [n, 16], n);
    const [y] = await ex.run([x]);
    assertClose(y, reference(x));
  }
  assertEquals(ex.compiledCount, ex.module.tir.functions.size);
});

Deno.test("executor: the MLP on cpu — one compile per function for every batch size", async () => {
  const ex = new GraphExecutor(mlp(), { backend: await targetBackend(cpu), profile: true });
  const interp = new GraphExecutor(mlp());
  const before = buildStats();
  for (const n of [1, 7]) {
    const x = randomNDArray("float32", [n, 16], 100 + n);
    const [y] = await ex.run([x]);
    const [z] = await interp.run([x]);
    assertClose(y, z);
    assertClose(y, reference(x));
    const prof = ex.lastProfile();
    assertEquals(prof.length, 7); // dense, add, relu ×2, softmax
    assert(prof.every((p) => p.ms >= 0 && ex.module.tir.functions.has(p.func)));
  }
  const after = buildStats();
  const funcs = ex.module.tir.functions.size;
  assertEquals(ex.compiledCount, funcs);
  assertEquals(after.builds - before.builds, funcs); // built once, not once per size
  assert(after.lowerings - before.lowerings <= funcs);
  // a wrong input shape names the input
  const e = await ex.run([randomNDArray("float32", [2, 15])]).then(() => undefined, (e) => e);
  assert(e instanceof ShapeError && e.code === "GRAPH_RUNTIME_SHAPE" && e.path!.includes('"x"'));
  ex.dispose();
});

Deno.test("executor: extern calls, match_shape binding new sizes, tuples", async () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n"]);
  // an extern whose result size the compiler cannot know: the positive entries
  const pos = b.callExtern("host.positive", [x], { shape: ["k"] }, { name: "pos" });
  const t = b.tuple([b.relu(pos), x]);
  const m = b.matchShape(b.getItem(t, 0), ["k"], undefined, "m");
  b.output(b.op("exp", [m]), b.getItem(t, 1));
  const mod = b.finish();
  const externs = {
    "host.positive": ([a]: readonly NDArray[]) => {
      const v = Array.from(a.data as Float32Array).filter((e) => e > 0);
      return ndarray("float32", [v.length], v);
    },
  };
  const ex = new GraphExecutor(mod, { externs });
  const [y, same] = await ex.run([ndarray("float32", [5], [1, -2, 0.5, -1, 2])]);
  assertEquals(y.shape, [3]);
  assertClose(y, ndarray("float32", [3], [Math.E, Math.exp(0.5), Math.exp(2)]));
  assertEquals(same.shape, [5]);
  const none = new GraphExecutor(mod);
  const e = await none.run([ndarray("float32", [1], [1])]).then(() => undefined, (e) => e);
  assert(e instanceof GraphError && e.code === "GRAPH_UNKNOWN_EXTERN");
  const wrongArity = await ex.run([]).then(() => undefined, (e) => e);
  assertEquals(wrongArity?.code, "GRAPH_INPUT");
});

Deno.test("executor: intermediates share the memory plan's storages, kept across runs", async () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n"]);
  let h = x;
  for (let k = 0; k < 6; k++) h = b.op(k % 2 ? "relu" : "neg", [h]);
  const t = b.tuple([h, b.op("exp", [x])]); // x lives until exp; the tuple keeps both
  b.output(b.getItem(t, 1), h);
  const inner = interpreterBackend();
  let live = 0;
  let allocs = 0;
  const counting: Backend = {
    ...inner,
    name: "counting",
    allocate: (shape, dtype) => {
      allocs++;
      live++;
      return inner.allocate(shape, dtype);
    },
    free: () => void live--,
  };
  const ex = new GraphExecutor(b.finish(), { backend: counting });
  const [e, y] = await ex.run([ndarray("float32", [2], [1, -2])]);
  assertClose(y, ndarray("float32", [2], [0, 0])); // neg, relu, … of [1, -2]
  assertClose(e, ndarray("float32", [2], [Math.E, Math.exp(-2)]));
  // 5 intermediates of the chain alternate between 2 storages; the 2 results are allocated
  assertEquals(ex.memoryPlan().tokens.length, 2);
  assertEquals(allocs, 4);
  assertEquals(live, 2); // the storages stay for the next run
  const [e2] = await ex.run([ndarray("float32", [2], [0, 1])]);
  assertClose(e2, ndarray("float32", [2], [1, Math.E]));
  assertEquals(allocs, 6); // only the results: same sizes, same storages
  await ex.run([ndarray("float32", [3], [0, 1, 2])]);
  assertEquals([allocs, ex.storageAllocations()], [8 + 2, 4]); // new sizes: new storages
  ex.dispose();
  assertEquals(live, 0);
});
