/**
 * A vendor-style target written in a test file with nothing but the public SDK: its "codegen"
 * prints the lowered function, its runtime keeps tensors in host arrays and runs the lowered
 * function in the reference interpreter. That `build` drives it like any target shows the SDK is
 * target-agnostic; the same tests pin down binding, caching and call errors.
 */
import { CallError, TargetError } from "../ir/errors.ts";
import { add, int, lt, mul, select, variable } from "../ir/expr.ts";
import { decl, evaluate } from "../ir/stmt.ts";
import { irModule, primFunc } from "../ir/func.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../ir/te.ts";
import { assert, assertEquals, assertRejects } from "../ir/test_util.ts";
import { printFuncPlain } from "../ir/transform/mod.ts";
import {
  build,
  buildStats,
  clearBuildCache,
  defineMemoryScope,
  defineTarget,
  SDK_VERSION,
} from "./mod.ts";
import { InterpDevice } from "./testing.ts";

const interpTarget = defineTarget({
  name: "interp",
  kind: "cpu",
  sdkVersion: SDK_VERSION,
  scopes: [defineMemoryScope({ name: "global", alignmentBytes: 8 })],
  codegen: {
    lowerOptions: { verify: true },
    compile: (lowered) =>
      Promise.resolve({
        target: "interp",
        entry: lowered.name,
        source: printFuncPlain(lowered),
        lowered,
      }),
  },
  runtime: { createDevice: () => Promise.resolve(new InterpDevice("interp", 2)) },
  limits: {},
  peak: { flopsPerSecond: { float32: 1e8 }, bytesPerSecond: { global: 1e9 } },
});

