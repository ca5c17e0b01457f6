import { assertEquals } from "../test_util.ts";
import {
  add,
  bufferLoad,
  cast,
  eq,
  floormod,
  gt,
  int,
  letExpr,
  mul,
  sub,
  variable,
} from "../expr.ts";
import { primFunc } from "../func.ts";
import { type NDArray, ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import {
  allocate,
  assertStmt,
  bufferStore,
  decl,
  evaluate,
  type ForKind,
  forLoop,
  ifThenElse,
  letStmt,
  loopVar,
  seq,
} from "../stmt.ts";
import { interpret, runFunc } from "./interpret.ts";

Deno.test("loops of every kind run serially in index order", () => {
  // Prefix sum: B[0] = A[0]; B[i] = B[i−1] + A[i] — correct only if iterations run in order.
  const kinds: [ForKind, string][] = [
    ["serial", ""],
    ["parallel", ""],
    ["vectorized", ""],
    ["unrolled", ""],
    ["thread", "threadIdx.x"],
  ];
  for (const [kind, threadTag] of kinds) {
    const n = variable("n");
    const A = decl("A", [n], "int32");
    const B = decl("B", [n], "int32");
    const i = loopVar("i");
    const body = bufferStore(B, add(bufferLoad(B, [sub(i, 1)]), bufferLoad(A, [i])), [i]);
    const f = primFunc(
      "prefix",
      [A, B],
      seq([
        bufferStore(B, bufferLoad(A, [0]), [0]),
        forLoop(i, 1, sub(n, 1), body, { kind, threadTag }),
      ]),
    );
    const [b] = runFunc(f, [ndarray("int32", [5], [1, 2, 3, 4, 5])]);
    assertEquals(toNumbers(b), [1, 3, 6, 10, 15], kind);
  }
});

/** B[i, j] = A[i, j] · 2 + 1 over [4, 6], written against 2-D buffers. */
function twoD() {
  const A = decl("A", [4, 6], "float32");
  const B = decl("B", [4, 6], "float32");
  const i = loopVar("i");
  const j = loopVar("j");
  const v = add(mul(bufferLoad(A, [i, j]), 2), 1);
  return primFunc("f2d", [A, B], forLoop(i, 0, 4, forLoop(j, 0, 6, bufferStore(B, v, [i, j]))));
}

Deno.test("a flattened 1-D version computes what the 2-D function computes", () => {
  const A = decl("A", [24], "float32");
  const B = decl("B", [24], "float32");
  const i = loopVar("i");
  const j = loopVar("j");
  const at = add(mul(i, 6), j);
  const v = add(mul(bufferLoad(A, [at]), 2), 1);
  const flat = primFunc("f1d", [A, B], forLoop(i, 0, 4, forLoop(j, 0, 6, bufferStore(B, v, [at]))));
  const a = randomNDArray("float32", [4, 6], 3);
  const [want] = runFunc(twoD(), [a]);
  const [got] = runFunc(flat, [{ ...a, shape: [24] }]);
  assertEquals(toNumbers(got), toNumbers(want));
});

Deno.test("strided buffers with an element offset read a window of their storage", () => {
  // A is a [4, 6] view with row stride 8 starting at element 3 of a 35-element storage.
  const A = decl("A", [4, 6], "float32", { strides: [8, 1], elemOffset: 3 });
  const B = decl("B", [4, 6], "float32");
  const i = loopVar("i");
  const j = loopVar("j");
  const v = add(mul(bufferLoad(A, [i, j]), 2), 1);
  const f = primFunc("view", [A, B], forLoop(i, 0, 4, forLoop(j, 0, 6, bufferStore(B, v, [i, j]))));
  const dense = randomNDArray("float32", [4, 6], 8);
  const storage = new Float32Array(35).fill(NaN); // padding would poison any stray read
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 6; c++) storage[3 + 8 * r + c] = dense.data[r * 6 + c] as number;
  }
  const b = ndarray("float32", [4, 6]);
  interpret(f, [{ dtype: "float32", shape: [4, 6], data: storage }, b]);
  const [want] = runFunc(twoD(), [dense]);
  assertEquals(toNumbers(b), toNumbers(want));
  // Symbolic strides are bound from the array's compact layout.
  const s = variable("s");
  const C = decl("C", [4, 6], "float32", { strides: [s, 1] });
  const g = primFunc(
    "sym",
    [C, B],
    forLoop(
      i,
      0,
      4,
      forLoop(j, 0, 6, bufferStore(B, add(mul(bufferLoad(C, [i, j]), 2), 1), [i, j])),
    ),
  );
  const b2 = ndarray("float32", [4, 6]);
  interpret(g, [dense, b2]);
  assertEquals(toNumbers(b2), toNumbers(want));
});

