import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { batchMatmul, dense, matmul } from "./linalg.ts";
import { refBatchMatmul, refMatmul } from "./ref_linalg.ts";
import { constOf } from "./shape.ts";
import { expectRun } from "./testing.ts";

Deno.test("int8 matmul accumulates exactly in int32 with outDtype", () => {
  const a = placeholder([1, 3], "int8", "a");
  const b = placeholder([3, 1], "int8", "b");
  const f = toPrimFunc("mm", [a, b], [matmul(a, b, { outDtype: "int32" })]);
  const [c] = runFunc(f, [
    ndarray("int8", [1, 3], [127, 127, -128]),
    ndarray("int8", [3, 1], [127, 127, -128]),
  ]);
  assertEquals([c.dtype, toNumbers(c)[0]], ["int32", 127 * 127 * 2 + 128 * 128]);
});

Deno.test("symbolic m, k and n bound at run time; two sizes through one function", () => {
  const [m, k, n] = [sizeVar("m"), sizeVar("k"), sizeVar("n")];
  const a = placeholder([m, k], "float32", "a");
  const b = placeholder([k, n], "float32", "b");
  const f = toPrimFunc("mm", [a, b], [matmul(a, b)]);
  for (const [M, K, N] of [[1, 1, 1], [5, 7, 3]]) {
    const x = randomNDArray("float32", [M, K], M);
    const y = randomNDArray("float32", [K, N], N);
    expectRun(f, [x, y], [refMatmul(x, y)]);
  }
});

Deno.test("batch dimensions broadcast; a 2-D operand is shared by every batch", () => {
  const a = placeholder([2, 1, 3, 4], "float32", "a");
  const b = placeholder([5, 4, 6], "float32", "b");
  const c = batchMatmul(a, b);
  assertEquals(c.shape.map(constOf), [2, 5, 3, 6]);
  const x = randomNDArray("float32", [2, 1, 3, 4], 1);
  const y = randomNDArray("float32", [5, 4, 6], 2);
  expectRun(toPrimFunc("bmm", [a, b], [c]), [x, y], [refBatchMatmul(x, y)]);
});

Deno.test("linear-algebra mistakes are typed errors naming the argument", () => {
  const a = placeholder([3, 4], "float32", "a");
  const b = placeholder([5, 6], "float32", "b");
  const s = placeholder([sizeVar("k"), 6], "float32", "s");
  const i = placeholder([4, 6], "int8", "i");
  const v = placeholder([4], "float32", "v");
  const cases: [() => unknown, string, string][] = [
    [() => matmul(a, b), "OP_SHAPE_MISMATCH", "b"],
    [() => matmul(a, s), "OP_UNPROVABLE_SHAPE", "b"],
    [() => matmul(a, i), "OP_DTYPE_MISMATCH", "b"],
    [() => matmul(a, v), "OP_BAD_RANK", "b"],
    [() => batchMatmul(v, a), "OP_BAD_RANK", "a"],
    [() => dense(a, b), "OP_SHAPE_MISMATCH", "weight"],
    [() => dense(a, placeholder([6, 4], "float32", "w"), v), "OP_SHAPE_MISMATCH", "bias"],
  ];
  for (const [fn, code, arg] of cases) {
    const e = assertThrows(fn, OpError);
    assertEquals(e.code, code);
    assert(e.path!.endsWith(`argument "${arg}"`), e.path);
  }
});
