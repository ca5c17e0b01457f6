/**
 * The cpu target end to end: DSL functions built by the SDK (lower → C → clang → wasm), run in
 * device memory, checked against the reference interpreter.
 */
import { CallError, TargetError } from "../../ir/errors.ts";
import { add, call, div, mul, variable } from "../../ir/expr.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import {
  compute,
  createPrimFunc,
  maxReduce,
  placeholder,
  reduceAxis,
  sizeVar,
  sum,
} from "../../ir/te.ts";
import { assert, assertEquals, assertRejects } from "../../ir/test_util.ts";
import { build, buildStats, clearBuildCache } from "../../sdk/mod.ts";
import cpu, { CpuTensor } from "./mod.ts";
import { toolchainStats } from "./toolchain.ts";

/** Calls of the toolchain so far (answered from a cache or not). */
function toolchainCalls(): number {
  const t = toolchainStats();
  return t.memoryHits + t.diskHits + t.misses;
}

function axpy() {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = placeholder([n], "float32", "B");
  const C = compute([n], ([i]) => add(mul(A.at(i), 2.5), B.at(i)), "C");
  return createPrimFunc([A, B, C], "axpy");
}

function matmul() {
  const [m, n, k] = [sizeVar("m"), sizeVar("n"), sizeVar("k")];
  const A = placeholder([m, k], "float32", "A");
  const B = placeholder([k, n], "float32", "B");
  const r = reduceAxis(k, "r");
  const C = compute([m, n], ([i, j]) => sum(mul(A.at(i, r), B.at(r, j)), [r]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

Deno.test("cpu: one compile serves every size of a symbolic elementwise kernel", async () => {
  clearBuildCache();
  const calls = toolchainCalls();
  const f = axpy();
  for (const n of [1, 5, 16, 1000]) {
    const kernel = await build(f, cpu);
    const a = randomNDArray("float32", [n], n);
    const b = randomNDArray("float32", [n], n + 7);
    const [got] = await kernel.run([a, b]);
    assertEquals(toNumbers(got), toNumbers(runFunc(f, [a, b])[0]), `n = ${n}`);
  }
  const s = buildStats();
  assertEquals([s.builds, s.compiles, s.loads, s.kernelHits], [4, 1, 1, 3]);
  assertEquals(toolchainCalls() - calls, 1, "clang is asked once");
});

Deno.test("cpu: 64-bit integer scalars and tensors cross the boundary exactly", async () => {
  const n = sizeVar("n");
  const A = placeholder([n], "int64", "A");
  const s = variable("s", "int64");
  const B = compute([n], ([i]) => add(A.at(i), s), "B");
  const f = createPrimFunc([A, s, B], "add64");
  const a = ndarray("int64", [3], [1, -2, 2 ** 40]);
  const k = await build(f, cpu);
  for (const x of [5, 2n ** 62n]) {
    const [got] = await k.run([a, x]);
    assertEquals([...got.data], [...runFunc(f, [a, x])[0].data]);
  }
});

Deno.test("cpu: matmul, a max-reduction and intermediates agree with the interpreter", async () => {
  const mm = matmul();
  const a = randomNDArray("float32", [7, 13], 1);
  const b = randomNDArray("float32", [13, 5], 2);
  // exact agreement is the codegen's promise; the default schedule contracts to fma (not exact)
  const k = await build(mm, cpu, { schedule: false });
  assert(k.source.includes(k.artifact.entry), "the source defines the entry point");
  assertEquals(toNumbers((await k.run([a, b]))[0]), toNumbers(runFunc(mm, [a, b])[0]));

  const n = sizeVar("n");
  const X = placeholder([n, 6], "float32", "X");
  const j = reduceAxis(6, "j");
  const M = compute([n], ([i]) => maxReduce(X.at(i, j), [j]), "M");
  const E = compute([n, 6], ([i, c]) => call("exp", [add(X.at(i, c), mul(M.at(i), -1))]), "E");
  const j2 = reduceAxis(6, "j2");
  const S = compute([n], ([i]) => sum(E.at(i, j2), [j2]), "S");
  const Y = compute([n, 6], ([i, c]) => div(E.at(i, c), S.at(i)), "Y");
  const softmax = createPrimFunc([X, Y], "softmax");
  const x = randomNDArray("float32", [4, 6], 3, -4, 4);
  const [got] = await (await build(softmax, cpu, { schedule: false })).run([x]);
  assertEquals(toNumbers(got), toNumbers(runFunc(softmax, [x])[0]));
});

Deno.test("cpu: call works in device memory across memory growth", async () => {
  const kernel = await build(axpy(), cpu);
  const d = kernel.device;
  const a = d.fromArray(ndarray("float32", [3], [1, 2, 3]));
  const b = d.fromArray(ndarray("float32", [3], [10, 20, 30]));
  const c = d.allocate([3], "float32");
  assert(c instanceof CpuTensor);
  await kernel.call([a, b, c]);
  assertEquals([...c.data], [12.5, 25, 37.5]);
  const big = d.allocate([1 << 22], "float32"); // 16 MiB: grows the memory
  await kernel.call([b, a, c]);
  assertEquals([...c.data], [26, 52, 78]);
  d.free(big);
  const t = await kernel.time([a, b, c], { repeat: 3, warmup: 1 });
  assertEquals(t.samplesMs.length, 3);
});

Deno.test("cpu: wrong arguments are CallErrors; integer division by zero is a typed error", async () => {
  const kernel = await build(axpy(), cpu);
  const d = kernel.device;
  const f = (n: number) => d.allocate([n], "float32");
  const code = async (p: () => Promise<unknown>, cls: typeof CallError, want: string) => {
    const e = await assertRejects(p, cls);
    assertEquals(e.code, want, e.message);
  };
  await code(() => kernel.call([f(2), f(2)]), CallError, "CALL_ARITY");
  await code(
    () => kernel.call([f(2), d.allocate([2], "float64"), f(2)]),
    CallError,
    "CALL_DTYPE_MISMATCH",
  );
  await code(() => kernel.call([f(2), f(2), f(3)]), CallError, "CALL_SHAPE_MISMATCH");

  const n = sizeVar("n");
  const A = placeholder([n], "int32", "A");
  const s = variable("s", "int32");
  const B = compute([n], ([i]) => div(A.at(i), s), "B");
  const q = await build(createPrimFunc([A, s, B], "quot"), cpu);
  const [ok] = await q.run([ndarray("int32", [3], [7, -7, 9]), 2]);
  assertEquals(toNumbers(ok), [3, -3, 4]);
  await code(
    () => q.run([ndarray("int32", [3], [7, -7, 9]), 0]),
    TargetError,
    "KERNEL_DIVIDE_BY_ZERO",
  );
  const [again] = await q.run([ndarray("int32", [1], [9]), 3]);
  assertEquals(toNumbers(again), [3]);
});
