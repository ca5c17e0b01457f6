// Planned views are kept across runs and re-zeroed only before kernels that may not write all of
// them: results stay bit-identical even when every storage holds garbage between runs.
import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, randomNDArray } from "../ndarray.ts";
import { parseFunc } from "../script/mod.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
import cpu from "../../targets/cpu/mod.ts";
import type { CpuTensor } from "../../targets/cpu/mod.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import { type Backend, type BackendTensor, interpreterBackend } from "./backend.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphExecutor } from "./executor.ts";
import { ShapeError } from "./errors.ts";
import { FUSED_PASSES } from "./pipelines.ts";
import type { GraphModule } from "./ir.ts";

/** A backend whose every allocation can be filled with NaN (garbage) between runs. */
function garbling(
  inner: Backend,
  dataOf: (t: BackendTensor) => { fill(v: number): unknown },
): { backend: Backend; garble(): void } {
  const made = new Set<BackendTensor>();
  return {
    backend: {
      ...inner,
      allocate: (shape, dtype) => {
        const t = inner.allocate(shape, dtype);
        made.add(t);
        return t;
      },
      free: (t) => {
        made.delete(t);
        inner.free(t);
      },
    },
    garble: () => {
      for (const t of made) dataOf(t).fill(NaN);
    },
  };
}

/** `half` writes only the first half of its output: the rest must read as zeros. */
function halfThenRelu(): GraphModule {
  const half = parseFunc(`func half(a: buffer<float32>[8], b: buffer<float32>[8]) {
  block root() {
    for i in 0..4 {
      block b(vi: spatial(0..4) = i) {
        reads(a[vi])
        writes(b[vi])
        b[vi] = a[vi] * 2.0
      }
    }
  }
}`);
  const b = new GraphBuilder("main");
  const x = b.input("x", [8]);
  const h = b.callTIR(half, [x], { shape: [8] });
  b.output(b.add(b.relu(b.add(h, x)), x));
  return b.finish();
}

const copy = (a: NDArray) => a.data.slice();

Deno.test("executor: kept views over garbage storages give the same bits (interpreter)", async () => {
  const g = garbling(interpreterBackend(), (t) => (t as NDArray).data as Float32Array);
  const ex = new GraphExecutor(halfThenRelu(), { backend: g.backend });
  const fresh = (x: NDArray) => new GraphExecutor(halfThenRelu()).run([x]);
  for (let run = 0; run < 3; run++) {
    const x = randomNDArray("float32", [8], run);
    const got = copy((await ex.run([x]))[0]);
    g.garble();
    const want = (await fresh(x))[0].data;
    assertEquals([...got], [...want]);
    // the half `half` leaves alone was zeroed: relu(0 + x) + x
    for (let i = 4; i < 8; i++) {
      const xi = x.data[i] as number;
      assertEquals(got[i], Math.fround(Math.fround(Math.max(xi, 0)) + xi));
    }
  }
  assertEquals(ex.storageAllocations(), ex.memoryPlan().tokens.length);
});

Deno.test("executor: kept views over garbage storages give the same bits (cpu)", async () => {
  const g = garbling(await targetBackend(cpu), (t) => (t as CpuTensor).data as Float32Array);
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 16]);
  const w = b.constant(randomNDArray("float32", [16, 16], 7), "w");
  const y = b.softmax(b.relu(b.dense(b.relu(b.dense(x, w)), w)));
  b.output(b.add(y, b.constant(randomNDArray("float32", [16], 8), "c")));
  const mod = b.finish();
  const ex = new GraphExecutor(mod, { backend: g.backend, passes: FUSED_PASSES });
  const fresh = new GraphExecutor(mod, { backend: await targetBackend(cpu), passes: FUSED_PASSES });
  for (let run = 0; run < 4; run++) {
    const x = randomNDArray("float32", [run < 2 ? 3 : 5, 16], run);
    const got = copy((await ex.run([x]))[0]);
    g.garble();
    const want = (await fresh.run([x]))[0].data;
    assert(got.every((v, i) => Object.is(v, want[i])), `run ${run}: results differ`);
  }
  ex.dispose();
  fresh.dispose();
});

Deno.test("executor: a reduction over an empty axis gets its view zeroed again", async () => {
  const n = sizeVar("n");
  const a = placeholder([4, n], "float32", "a");
  const k = reduceAxis(n, "k");
  const rowsum = createPrimFunc([a, compute([4], ([i]) => sum(a.at(i, k), [k]), "s")], "rowsum");
  const b = new GraphBuilder("main");
  const x = b.input("x", [4, "m"]);
  b.output(b.relu(b.callTIR(rowsum, [x], { shape: [4] })));
  const g = garbling(interpreterBackend(), (t) => (t as NDArray).data as Float32Array);
  const ex = new GraphExecutor(b.finish(), { backend: g.backend });
  for (const m of [3, 0, 2, 0]) {
    const x = randomNDArray("float32", [4, m], m);
    const got = copy((await ex.run([x]))[0]);
    g.garble();
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s = Math.fround(s + (x.data[i * m + j] as number));
      assertEquals(got[i], Math.max(s, 0), `m = ${m}, row ${i}`);
    }
  }
});

Deno.test("executor: run-time checks still hold after runs at unchanged sizes", async () => {
  const b = new GraphBuilder("f");
  const x = b.input("x", ["n", "k"]);
  const w = b.input("w", [8, "k2"]);
  b.output(b.relu(b.dense(x, w, undefined, {}, "y")));
  const ex = new GraphExecutor(b.finish());
  const ok = [randomNDArray("float32", [2, 3], 1), randomNDArray("float32", [8, 3], 2)];
  const first = copy((await ex.run(ok))[0]);
  assertEquals([...copy((await ex.run(ok))[0])], [...first]);
  const bad = [randomNDArray("float32", [2, 3], 1), randomNDArray("float32", [8, 4], 2)];
  const e = await ex.run(bad).then(() => undefined, (err) => err);
  assert(e instanceof ShapeError && e.code === "GRAPH_RUNTIME_SHAPE", `${e}`);
  assert(e.path!.includes('binding "y"'), e.path);
  assertEquals([...copy((await ex.run(ok))[0])], [...first]);
});
