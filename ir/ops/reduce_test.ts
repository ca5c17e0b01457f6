import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import type { Block, BlockRealize, SeqStmt } from "../stmt.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { argmax, argmin, reduceMax, reduceMean, reduceSum } from "./reduce.ts";
import { refReduce } from "./ref_reduce.ts";
import { constOf } from "./shape.ts";
import { expectRun } from "./testing.ts";

Deno.test("keepdims keeps reduced axes as 1; a symbolic axis stays symbolic", () => {
  const n = sizeVar("n");
  const x = placeholder([n, 7, 5], "float32", "x");
  const kept = reduceSum(x, { axes: [1], keepdims: true });
  assert(kept.shape[0] === n && constOf(kept.shape[1]) === 1 && constOf(kept.shape[2]) === 5);
  const dropped = reduceMax(x, { axes: [0, 2] });
  assertEquals(dropped.shape.map(constOf), [7]);
  const all = reduceSum(x);
  assertEquals(all.shape.length, 0);
  const f = toPrimFunc("sum_all", [x], [all]);
  const a = randomNDArray("float32", [3, 7, 5], 4);
  const [out] = expectRun(f, [a], [refReduce("sum", a)]);
  assertEquals(out.shape, []);
});

Deno.test("mean is a sum stage then a division by the symbolic count", () => {
  const n = sizeVar("n");
  const x = placeholder([4, n], "float32", "x");
  const f = toPrimFunc("mean", [x], [reduceMean(x, { axes: -1 })]);
  const root = (f.body as BlockRealize).block as Block;
  assertEquals((root.body as SeqStmt).seq.length, 2);
  assertEquals(root.allocBuffers.map((b) => b.name), ["T_mean_sum"]);
  for (const cols of [3, 10]) {
    const a = randomNDArray("float32", [4, cols], cols);
    expectRun(f, [a], [refReduce("mean", a, { axes: -1 })]);
  }
});

Deno.test("int8 sums accumulate in int32 with outDtype, and wrap without it", () => {
  const x = placeholder([1, 4], "int8", "x");
  const a = ndarray("int8", [1, 4], [100, 100, 100, 100]);
  const [wide] = runFunc(toPrimFunc("s32", [x], [reduceSum(x, { axes: 1, outDtype: "int32" })]), [
    a,
  ]);
  const [narrow] = runFunc(toPrimFunc("s8", [x], [reduceSum(x, { axes: 1 })]), [a]);
  assertEquals([wide.dtype, toNumbers(wide)[0]], ["int32", 400]);
  assertEquals([narrow.dtype, toNumbers(narrow)[0]], ["int8", 400 - 512]);
});

Deno.test("argmax/argmin find the first extreme; a NaN is found first, like numpy", () => {
  const x = placeholder([3, 4], "float32", "x");
  const a = ndarray("float32", [3, 4], [1, 5, 5, 2, 0, NaN, 3, NaN, -1, -1, -3, -3]);
  const [mx] = runFunc(toPrimFunc("amax", [x], [argmax(x, { axis: 1 })]), [a]);
  const [mn] = runFunc(toPrimFunc("amin", [x], [argmin(x, { axis: 1, keepdims: true })]), [a]);
  assertEquals(toNumbers(mx), [1, 1, 0]);
  assertEquals(mn.shape, [3, 1]);
  assertEquals(toNumbers(mn), [0, 1, 2]);
});

Deno.test("reduction mistakes are typed errors", () => {
  const f = placeholder([4, 5], "float32", "x");
  const i = placeholder([4, 5], "int32", "x");
  const b = placeholder([4], "bool", "x");
  const cases: [() => unknown, string][] = [
    [() => reduceSum(f, { axes: [2] }), "OP_BAD_AXIS"],
    [() => reduceSum(f, { axes: [0, -2] }), "OP_BAD_AXIS"],
    [() => reduceMean(i), "OP_DTYPE_MISMATCH"],
    [() => reduceMax(f, { outDtype: "float64" }), "OP_BAD_PARAM"],
    [() => reduceSum(b), "OP_DTYPE_MISMATCH"],
    [() => argmax(f, { axis: 5 }), "OP_BAD_AXIS"],
  ];
  for (const [fn, code] of cases) assertEquals(assertThrows(fn, OpError).code, code);
});
