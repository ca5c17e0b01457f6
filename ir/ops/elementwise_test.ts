import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import {
  add,
  broadcastCompute,
  cast,
  clip,
  div,
  maximum,
  mul,
  neg,
  pow,
  relu,
  sqrt,
} from "./elementwise.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { refBinary, refUnary } from "./ref_elementwise.ts";
import { expectRun } from "./testing.ts";
import * as E from "../expr.ts";

Deno.test("one function serves every size its symbolic dimension is bound to at run time", () => {
  const n = sizeVar("n");
  const a = placeholder([n, 13], "float32", "a");
  const b = placeholder([13], "float32", "b");
  const f = toPrimFunc("add_bcast", [a, b], [add(a, b)]);
  for (const rows of [1, 4, 9]) {
    const x = randomNDArray("float32", [rows, 13], rows);
    const y = randomNDArray("float32", [13], 100 + rows);
    const [out] = expectRun(f, [x, y], [refBinary("add", x, y)]);
    assertEquals(out.shape, [rows, 13]);
  }
});

Deno.test("integer ops wrap like the dtype: int8 add and neg", () => {
  const a = placeholder([3], "int8", "a");
  const f = toPrimFunc("f", [a], [neg(add(a, 1))]);
  const [out] = runFunc(f, [ndarray("int8", [3], [127, -1, 5])]);
  // 127 + 1 wraps to -128, and -(-128) wraps to -128 again
  assertEquals(toNumbers(out), [-128, 0, -6]);
});

Deno.test("NaN propagates through maximum and relu, as in the IR's float semantics", () => {
  const a = placeholder([3], "float32", "a");
  const x = ndarray("float32", [3], [NaN, -2, 3]);
  const [m] = runFunc(toPrimFunc("f", [a], [maximum(a, 0)]), [x]);
  const [r] = runFunc(toPrimFunc("g", [a], [relu(a)]), [x]);
  assert(Number.isNaN(m.data[0]) && Number.isNaN(r.data[0]));
  assertEquals(toNumbers(r).slice(1), toNumbers(refUnary("relu", x)).slice(1));
});

Deno.test("scalar operands take the tensor's dtype on either side", () => {
  const a = placeholder([4], "float32", "a");
  const x = randomNDArray("float32", [4], 3, 0.5, 2);
  expectRun(toPrimFunc("f", [a], [div(1, a)]), [x], [refBinary("div", 1, x)]);
  expectRun(toPrimFunc("g", [a], [pow(a, 3)]), [x], [refBinary("pow", x, 3)]);
});

Deno.test("broadcastCompute fuses several inputs into one block", () => {
  const a = placeholder([2, 3], "float32", "a");
  const b = placeholder([3], "float32", "b");
  const t = broadcastCompute("axpb", [a, b], ([x, y]) => E.add(E.mul(x, 2), y));
  const x = randomNDArray("float32", [2, 3], 1);
  const y = randomNDArray("float32", [3], 2);
  expectRun(toPrimFunc("f", [a, b], [t]), [x, y], [refBinary("add", refBinary("mul", x, 2), y)]);
});

Deno.test("cast and clip", () => {
  const a = placeholder([4], "float32", "a");
  const [c] = runFunc(toPrimFunc("f", [a], [cast(clip(a, -200, 200), "int8")]), [
    ndarray("float32", [4], [-199.5, 3.7, 150, NaN]),
  ]);
  // clip keeps NaN (min/max propagate it); the cast saturates and sends NaN to 0
  assertEquals(toNumbers(c), [-128, 3, 127, 0]);
});

Deno.test("elementwise mistakes are typed errors naming the op and argument", () => {
  const f = placeholder([4], "float32", "f");
  const i = placeholder([4], "int32", "i");
  const m = placeholder([5], "float32", "m");
  const cases: [() => unknown, string, string][] = [
    [() => add(f, i), "OP_DTYPE_MISMATCH", 'op "add" / argument "b"'],
    [() => mul(f, m), "OP_SHAPE_MISMATCH", 'op "mul" / argument "b"'],
    [() => sqrt(i), "OP_DTYPE_MISMATCH", 'op "sqrt" / argument "x"'],
    [() => add(i, 0.5), "OP_BAD_PARAM", 'op "add" / argument "b"'],
    [() => add(1, 2), "OP_BAD_PARAM", 'op "add" / argument "a"'],
    [() => clip(f, 1, 0), "OP_BAD_PARAM", 'op "clip" / argument "lo"'],
    [() => pow(i, 2), "OP_DTYPE_MISMATCH", 'op "pow" / argument "a"'],
  ];
  for (const [fn, code, path] of cases) {
    const e = assertThrows(fn, OpError);
    assertEquals([e.code, e.path], [code, path]);
  }
});