Deno.test("Allocate gives fresh zero-filled storage on every entry", () => {
  const A = decl("A", [3, 4], "int32");
  const B = decl("B", [3], "int32");
  const T = decl("T", [1], "int32", { scope: "local" });
  const i = loopVar("i");
  const j = loopVar("j");
  const accumulate = bufferStore(T, add(bufferLoad(T, [0]), bufferLoad(A, [i, j])), [0]);
  const body = allocate(
    T,
    seq([forLoop(j, 0, 4, accumulate), bufferStore(B, bufferLoad(T, [0]), [i])]),
  );
  const f = primFunc("rowsum", [A, B], forLoop(i, 0, 3, body));
  const [b] = runFunc(f, [ndarray("int32", [3, 4], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])]);
  assertEquals(toNumbers(b), [4, 8, 12]);
});

Deno.test("Let and LetStmt bind values; inner bindings shadow and are undone", () => {
  const A = decl("A", [4], "int32");
  const B = decl("B", [4], "int32");
  const i = loopVar("i");
  const x = variable("x");
  const y = variable("y");
  const body = letStmt(
    x,
    mul(bufferLoad(A, [i]), 2),
    bufferStore(B, letExpr(y, add(x, 1), add(mul(y, y), letExpr(y, int(100), y))), [i]),
  );
  const [b] = runFunc(primFunc("lets", [A, B], forLoop(i, 0, 4, body)), [
    ndarray("int32", [4], [0, 1, 2, 3]),
  ]);
  assertEquals(toNumbers(b), [0, 1, 2, 3].map((a) => (2 * a + 1) ** 2 + 100));
  const v = variable("v");
  const nested = letExpr(v, int(1), add(letExpr(v, int(2), v), v)); // (let v=2 in v) + v = 3
  const [c] = runFunc(primFunc("shadow", [B], bufferStore(B, nested, [0])), [], [[4]]);
  assertEquals(c.data[0], 3);
});

Deno.test("IfThenElse picks a branch; AssertStmt passes when its condition holds", () => {
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const B = decl("B", [n], "float32");
  const i = loopVar("i");
  const branch = ifThenElse(
    eq(floormod(i, 2), 0),
    bufferStore(B, bufferLoad(A, [i]), [i]),
    bufferStore(B, sub(0, bufferLoad(A, [i])), [i]),
  );
  const f = primFunc(
    "alt",
    [A, B],
    assertStmt(gt(n, 0), "n must be positive", forLoop(i, 0, n, branch)),
  );
  const [b] = runFunc(f, [ndarray("float32", [4], [1, 2, 3, 4])]);
  assertEquals(toNumbers(b), [1, -2, 3, -4]);
});

Deno.test("scalar parameters, int64 loop variables and Evaluate", () => {
  const A = decl("A", [3], "int64");
  const scale = variable("scale", "int64");
  const i = variable("i", "int64");
  const body = seq([
    evaluate(int(0)),
    bufferStore(A, mul(add(i, scale), scale), [i]),
  ]);
  const f = primFunc(
    "big",
    [A, scale],
    forLoop(i, cast("int64", int(0)), cast("int64", int(3)), body),
  );
  const a = ndarray("int64", [3]);
  interpret(f, [a, 2n ** 31n]);
  assertEquals(
    [...(a.data as BigInt64Array)],
    [0n, 1n, 2n].map((k) => (k + 2n ** 31n) * 2n ** 31n),
  );
  // the same function with a number argument
  interpret(f, [a, 3]);
  assertEquals([...(a.data as BigInt64Array)], [9n, 12n, 15n]);
});

Deno.test("runFunc infers outputs from size variables, including affine shapes", () => {
  const n = variable("n");
  const A = decl("A", [n], "int32");
  const P = decl("P", [add(n, 2)], "int32");
  const D = decl("D", [mul(n, 2)], "int32");
  const i = loopVar("i");
  const f = primFunc(
    "shapes",
    [A, P, D],
    forLoop(
      i,
      0,
      n,
      seq([
        bufferStore(P, bufferLoad(A, [i]), [add(i, 1)]),
        bufferStore(D, bufferLoad(A, [i]), [mul(i, 2)]),
      ]),
    ),
  );
  const [p, d] = runFunc(f, [ndarray("int32", [2], [7, 8])]);
  assertEquals(toNumbers(p), [0, 7, 8, 0]);
  assertEquals(toNumbers(d), [7, 0, 8, 0]);
  // n bound only through P's affine shape n + 2
  const g = primFunc("fromP", [P, A], forLoop(i, 0, n, bufferStore(A, bufferLoad(P, [i]), [i])));
  const [a]: NDArray[] = runFunc(g, [ndarray("int32", [5], [1, 2, 3, 4, 5])]);
  assertEquals(toNumbers(a), [1, 2, 3]);
});