function elementwise() {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = placeholder([n], "float32", "B");
  const C = compute([n], ([i]) => add(mul(A.at(i), 2), B.at(i)), "C");
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

Deno.test("a vendor target: symbolic sizes run at several sizes with one compile", async () => {
  clearBuildCache();
  const f = elementwise();
  for (const n of [1, 7, 64]) {
    const kernel = await build(f, interpTarget);
    const a = randomNDArray("float32", [n], n);
    const b = randomNDArray("float32", [n], n + 1);
    const [got] = await kernel.run([a, b]);
    const [want] = runFunc(f, [a, b]);
    assertEquals(toNumbers(got), toNumbers(want));
  }
  const s = buildStats();
  assertEquals([s.builds, s.compiles, s.lowerings, s.loads, s.kernelHits], [3, 1, 1, 1, 2]);
});

Deno.test("a vendor target: matmul and intermediates agree with the interpreter", async () => {
  const mm = matmul();
  const kernel = await build(mm, interpTarget);
  assertEquals(kernel.lowered.attrs.lowered, true);
  assert(kernel.source.includes("matmul"), kernel.source);
  const a = randomNDArray("float32", [3, 5], 1);
  const b = randomNDArray("float32", [5, 4], 2);
  assertEquals(toNumbers((await kernel.run([a, b]))[0]), toNumbers(runFunc(mm, [a, b])[0]));

  const n = sizeVar("n");
  const X = placeholder([n], "int32", "X");
  const T = compute([n], ([i]) => mul(X.at(i), 3), "T");
  const Y = compute([n], ([i]) => add(T.at(i), 1), "Y");
  const chain = createPrimFunc([X, Y], "chain");
  const x = randomNDArray("int32", [9], 3);
  const got = await (await build(chain, interpTarget)).run([x]);
  assertEquals(toNumbers(got[0]), toNumbers(runFunc(chain, [x])[0]));
});

Deno.test("a repeat build of an equal function hits the kernel cache", async () => {
  clearBuildCache();
  const k1 = await build(elementwise(), interpTarget);
  const k2 = await build(elementwise(), interpTarget); // a new, structurally equal object
  assert(k1 === k2);
  assertEquals(buildStats().compiles, 1);
  // Other options are another kernel; a second device reuses the artifact.
  await build(elementwise(), interpTarget, { lower: { maxUnroll: 4 } });
  assertEquals(buildStats().compiles, 2);
  const other = await interpTarget.runtime.createDevice();
  await build(elementwise(), interpTarget, { device: other });
  const s = buildStats();
  assertEquals([s.compiles, s.artifactHits, s.loads], [2, 1, 3]);
  // Renamed parameters are a different kernel (its errors name them).
  const n = sizeVar("n");
  const P = placeholder([n], "float32", "P");
  const Q = placeholder([n], "float32", "Q");
  const R = compute([n], ([i]) => add(mul(P.at(i), 2), Q.at(i)), "R");
  await build(createPrimFunc([P, Q, R], "axpy"), interpTarget);
  assertEquals(buildStats().compiles, 3);
});

Deno.test("call: destination passing on device tensors, sizes bound from shapes", async () => {
  const kernel = await build(elementwise(), interpTarget);
  const d = kernel.device as InterpDevice;
  const a = d.fromArray(ndarray("float32", [3], [1, 2, 3]));
  const b = d.fromArray(ndarray("float32", [3], [10, 20, 30]));
  const c = d.allocate([3], "float32");
  await kernel.call([a, b, c]);
  assertEquals(toNumbers(await d.toArray(c)), [12, 24, 36]);
  const t = await kernel.time([a, b, c]);
  assertEquals(t.samplesMs.length, 2);
});

Deno.test("call errors: arity, dtype, shape, unbound, kind, device, freed", async () => {
  const kernel = await build(elementwise(), interpTarget);
  const d = kernel.device;
  const f32 = (n: number) => d.allocate([n], "float32");
  const code = async (p: () => Promise<unknown>, want: string, inMessage: string) => {
    const e = await assertRejects(p, CallError);
    assertEquals(e.code, want, e.message);
    assert(e.message.includes(inMessage), `${e.message} should mention ${inMessage}`);
  };
  await code(() => kernel.call([f32(3), f32(3)]), "CALL_ARITY", `"axpy"`);
  await code(
    () => kernel.call([f32(3), d.allocate([3], "int32"), f32(3)]),
    "CALL_DTYPE_MISMATCH",
    `buffer "B"`,
  );
  await code(() => kernel.call([f32(3), f32(4), f32(3)]), "CALL_SHAPE_MISMATCH", `buffer "B"`);
  await code(
    () => kernel.call([f32(3), d.allocate([3, 1], "float32"), f32(3)]),
    "CALL_SHAPE_MISMATCH",
    "rank 2",
  );
  await code(() => kernel.call([f32(3), 2, f32(3)]), "CALL_ARG_KIND", `buffer "B"`);
  const other = await interpTarget.runtime.createDevice();
  await code(
    () => kernel.call([f32(3), other.allocate([3], "float32"), f32(3)]),
    "CALL_DEVICE_MISMATCH",
    `buffer "B"`,
  );
  const shared = f32(3);
  await code(() => kernel.call([shared, f32(3), shared]), "CALL_ALIASED", `"A" and "C"`);
  await kernel.call([shared, shared, f32(3)]); // two read-only parameters may share a tensor
  const freed = f32(3);
  d.free(freed);
  await code(() => kernel.call([f32(3), f32(3), freed]), "CALL_TENSOR_FREED", `buffer "C"`);
  await code(
    () => kernel.run([ndarray("float32", [2]), ndarray("float32", [3])]),
    "CALL_SHAPE_MISMATCH",
    "dimension 0 is 3, expected 2",
  );
  await code(
    () => kernel.run([ndarray("float32", [2]), ndarray("int8", [2])]),
    "CALL_DTYPE_MISMATCH",
    `buffer "B"`,
  );
  // An output whose size no input binds.
  const n = sizeVar("n");
  const m = sizeVar("m");
  const A = placeholder([n], "float32", "A");
  const B = compute([m], () => A.at(0), "B");
  const free = await build(createPrimFunc([A, B], "spread"), interpTarget);
  await code(() => free.run([ndarray("float32", [2])]), "CALL_SHAPE_UNBOUND", `"m"`);
  const [out] = await free.run([ndarray("float32", [2], [5, 6])], { outputShapes: [[3]] });
  assertEquals(toNumbers(out), [5, 5, 5]);
});

Deno.test("scalar parameters, affine shapes and modules", async () => {
  const n = sizeVar("n");
  const s = variable("s", "float32");
  const A = placeholder([add(mul(n, 2), 1)], "float32", "A");
  const B = compute([n], ([i]) => mul(A.at(mul(i, 2)), s), "B");
  const f = createPrimFunc([A, s, B], "stride2");
  const a = randomNDArray("float32", [9], 4);
  const kernel = await build(irModule([f]), interpTarget);
  const [got] = await kernel.run([a, 0.5]);
  assertEquals(got.shape, [4]);
  assertEquals(toNumbers(got), toNumbers(runFunc(f, [a, 0.5])[0]));
  const e = await assertRejects(() => kernel.run([ndarray("float32", [8]), 1]), CallError);
  assertEquals(e.code, "CALL_SHAPE_MISMATCH");
  const g = primFunc("g", [], f.body);
  const te = await assertRejects(() => build(irModule([f, g]), interpTarget), TargetError);
  assertEquals(te.code, "BUILD_ENTRY");
  assertEquals((await build(irModule([f, g]), interpTarget, { entry: "stride2" })).name, "stride2");
});

Deno.test("parameters that calls cannot bind fail at build time, before compiling", async () => {
  clearBuildCache();
  const n = variable("n");
  const B = decl("B", [n], "float32");
  const body = evaluate(int(0));
  const strided = primFunc("strided", [decl("A", [4], "float32", { strides: [2] }), B], body);
  const e1 = await assertRejects(() => build(strided, interpTarget), TargetError);
  assertEquals([e1.code, e1.path], ["BUILD_STRIDED_PARAM", `func "strided" / buffer "A"`]);
  const odd = primFunc("odd", [decl("A", [select(lt(n, 4), 4, n)], "float32"), B], body);
  const e2 = await assertRejects(() => build(odd, interpTarget), TargetError);
  assertEquals(e2.code, "BUILD_SHAPE_EXPR");
  assertEquals(buildStats().compiles, 0);
});
